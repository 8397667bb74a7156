from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessMode(models.TextChoices):
    """How vendor support may enter a city (chosen by the city's municipal admins)."""

    APPROVAL = "approval", _("Cada acesso precisa da aprovação de um administrador")
    ALLOWED = "allowed", _("Acesso liberado (aprovado automaticamente)")
    BLOCKED = "blocked", _("Acesso bloqueado")


class SessionStatus(models.TextChoices):
    REQUESTED = "requested", _("Aguardando aprovação")
    APPROVED = "approved", _("Aprovada")
    DENIED = "denied", _("Negada")
    ACTIVE = "active", _("Em andamento")
    ENDED = "ended", _("Encerrada")
    EXPIRED = "expired", _("Expirada")


# A request or an approval still waiting to be used, or a session running: the admin may end any.
OPEN_STATUSES = (SessionStatus.REQUESTED, SessionStatus.APPROVED, SessionStatus.ACTIVE)


class SupportAction(models.TextChoices):
    SUSPEND = "suspend", _("Suspensão")
    REACTIVATE = "reactivate", _("Reativação")
    TRIAL_EXTEND = "trial_extend", _("Extensão da avaliação")
    INVITE_RESEND = "invite_resend", _("Reenvio do convite")
    SESSION_REQUEST = "session_request", _("Pedido de sessão de suporte")
    SESSION_ENTER = "session_enter", _("Entrada em sessão de suporte")
    EXPORT_REQUEST = "export_request", _("Pedido de exportação dos dados")
    EXPORT_DOWNLOAD = "export_download", _("Download da exportação dos dados")
