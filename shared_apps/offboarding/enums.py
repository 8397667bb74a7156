from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Em preparação")
    READY = "ready", _("Pronta")
    FAILED = "failed", _("Falhou")
    AWAITING_CONSENT = "awaiting", _("Aguardando aprovação do município")
    DENIED = "denied", _("Negada pelo município")
