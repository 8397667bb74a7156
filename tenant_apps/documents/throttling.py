"""Limits on verification-code lookups, so codes cannot be guessed by brute force.

Counted per client address in the cache, whose keys carry the tenant's schema name, so each city
counts on its own: 30 lookups in a 10-minute window, then 429 until the window ends.
"""

from __future__ import annotations

from django.core.cache import cache

VERIFY_LOOKUPS_PER_WINDOW = 30
VERIFY_WINDOW_SECONDS = 10 * 60


def verification_lookup_allow(*, client_ip: str) -> bool:
    """Count one lookup from `client_ip`; False once the window's allowance is spent."""
    key = f"documents:verify:{client_ip or 'unknown'}"
    cache.add(key, 0, timeout=VERIFY_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=VERIFY_WINDOW_SECONDS)
        count = 1
    return count <= VERIFY_LOOKUPS_PER_WINDOW
