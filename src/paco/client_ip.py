"""The address of the person behind a request, for throttling (logins, verification, filings)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address for login throttling, trusting only `TRUSTED_PROXY_COUNT` proxies.

    Each trusted proxy appends the address it received from; the entry before the last
    `TRUSTED_PROXY_COUNT - 1` is therefore the client. Anything further left is client-supplied.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [
        part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()
    ]
    if len(forwarded) < trusted:
        return remote
    return forwarded[-trusted]
