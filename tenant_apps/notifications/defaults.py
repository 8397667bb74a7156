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
}

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
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
}
