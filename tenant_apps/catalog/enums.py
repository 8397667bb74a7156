from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldKind(models.TextChoices):
    TEXT = "text", _("Texto")
    LONG_TEXT = "long_text", _("Texto longo")
    NUMBER = "number", _("Número")
    DATE = "date", _("Data")
    CHOICE = "choice", _("Escolha")
    CPF = "cpf", _("CPF")
    CNPJ = "cnpj", _("CNPJ")
    ADDRESS = "address", _("Endereço")
    FILE = "file", _("Arquivo")


class DeadlineKind(models.TextChoices):
    BUSINESS_DAYS = "business", _("dias úteis")
    CALENDAR_DAYS = "calendar", _("dias corridos")
