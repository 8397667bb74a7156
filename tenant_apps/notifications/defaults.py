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
}
