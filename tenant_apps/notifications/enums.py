from django.db import models
from django.utils.translation import gettext_lazy as _

# E-mail header carrying the notification's token (matches provider events to our e-mails).
TOKEN_HEADER = "X-Paco-Notification"  # noqa: S105 - a header name, not a secret


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    INBOX = "inbox", _("Caixa de entrada")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Na fila")
    SENT = "sent", _("Enviada")
    DELIVERED = "delivered", _("Entregue")
    OPENED = "opened", _("Aberta (aproximado)")
    CLICKED = "clicked", _("Link acessado")
    TEMPORARY_FAILURE = "temporary_failure", _("Falha temporária")
    FAILED = "failed", _("Falhou")


class EventKind(models.TextChoices):
    QUEUED = "queued", _("Na fila")
    SENT = "sent", _("Enviada")
    DELIVERED = "delivered", _("Entregue")
    OPENED = "opened", _("Aberta")
    CLICKED = "clicked", _("Clique")
    TEMPORARY_FAILURE = "temporary_failure", _("Falha temporária")
    BOUNCED = "bounced", _("Devolvida")
    COMPLAINED = "complained", _("Marcada como spam")
    FAILED = "failed", _("Falhou")
    FALLBACK = "fallback", _("Reenviada por outro canal")


class SubjectKind(models.TextChoices):
    """What a notification is about (with `subject_id`): each module tags its own messages with one."""

    CASE = "case", _("Protocolo")
    MEMO = "memo", _("Memorando")
    CIRCULAR = "circular", _("Circular")
    MANIFESTATION = "manifestation", _("Manifestação")
    DIGEST = "digest", _("Resumo diário")
    APPOINTMENT = "appointment", _("Agendamento")
    CUSTOM_DOMAIN = "custom_domain", _("Domínio próprio")
