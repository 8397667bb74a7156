import pytest

from tenant_apps.cases.nup import nup_check_digits, nup_format, nup_is_valid


def test_the_federal_example_is_valid():
    assert nup_format("23037", 1462, 2021) == "23037.001462/2021-65"
    assert nup_is_valid("23037.001462/2021-65")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("23037.001462/2021-66", False),
        ("23037.001462/2021-56", False),
        ("2303.001462/2021-65", False),
        ("", False),
    ],
)
def test_wrong_digits_or_shape_are_invalid(value, valid):
    assert nup_is_valid(value) is valid


def test_check_digit_rules_map_ten_and_eleven():
    # exhaustive over a range: every computed number validates, and digits are always 0-9
    for sequence in range(1, 400):
        digits = nup_check_digits("10008", sequence, 2026)
        assert len(digits) == 2
        assert nup_is_valid(f"10008.{sequence:06d}/2026-{digits}")
