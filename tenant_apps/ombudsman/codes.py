"""The filer's access code: made once, shown once, kept only as a hash."""

from __future__ import annotations

import secrets

from paco.tokens import token_hash

ACCESS_CODE_BYTES = 12


def access_code_new() -> str:
    """`XXXX-XXXX-XXXX-XXXX`, 64 random bits in hexadecimal."""
    raw = secrets.token_hex(ACCESS_CODE_BYTES // 2 * 2)[:16].upper()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def access_code_hash(code: str) -> str:
    """The stored form of a code, whatever its case and dashes as typed."""
    return token_hash("".join(ch for ch in code.upper() if ch.isalnum()))
