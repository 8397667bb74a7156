from django.db import models
from django.utils.translation import gettext_lazy as _


class MemoKind(models.TextChoices):
    ORIGINAL = "original", _("Memorando")
    REPLY = "resposta", _("Resposta")
    FORWARD = "encaminhamento", _("Encaminhamento")


class ReceiptState(models.TextChoices):
    ACKNOWLEDGED = "ciente", _("Ciente")
    OPENED = "aberta", _("Só abriu")
    PENDING = "pendente", _("Não abriu")
