"""Default message texts (Portuguese). A municipality edits its own copy (NotificationTemplate)."""

from django.utils.translation import gettext_lazy as _

# What each text is for, as the municipal admin sees it.
TEMPLATE_LABELS = {
    "case_opened": _("Protocolo recebido (para o requerente)"),
    "case_updated": _("Protocolo movimentado (para o requerente)"),
    "case_information_requested": _("Pedido de informações (para o requerente)"),
    "case_closed": _("Protocolo concluído (para o requerente)"),
    "unit_inbox": _("Novo protocolo na unidade (para os servidores)"),
    "staff_digest": _("Resumo diário por e-mail (para os servidores)"),
    "memo_received": _("Memorando recebido (para os servidores)"),
    "circular_received": _("Circular recebida (para os servidores)"),
    "circular_reminder": _("Lembrete de ciência de circular (para os servidores)"),
    "ombudsman_received": _("Manifestação recebida pela ouvidoria (para o manifestante)"),
    "ombudsman_updated": _("Manifestação movimentada (para o manifestante)"),
    "ombudsman_information_requested": _("Ouvidoria pede informações (para o manifestante)"),
    "ombudsman_extended": _("Prazo da manifestação prorrogado (para o manifestante)"),
    "ombudsman_closed": _("Resposta final da ouvidoria e pesquisa de satisfação (para o manifestante)"),
    "ombudsman_overdue": _("Manifestação atrasada (para o gestor da unidade)"),
    "appointment_booked": _("Agendamento confirmado, com o convite de calendário (para o cidadão)"),
    "appointment_rescheduled": _("Agendamento remarcado (para o cidadão)"),
    "appointment_cancelled": _("Agendamento cancelado (para o cidadão)"),
    "appointment_reminder": _("Lembrete do agendamento, 24 horas e 1 hora antes (para o cidadão)"),
    "signature_requested": _("Documentos à espera da sua assinatura (bloco de assinatura)"),
    "signature_refused": _("Assinatura recusada, documento devolvido (para o autor do bloco)"),
    "signature_block_completed": _("Bloco de assinatura concluído (para os envolvidos)"),
    "health_slot_offered": _("Vaga de consulta oferecida a quem está na lista de espera (para o cidadão)"),
    "privacy_export_ready": _("Cópia dos dados pessoais pronta, LGPD art. 18 (para o cidadão)"),
    "custom_domain_verified": _("Domínio próprio verificado no DNS (para os administradores municipais)"),
    "permit_requested": _("Alvará: pedido recebido (para o requerente)"),
    "permit_needs_fix": _("Alvará: documento faltando ou incorreto na pré-análise (para o requerente)"),
    "permit_terms_pending": _("Alvará: aceite o termo de ciência, nível II (para o requerente)"),
    "permit_in_analysis": _("Alvará: pedido enviado às unidades para parecer (para o requerente)"),
    "permit_opinion_requested": _("Alvará: parecer pedido à unidade (para os servidores)"),
    "permit_issued": _("Alvará emitido ou declaração de dispensa (para o requerente)"),
    "permit_refused": _("Alvará indeferido, com os motivos e o recurso (para o requerente)"),
    "permit_appeal_decided": _("Alvará: recurso decidido (para o requerente)"),
    "permit_status_changed": _("Alvará suspenso, cassado ou restabelecido (para o titular)"),
    "permit_renewal_reminder": _("Alvará perto de vencer: peça a renovação (para o titular)"),
    "permit_tacit_countdown": _("Alvará: prazo da aprovação tácita chegando ao fim (para o requerente)"),
}

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "signature_requested": {
        "subject": "Assinatura pendente: {{ block_title }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "{{ author_name }} pediu a sua assinatura em {{ document_count }} documento(s) do bloco "
            "“{{ block_title }}”.\n\nAssine em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "Assinatura pendente: {{ block_title }}. {{ link }}",
    },
    "signature_refused": {
        "subject": "Assinatura recusada: {{ block_title }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "{{ signer_name }} recusou a assinatura do bloco “{{ block_title }}”.\n"
            "Motivo: {{ reason }}\n\nOs documentos voltaram para você: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "Assinatura recusada ({{ block_title }}): {{ link }}",
    },
    "signature_block_completed": {
        "subject": "Bloco assinado: {{ block_title }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "Todos assinaram o bloco “{{ block_title }}”.\n\nVeja em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "Bloco assinado: {{ block_title }}. {{ link }}",
    },
    "case_opened": {
        "subject": "Protocolo {{ case.nup }} recebido",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "Recebemos o seu pedido “{{ case.service.name }}”, protocolo {{ case.nup }}.\n"
            "Prazo para resposta: {{ case.deadline|date:'d/m/Y' }}.\n\n"
            "Acompanhe cada etapa em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: protocolo {{ case.nup }} recebido. Acompanhe: {{ link }}",
    },
    "case_updated": {
        "subject": "Protocolo {{ case.nup }}: {{ event_summary }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "O protocolo {{ case.nup }} ({{ case.service.name }}) teve uma movimentação: "
            "{{ event_summary }}.\n\n"
            "Veja os detalhes em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: protocolo {{ case.nup }} - {{ event_summary }}. {{ link }}",
    },
    "case_information_requested": {
        "subject": "Protocolo {{ case.nup }}: precisamos de informações",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "Para continuar o protocolo {{ case.nup }}, precisamos que você responda:\n\n{{ question }}\n\n"
            "O prazo fica suspenso até a sua resposta. Responda em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: o protocolo {{ case.nup }} aguarda sua resposta. {{ link }}",
    },
    "case_closed": {
        "subject": "Protocolo {{ case.nup }} concluído",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "O protocolo {{ case.nup }} foi concluído. Resposta:\n\n{{ case.final_answer }}\n\n"
            "Veja o histórico completo em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: protocolo {{ case.nup }} concluído. {{ link }}",
    },
    "unit_inbox": {
        "subject": "Novo na caixa da {{ unit.acronym }}: {{ case.nup }}",
        "email_body": (
            "O protocolo {{ case.nup }} ({{ case.service.name }}) chegou à {{ unit.acronym }}: "
            "{{ event_summary }}.\n\n"
            "Abrir: {{ link }}"
        ),
        "sms_body": "{{ case.nup }} chegou à {{ unit.acronym }}.",
    },
    "staff_digest": {
        "subject": "Resumo de {{ count }} novidade(s) nas suas unidades",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "{% for item in items %}- {{ item.subject }}: {{ item.link_url }}\n{% endfor %}"
        ),
        "sms_body": "{{ count }} novidade(s) nas suas unidades.",
    },
    "memo_received": {
        "subject": "Memorando {{ memo_number }}: {{ memo_subject }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "A {{ sender_unit }} enviou o memorando {{ memo_number }} ({{ author_name }}): "
            "{{ memo_subject }}.\n\n"
            "Leia e responda em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "Memorando {{ memo_number }} da {{ sender_unit }}: {{ link }}",
    },
    "circular_received": {
        "subject": "Circular {{ circular_number }}: {{ circular_subject }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "A {{ sender_unit }} enviou a circular {{ circular_number }}: {{ circular_subject }}.\n"
            "{% if acknowledge_by %}Registre sua ciência até {{ acknowledge_by }}.\n{% endif %}\n"
            "Leia e clique em “Ciente” em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "Circular {{ circular_number }} da {{ sender_unit }}: {{ link }}",
    },
    "circular_reminder": {
        "subject": "Lembrete: ciência da circular {{ circular_number }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "Você ainda não registrou ciência da circular {{ circular_number }} ({{ circular_subject }}) "
            "da {{ sender_unit }}.{% if acknowledge_by %} Prazo: {{ acknowledge_by }}.{% endif %}\n\n"
            "Leia e clique em “Ciente” em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "Lembrete: ciência da circular {{ circular_number }}: {{ link }}",
    },
    "ombudsman_received": {
        "subject": "Ouvidoria: manifestação {{ case.nup }} recebida",
        "email_body": (
            "Recebemos a sua manifestação ({{ kind }}), protocolo {{ case.nup }}.\n"
            "Prazo para a resposta: {{ case.deadline|date:'d/m/Y' }}.\n\n"
            "Acompanhe com o número do protocolo e o código de acompanhamento em: {{ link }}\n\n"
            "{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: manifestação {{ case.nup }} recebida. Acompanhe: {{ link }}",
    },
    "ombudsman_updated": {
        "subject": "Ouvidoria: manifestação {{ case.nup }} - {{ event_summary }}",
        "email_body": (
            "A manifestação {{ case.nup }} teve uma movimentação: {{ event_summary }}.\n\n"
            "Acompanhe em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: manifestação {{ case.nup }} - {{ event_summary }}. {{ link }}",
    },
    "ombudsman_information_requested": {
        "subject": "Ouvidoria: manifestação {{ case.nup }} aguarda a sua resposta",
        "email_body": (
            "Para continuar a manifestação {{ case.nup }}, precisamos que você responda:\n\n"
            "{{ question }}\n\n"
            "O prazo fica suspenso até a sua resposta. Responda em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: a manifestação {{ case.nup }} aguarda sua resposta. {{ link }}",
    },
    "ombudsman_extended": {
        "subject": "Ouvidoria: prazo da manifestação {{ case.nup }} prorrogado",
        "email_body": (
            "O prazo de resposta da manifestação {{ case.nup }} foi prorrogado até "
            "{{ new_deadline|date:'d/m/Y' }}.\n\nJustificativa: {{ justification }}\n\n"
            "Acompanhe em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": (
            "{{ municipality_name }}: prazo da manifestação {{ case.nup }} prorrogado até "
            "{{ new_deadline|date:'d/m/Y' }}. {{ link }}"
        ),
    },
    "ombudsman_closed": {
        "subject": "Ouvidoria: resposta à manifestação {{ case.nup }}",
        "email_body": (
            "A manifestação {{ case.nup }} recebeu a resposta final:\n\n{{ case.final_answer }}\n\n"
            "Conte-nos se o seu problema foi resolvido e dê uma nota de 1 a 5 em: {{ link }}\n"
            "Se não ficou resolvido, você pode reabrir a manifestação pela mesma página.\n\n"
            "{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: manifestação {{ case.nup }} respondida. Avalie: {{ link }}",
    },
    "ombudsman_overdue": {
        "subject": "Manifestação {{ case.nup }} atrasada",
        "email_body": (
            "A manifestação {{ case.nup }} ({{ kind }}) passou do prazo ({{ case.deadline|date:'d/m/Y' }}) "
            "na sua unidade.\n\nAbra em: {{ link }}"
        ),
        "sms_body": "Manifestação {{ case.nup }} atrasada. {{ link }}",
    },
    "appointment_booked": {
        "subject": "Agendamento confirmado: {{ agenda_name }}, {{ when }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "Seu atendimento está marcado.\n"
            "Serviço: {{ agenda_name }}{% if subject_name %} — {{ subject_name }}{% endif %}\n"
            "Quando: {{ when }}\n"
            "Com: {{ attendant_name }}\n"
            "Onde: {{ where }}\n"
            "{% if nup %}Protocolo: {{ nup }}\n{% endif %}\n"
            "O convite para a sua agenda vai anexo (convite.ics). Você pode cancelar ou remarcar até "
            "{{ cancel_until }} em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: {{ agenda_name }} marcado para {{ when }}. {{ link }}",
    },
    "appointment_rescheduled": {
        "subject": "Agendamento remarcado: {{ agenda_name }}, {{ when }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "Seu atendimento de {{ previous_when }} foi remarcado para {{ when }}, "
            "com {{ attendant_name }}.\n"
            "Onde: {{ where }}\n"
            "{% if nup %}Protocolo: {{ nup }}\n{% endif %}\n"
            "Os anexos atualizam a sua agenda (cancelamento.ics retira o horário antigo; convite.ics traz o "
            "novo). Cancele ou remarque até {{ cancel_until }} em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: {{ agenda_name }} remarcado para {{ when }}. {{ link }}",
    },
    "appointment_cancelled": {
        "subject": "Agendamento cancelado: {{ agenda_name }}, {{ when }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "O atendimento de {{ when }} ({{ agenda_name }}) foi cancelado. O anexo retira o horário da sua "
            "agenda.\n\nPara marcar outro horário: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: atendimento de {{ when }} cancelado.",
    },
    "appointment_reminder": {
        "subject": "Lembrete ({{ reminder_label }}): {{ agenda_name }}, {{ when }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "Lembrete: seu atendimento ({{ agenda_name }}"
            "{% if subject_name %} — {{ subject_name }}{% endif %}) "
            "é {{ when }}, com {{ attendant_name }}.\n"
            "Onde: {{ where }}\n\n"
            "Abra o agendamento em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: lembrete, {{ agenda_name }} {{ when }}. {{ link }}",
    },
    "health_slot_offered": {
        "subject": "Vaga de consulta para você: {{ specialty_name }}, {{ when }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "Abriu uma vaga em {{ specialty_name }} com {{ professional_name }}, {{ unit_name }}, "
            "em {{ when }}. Você é a próxima pessoa da lista de espera: a vaga fica reservada para você "
            "até {{ until }}.\n\n"
            "Para ficar com ela, confirme em: {{ link }}\n\n"
            "Depois desse horário, ela passa para a próxima pessoa da lista.\n\n{{ municipality_name }}"
        ),
        "sms_body": (
            "{{ municipality_name }}: vaga em {{ specialty_name }} {{ when }}, reservada até {{ until }}. "
            "{{ link }}"
        ),
    },
    "privacy_export_ready": {
        "subject": "A cópia dos seus dados está pronta",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "A cópia de todos os dados que a prefeitura guarda sobre você está pronta (LGPD, art. 18).\n"
            "Baixe em: {{ link }}\n\n"
            "O link só funciona na sua conta, com você conectado, até {{ expires_at|date:'d/m/Y H:i' }}.\n"
            "Se você não pediu esta cópia, avise a prefeitura.\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: a copia dos seus dados esta pronta. {{ link }}",
    },
    "custom_domain_verified": {
        "subject": "Domínio {{ hostname }} verificado",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "O registro TXT de {{ hostname }} foi encontrado: o domínio está verificado para "
            "{{ municipality_name }} em {{ verified_at|date:'d/m/Y H:i' }}.\n"
            "Ele passa a ser o endereço principal do Paço assim que responder por esta prefeitura "
            "(registro CNAME e certificado TLS no lugar); até lá, o endereço atual continua valendo.\n\n"
            "Acompanhe em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: dominio {{ hostname }} verificado. {{ link }}",
    },
    # --- alvarás (tenant_apps.permits): every text has recipient_name, nup, kind_name, link and
    # municipality_name; the others are named in each text
    "permit_requested": {
        "subject": "Pedido de {{ kind_name }} recebido: {{ nup }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "Recebemos o seu pedido de {{ kind_name }}, protocolo {{ nup }}.\n"
            "Nível de risco das atividades: {{ risk_label }}.\n\n"
            "A pré-análise automática confere os documentos, o CNPJ ou CPF, as atividades (CNAE) e a taxa "
            "em poucos segundos. Veja o resultado e acompanhe o pedido em: {{ link }}\n\n"
            "{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: pedido de {{ kind_name }} recebido ({{ nup }}). {{ link }}",
    },
    "permit_needs_fix": {
        "subject": "Pedido {{ nup }}: corrija os documentos",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "A pré-análise do seu pedido de {{ kind_name }} ({{ nup }}) encontrou o que corrigir:\n\n"
            "{{ problems }}\n\n"
            "Envie os arquivos corrigidos em: {{ link }}\n"
            "Se achar que está tudo certo, você pode enviar o pedido mesmo assim; a equipe vai conferir."
            "\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: o pedido {{ nup }} tem documentos a corrigir. {{ link }}",
    },
    "permit_terms_pending": {
        "subject": "Pedido {{ nup }}: aceite o termo para receber o alvará",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "Os documentos do pedido de {{ kind_name }} ({{ nup }}) estão certos. Como as atividades são de "
            "médio risco (nível II), o alvará sai na hora, sem análise, assim que você aceitar o termo de "
            "ciência e responsabilidade (a fiscalização vem depois).\n\n"
            "Aceite o termo em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: aceite o termo do pedido {{ nup }}. {{ link }}",
    },
    "permit_in_analysis": {
        "subject": "Pedido {{ nup }} em análise até {{ decision_due|date:'d/m/Y' }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "O pedido de {{ kind_name }} ({{ nup }}) foi enviado para parecer de: {{ units }}.\n"
            "A prefeitura tem até {{ decision_due|date:'d/m/Y' }} para decidir. Se não decidir até lá, o "
            "pedido é aprovado tacitamente e o alvará é emitido (Lei 13.874/2019, art. 3º, IX).\n\n"
            "Acompanhe a contagem em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": (
            "{{ municipality_name }}: pedido {{ nup }} em análise; decisão até "
            "{{ decision_due|date:'d/m/Y' }}. {{ link }}"
        ),
    },
    "permit_opinion_requested": {
        "subject": "Parecer pedido à {{ unit_acronym }}: {{ kind_name }} {{ nup }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "A {{ unit_acronym }} deve dar parecer sobre o pedido de {{ kind_name }} {{ nup }} "
            "(nível de risco {{ risk_label }}) até {{ due|date:'d/m/Y' }}.\n"
            "Sem decisão até {{ decision_due|date:'d/m/Y' }}, o alvará é emitido por aprovação tácita.\n\n"
            "Dê o parecer em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "Parecer {{ unit_acronym }}: {{ nup }} até {{ due|date:'d/m/Y' }}. {{ link }}",
    },
    "permit_issued": {
        "subject": (
            "{% if exemption %}Declaração de dispensa {{ number }}{% else %}Alvará {{ number }} emitido"
            "{% endif %} ({{ nup }})"
        ),
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "{% if exemption %}As atividades do pedido {{ nup }} são de baixo risco (nível I) e não "
            "precisam de alvará: a declaração de dispensa nº {{ number }} está pronta."
            "{% else %}O {{ kind_name }} nº {{ number }} foi emitido ({{ mode_label }})"
            "{% if valid_until %}, válido até {{ valid_until|date:'d/m/Y' }}{% endif %}.{% endif %}\n\n"
            "Baixe o documento assinado em: {{ link }}\n"
            "Qualquer pessoa confere a autenticidade e a situação em /verificar/ com o código "
            "{{ verification_code }}.\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: documento {{ number }} emitido ({{ nup }}). {{ link }}",
    },
    "permit_refused": {
        "subject": "Pedido {{ nup }} indeferido",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "O pedido de {{ kind_name }} ({{ nup }}) foi indeferido. Motivos:\n\n{{ reasons }}\n\n"
            "Você pode recorrer uma vez, explicando as razões, em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: pedido {{ nup }} indeferido; veja os motivos. {{ link }}",
    },
    "permit_appeal_decided": {
        "subject": "Recurso do pedido {{ nup }}: {% if granted %}provido{% else %}não provido{% endif %}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "O recurso do pedido de {{ kind_name }} ({{ nup }}) foi "
            "{% if granted %}provido: o alvará foi emitido{% else %}não provido{% endif %}.\n"
            "Fundamentação: {{ decision }}\n\n"
            "Veja em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": (
            "{{ municipality_name }}: recurso do pedido {{ nup }} "
            "{% if granted %}provido{% else %}não provido{% endif %}. {{ link }}"
        ),
    },
    "permit_status_changed": {
        "subject": "Alvará {{ number }}: {{ status_label }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "A situação do alvará nº {{ number }} ({{ kind_name }}, pedido {{ nup }}) mudou para "
            "{{ status_label }}.\nMotivo: {{ reason }}\n\n"
            "A página /verificar/ já mostra a nova situação. Detalhes em: {{ link }}\n\n"
            "{{ municipality_name }}"
        ),
        "sms_body": "{{ municipality_name }}: alvará {{ number }} agora {{ status_label }}. {{ link }}",
    },
    "permit_renewal_reminder": {
        "subject": "Alvará {{ number }} vence em {{ valid_until|date:'d/m/Y' }}",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "O alvará nº {{ number }} ({{ kind_name }}) vence em {{ valid_until|date:'d/m/Y' }}. Peça a "
            "renovação antes dessa data para não ficar sem alvará.\n\n"
            "Peça em: {{ renew_link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": (
            "{{ municipality_name }}: alvará {{ number }} vence em {{ valid_until|date:'d/m/Y' }}. "
            "{{ renew_link }}"
        ),
    },
    "permit_tacit_countdown": {
        "subject": "Pedido {{ nup }}: {{ days_left }} dia(s) útil(eis) para a decisão",
        "email_body": (
            "Olá, {{ recipient_name }}.\n\n"
            "Faltam {{ days_left }} dia(s) útil(eis) para o fim do prazo de decisão do pedido de "
            "{{ kind_name }} ({{ nup }}), em {{ decision_due|date:'d/m/Y' }}. Se a prefeitura não decidir "
            "até lá, o pedido é aprovado tacitamente e o alvará é emitido para você (Lei 13.874/2019, "
            "art. 3º, IX).\n\nAcompanhe em: {{ link }}\n\n{{ municipality_name }}"
        ),
        "sms_body": (
            "{{ municipality_name }}: pedido {{ nup }}, decisão até {{ decision_due|date:'d/m/Y' }} "
            "ou aprovação tácita. {{ link }}"
        ),
    },
}
