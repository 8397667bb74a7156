"""NUP-style case numbers: `NNNNN.NNNNNN/AAAA-DD` (unit code, yearly sequence, year, check digits).

Check digits are mod 11, as in the federal Número Único de Protocolo: the first over the 15
digits with weights 16..2, the second over those 15 plus the first with weights 17..2; for each,
r = 11 - (sum mod 11), with 10 -> 0 and 11 -> 1.
"""

import re

NUP_PATTERN = re.compile(r"^(\d{5})\.(\d{6})/(\d{4})-(\d{2})$")


def _check_digit(digits: str) -> int:
    weights = range(len(digits) + 1, 1, -1)
    remainder = 11 - sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True)) % 11
    return {10: 0, 11: 1}.get(remainder, remainder)


def nup_check_digits(unit_code: str, sequence: int, year: int) -> str:
    base = f"{unit_code}{sequence:06d}{year:04d}"
    if len(base) != 15 or not base.isdigit():
        raise ValueError("a NUP needs a 5-digit unit code, a sequence up to 999999 and a 4-digit year")
    first = _check_digit(base)
    second = _check_digit(f"{base}{first}")
    return f"{first}{second}"


def nup_format(unit_code: str, sequence: int, year: int) -> str:
    return f"{unit_code}.{sequence:06d}/{year:04d}-{nup_check_digits(unit_code, sequence, year)}"


def nup_is_valid(value: str) -> bool:
    match = NUP_PATTERN.match(value.strip())
    if not match:
        return False
    unit_code, sequence, year, digits = match.groups()
    return nup_check_digits(unit_code, int(sequence), int(year)) == digits
