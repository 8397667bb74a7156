"""Brazilian health identifiers: CNS (Cartão Nacional de Saúde) and CNES (establishment code).

CNS: 15 digits; a definitive card starts with 1 or 2 (derived from the PIS), a provisional one
with 7, 8 or 9; in both cases the sum of each digit times (15 − its position) is divisible by 11
(Ministério da Saúde, "Cartão Nacional de Saúde — rotina de validação"). The check itself is
validate-docbr's `CNS`; the first-digit rule is stated again here so the message can say which
part is wrong. CNES: 7 digits (Portaria SAS/MS 376/2000 and 511/2000), no check digit.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from validate_docbr import CNS

CNS_FIRST_DIGITS = frozenset("12789")


def digits_only(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def cns_is_valid(value: str) -> bool:
    number = digits_only(value)
    if len(number) != 15 or number[0] not in CNS_FIRST_DIGITS:
        return False
    if sum(int(digit) * (15 - position) for position, digit in enumerate(number)) % 11 != 0:
        return False
    return bool(CNS().validate(number))


def validate_cns(value: str) -> None:
    number = digits_only(value)
    if len(number) != 15:
        raise ValidationError(_("O CNS tem 15 dígitos."), code="cns_length")
    if number[0] not in CNS_FIRST_DIGITS:
        raise ValidationError(_("O CNS começa com 1, 2, 7, 8 ou 9."), code="cns_first_digit")
    if not cns_is_valid(number):
        raise ValidationError(
            _("Este número de CNS não é válido: confira os dígitos no seu cartão do SUS."), code="cns_invalid"
        )


def validate_cnes(value: str) -> None:
    if not re.fullmatch(r"\d{7}", value or ""):
        raise ValidationError(_("O código CNES tem 7 dígitos."), code="cnes")


def validate_cbo(value: str) -> None:
    """CBO 2002 occupation codes have 6 digits (e.g. 225125, médico clínico)."""
    if not re.fullmatch(r"\d{6}", digits_only(value)):
        raise ValidationError(_("O código CBO tem 6 dígitos (por exemplo 225125)."), code="cbo")
