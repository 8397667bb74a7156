"""The "support session running" flag of a city, kept in the cache so the staff banner costs no
query: written when a session starts and on each of its requests, removed when it ends; it carries
its own end time, so an expired session stops showing even if nobody removed it."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.utils import timezone


def _key(municipality_id: int) -> str:
    return f"support:banner:{municipality_id}"


def banner_set(session: Any, *, until: str) -> None:
    remaining = int((session.expires_at - timezone.now()).total_seconds())
    if remaining <= 0:
        return
    cache.set(
        _key(session.municipality_id),
        {
            "session_id": session.pk,
            "support_name": session.support_name,
            "target_email": session.target_email,
            "target_name": session.target_name,
            "until": until,
            "expires_at": session.expires_at.timestamp(),
        },
        timeout=remaining,
    )


def banner_get(municipality_id: int) -> dict[str, Any] | None:
    value = cache.get(_key(municipality_id))
    if not value or value["expires_at"] <= timezone.now().timestamp():
        return None
    return value


def banner_clear(municipality_id: int) -> None:
    cache.delete(_key(municipality_id))
