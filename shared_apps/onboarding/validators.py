"""Checks of the signup's fields: IBGE code (with its check digit), CPF, e-mail, subdomain."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from validate_docbr import CPF

from paco.errors import ApplicationError
from tenants.validators import slug_validator

# IBGE's numeric code of each federative unit: the first two digits of its municipalities' codes.
UF_IBGE_CODES = {
    "RO": "11", "AC": "12", "AM": "13", "RR": "14", "PA": "15", "AP": "16", "TO": "17",
    "MA": "21", "PI": "22", "CE": "23", "RN": "24", "PB": "25",
    "PE": "26", "AL": "27", "SE": "28", "BA": "29",
    "MG": "31", "ES": "32", "RJ": "33", "SP": "35",
    "PR": "41", "SC": "42", "RS": "43",
    "MS": "50", "MT": "51", "GO": "52", "DF": "53",
}  # fmt: skip

# Municipalities created after the check digit rule whose codes IBGE assigned without it (the nine
# codes of the table that fail the computation, each a real municipality).
IBGE_CHECK_DIGIT_EXCEPTIONS = frozenset(
    {
        "2201919",  # Bom Princípio do Piauí/PI
        "2201988",  # Brejo do Piauí/PI
        "2202251",  # Canavieira/PI
        "2611533",  # Quixaba/PE
        "3117836",  # Cônego Marinho/MG
        "3152131",  # Ponto Chique/MG
        "4305871",  # Coronel Barros/RS
        "5203939",  # Buriti de Goiás/GO
        "5203962",  # Buritinópolis/GO
    }
)


def ibge_check_digit(first_six: str) -> int:
    """IBGE's check digit: weights 1,2,1,2,1,2, the digits of each product summed, then 10's complement."""
    total = 0
    for position, digit in enumerate(first_six):
        product = int(digit) * (1 if position % 2 == 0 else 2)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def ibge_code_is_valid(code: str, *, uf: str | None = None) -> bool:
    """Seven digits, a known UF prefix (the given UF's, when given) and a right check digit."""
    if len(code) != 7 or not code.isdigit() or code[:2] not in UF_IBGE_CODES.values():
        return False
    if uf is not None and UF_IBGE_CODES.get(uf) != code[:2]:
        return False
    return code in IBGE_CHECK_DIGIT_EXCEPTIONS or ibge_check_digit(code[:6]) == int(code[6])


def cpf_normalize(value: str) -> str:
    """Digits only; a Portuguese error unless the two check digits are right."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) != 11 or not CPF().validate(digits):
        raise ApplicationError(_("CPF inválido: confira os números digitados."), extra={"field": "admin_cpf"})
    return digits


def email_normalize(value: str) -> str:
    """Lower-case; an official address (ONBOARDING_EMAIL_DOMAINS, .gov.br by default) is required."""
    email = value.strip().lower()
    domains = [domain.lower() for domain in settings.ONBOARDING_EMAIL_DOMAINS]
    local, _at, host = email.partition("@")
    if not local or not host or not any(email.endswith(domain) for domain in domains):
        raise ApplicationError(
            _("Use o e-mail institucional da prefeitura (terminado em %(domains)s).")
            % {"domains": ", ".join(domains)},
            extra={"field": "admin_email"},
        )
    return email


def slug_reserved(slug: str) -> bool:
    reserved = {name.lower() for name in settings.ONBOARDING_RESERVED_SLUGS}
    reserved.add(settings.TENANT_BASE_SCHEMA.lower())
    # PostgreSQL keeps the pg_ prefix and information_schema for itself: not usable as schema names.
    schema_name = slug.replace("-", "_")
    return (
        slug in reserved
        or schema_name in reserved
        or schema_name.startswith("pg_")
        or (schema_name == "information_schema")
    )


def slug_normalize(value: str) -> str:
    """Lower-case; the subdomain rules of tenants (3 to 42 characters), and not a reserved name."""
    slug = value.strip().lower()
    try:
        slug_validator(slug)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), extra={"field": "slug"}) from error
    if slug_reserved(slug):
        raise ApplicationError(
            _("O endereço “%(slug)s” é reservado. Escolha outro.") % {"slug": slug}, extra={"field": "slug"}
        )
    return slug
