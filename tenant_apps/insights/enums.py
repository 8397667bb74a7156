from django.db import models
from django.utils.translation import gettext_lazy as _


class PaperKind(models.TextChoices):
    DOCUMENT = "documento", _("Documentos")
    MEMO = "memorando", _("Memorandos")
    CIRCULAR = "circular", _("Circulares")
    NOTIFICATION = "notificacao", _("Notificações")
