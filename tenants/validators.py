import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

ibge_code_validator = RegexValidator(r"^\d{7}$", _("O código IBGE do município tem exatamente 7 dígitos."))
color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Informe a cor no formato #RRGGBB."))
slug_validator = RegexValidator(
    r"^[a-z][a-z0-9-]{1,40}[a-z0-9]$",
    _("Use de 3 a 42 letras minúsculas, números ou hífens, começando por uma letra."),
)


def time_zone_validator(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Fuso horário desconhecido: %(value)s."), params={"value": value})
