"""DRF throttles of the API: per address, per person, per token, and for writes (issue 10).

They count in the shared cache (Redis in production), whose keys carry the tenant's schema
(`django_tenants.cache.make_key`), so a city's callers never use another city's budget. Rates come
from `settings.API_THROTTLE_RATES` at each request (so tests and operators can change them).
A throttled call is a Portuguese 429 with `Retry-After` (`paco.errors.api_exception_handler`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from paco.client_ip import client_ip
from paco.ratelimit import rate_parse

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope or "")

    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        if rate is None:
            return None, None
        return rate_parse(rate)

    def allow_request(self, request: Request, view: Any) -> bool:
        # the rate is read again at each request (SimpleRateThrottle reads it once per instance)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class AddressRateThrottle(_SettingsRateThrottle):
    """Every call from one address (signed in or not)."""

    scope = "address"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class UserRateThrottle(_SettingsRateThrottle):
    """Every call of one signed-in person (session or token)."""

    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenRateThrottle(_SettingsRateThrottle):
    """Every call made with one API token (a person may hold a token per integration)."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        key = getattr(request.auth, "key", None)
        if not key:
            return None
        ident = hashlib.sha256(str(key).encode()).hexdigest()[:32]  # the token itself never in the cache
        return self.cache_format % {"scope": self.scope, "ident": ident}


class WriteRateThrottle(_SettingsRateThrottle):
    """Calls that create or change something (POST, PUT, PATCH, DELETE), per person or address."""

    scope = "write"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.method in SAFE_METHODS:
            return None
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
