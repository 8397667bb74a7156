from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    """What a municipality is billed for besides the monthly fee (BILLING_METERED_ITEMS)."""

    CASES = "cases", _("Protocolos abertos")
    DOCUMENTS = "documents", _("Documentos gerados")
    EMAILS = "emails", _("E-mails enviados")
    SMS = "sms", _("SMS enviados")
    VIDEO_MINUTES = "video_minutes", _("Minutos de vídeo")
    STORAGE_GB = "storage_gb", _("Armazenamento (GB)")


# Measured once a day (a value, not a count): bytes stored, billed as whole GB with Stripe's "last".
GAUGES = frozenset({Metric.STORAGE_GB})
COUNTERS = frozenset(metric for metric in Metric if metric not in GAUGES)

BYTES_PER_GB = 1024**3


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("A enviar")
    SENT = "sent", _("Enviado")
