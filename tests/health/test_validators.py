import pytest
from django.core.exceptions import ValidationError

from tenant_apps.health.demo import DEMO_PATIENT_CNS, cns_for
from tenant_apps.health.validators import cns_is_valid, validate_cbo, validate_cnes, validate_cns

# Published: the example card of ANVISA's RNI validation rules ("898 0000 0004 3208",
# rni-docs.anvisa.gov.br/docs/regras_gerais/validacoes/validacaoCNS); the sum of each digit times
# (15 − position) is 396 = 36 × 11.
PUBLISHED_VALID = ["898000000043208", "898 0000 0004 3208"]
INVALID = [
    "898000000043209",  # last digit changed: sum 606
    "898000000043280",  # two digits swapped
    "398000000043208",  # first digit 3 (only 1, 2, 7, 8, 9)
    "89800000004320",  # 14 digits
    "8980000000432080",  # 16 digits (the card's copy number typed in)
    "",
    "abcdefghijklmno",
]


@pytest.mark.parametrize("number", PUBLISHED_VALID)
def test_published_cns_is_valid(number):
    assert cns_is_valid(number) is True
    validate_cns(number)


@pytest.mark.parametrize("number", INVALID)
def test_invalid_cns_is_refused_in_portuguese(number):
    assert cns_is_valid(number) is False
    with pytest.raises(ValidationError) as error:
        validate_cns(number)
    assert error.value.messages[0] in (
        "O CNS tem 15 dígitos.",
        "O CNS começa com 1, 2, 7, 8 ou 9.",
        "Este número de CNS não é válido: confira os dígitos no seu cartão do SUS.",
    )


def test_first_digit_message():
    with pytest.raises(ValidationError) as error:
        validate_cns("398000000043208")
    assert error.value.messages == ["O CNS começa com 1, 2, 7, 8 ou 9."]


def test_the_rule_by_hand_agrees_with_validate_docbr():
    weighted = sum(int(digit) * (15 - position) for position, digit in enumerate(DEMO_PATIENT_CNS))
    assert weighted == 396
    assert weighted % 11 == 0
    for seed in range(1, 60):
        number = cns_for(seed)
        assert len(number) == 15
        assert cns_is_valid(number)


@pytest.mark.parametrize("value", ["2232073", "0002283"])
def test_cnes_seven_digits(value):
    validate_cnes(value)


@pytest.mark.parametrize("value", ["223207", "22320731", "22320a3", ""])
def test_cnes_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_cnes(value)
    assert error.value.messages == ["O código CNES tem 7 dígitos."]


def test_cbo():
    validate_cbo("225125")
    with pytest.raises(ValidationError):
        validate_cbo("2251")
