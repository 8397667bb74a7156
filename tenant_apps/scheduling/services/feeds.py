"""The staff member's private calendar feed (its URL token is shown once, stored hashed)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from paco.errors import AccessDenied
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User

from ..models import CalendarFeed


def feed_token_hash(*, token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, user: User) -> tuple[CalendarFeed, str]:
    """A new private feed URL token (shown once); any previous one of the person stops working."""
    if getattr(user, "kind", None) != UserKind.STAFF:
        raise AccessDenied
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now, updated_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_hash=feed_token_hash(token=token))
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> int:
    now = timezone.now()
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
