"""Secrets at rest (for example a city's gov.br client secret): Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first, so a key can
be rotated); without it, one is derived from SECRET_KEY. The plaintext never reaches a log, an
export or an API answer: only the service that needs it calls `decrypt`.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    keys = [key for key in getattr(settings, "FIELD_ENCRYPTION_KEYS", []) if key]
    if not keys:
        derived = hashlib.sha256(b"paco-field-encryption:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode() if plaintext else ""


def decrypt(ciphertext: str) -> str:
    """The plaintext, or "" when there is none or the key that sealed it is gone."""
    if not ciphertext:
        return ""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        return ""
