"""Pix keys as the DICT stores them (Manual de Padrões para Iniciação do Pix, "chave Pix"):
CPF and CNPJ as digits with valid check digits, e-mail in lower case (at most 77 characters),
a mobile phone as +55 + area code + 9 digits, a random key (EVP) as a lower-case UUID."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from validate_docbr import CNPJ, CPF

from .enums import PixKeyType

EVP_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PHONE_RE = re.compile(r"^\+55[1-9][1-9]9\d{8}$")
MAX_EMAIL = 77


def pix_key_normalize(*, key_type: str, key: str) -> str:
    """The key in the DICT's format, or ValidationError with a Portuguese message."""
    raw = key.strip()
    if not raw:
        raise ValidationError(_("Informe a chave Pix."))
    if key_type == PixKeyType.CPF:
        digits = re.sub(r"\D", "", raw)
        if len(digits) != 11 or not CPF().validate(digits):
            raise ValidationError(_("CPF inválido: confira os dígitos."))
        return digits
    if key_type == PixKeyType.CNPJ:
        digits = re.sub(r"\D", "", raw)
        if len(digits) != 14 or not CNPJ().validate(digits):
            raise ValidationError(_("CNPJ inválido: confira os dígitos."))
        return digits
    if key_type == PixKeyType.EMAIL:
        email = raw.lower()
        if len(email) > MAX_EMAIL:
            raise ValidationError(_("Um e-mail usado como chave Pix tem no máximo 77 caracteres."))
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(_("E-mail inválido.")) from None
        return email
    if key_type == PixKeyType.PHONE:
        digits = re.sub(r"\D", "", raw)
        if len(digits) == 11:
            digits = "55" + digits
        phone = "+" + digits
        if not PHONE_RE.match(phone):
            raise ValidationError(
                _("Telefone inválido: use um celular com DDD, por exemplo +55 79 99999-9999.")
            )
        return phone
    if key_type == PixKeyType.EVP:
        evp = raw.lower()
        if re.fullmatch(r"[0-9a-f]{32}", evp):
            evp = f"{evp[:8]}-{evp[8:12]}-{evp[12:16]}-{evp[16:20]}-{evp[20:]}"
        if not EVP_RE.match(evp):
            raise ValidationError(_("Chave aleatória inválida: são 32 caracteres hexadecimais (um UUID)."))
        return evp
    raise ValidationError(_("Tipo de chave Pix desconhecido."))


def document_digits(document: str) -> str:
    """A payer's CPF (11 digits) or CNPJ (14 digits), checked; ValidationError otherwise."""
    digits = re.sub(r"\D", "", document)
    if len(digits) == 11 and CPF().validate(digits):
        return digits
    if len(digits) == 14 and CNPJ().validate(digits):
        return digits
    raise ValidationError(_("CPF ou CNPJ do pagador inválido: confira os dígitos."))


def document_masked(digits: str) -> str:
    """A CPF shown as ***.456.789-** (the form the federal government uses); a CNPJ in full."""
    if len(digits) == 11:
        return f"***.{digits[3:6]}.{digits[6:9]}-**"
    if len(digits) == 14:
        return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"
    return "***"
