"""Secret tokens sent to people (links, API keys): made here, and stored only as their SHA-256.

The raw token travels once (an e-mail, a one-time link, a key printed once); the database keeps
`token_hash(token)`, so a copy of the database opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def token_new(*, nbytes: int = TOKEN_BYTES) -> str:
    """A URL-safe random token (43 characters for the default 32 bytes)."""
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) a token is stored and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()
