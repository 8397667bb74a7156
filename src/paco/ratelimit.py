"""Rate limits that fit a city hall, on the shared cache (its keys carry the tenant's schema).

- `rate_hit(bucket, ident, rate)`: counts one hit in a fixed window; returns the seconds to wait when
  over the limit (else None). `rate_peek` tells without counting.
- `rate_limited(bucket)`: a view decorator limiting the POSTs of a form that creates or sends
  something, per signed-in person or, for anonymous callers, per address; rates in
  `settings.FORM_RATE_LIMITS`.
- `too_many_requests(request, wait)`: the Portuguese 429 page with `Retry-After`.

Rates are written `"<count>/<period>"` with the period `s`, `min`, `h` or `d`, optionally preceded by a
multiplier: `"20/15min"` is 20 per 15 minutes.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from paco.client_ip import client_ip

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour|d|day)s?\s*$")
_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
_SECONDS |= {"d": 86400, "day": 86400}


def rate_parse(rate: str) -> tuple[int, int]:
    """`"20/15min"` -> (20, 900)."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"invalid rate {rate!r}")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _SECONDS[unit]


def _key(bucket: str, ident: str, window: int, now: float) -> tuple[str, int]:
    start = int(now) - int(now) % window
    return f"ratelimit:{bucket}:{ident}:{start}", start + window


def rate_peek(bucket: str, ident: str, rate: str) -> int | None:
    """Seconds to wait if `ident` is already over `rate` in `bucket` (counts nothing)."""
    limit, window = rate_parse(rate)
    now = time.time()
    key, ends = _key(bucket, ident, window, now)
    if int(cache.get(key, 0)) >= limit:
        return max(1, int(ends - now))
    return None


def rate_hit(bucket: str, ident: str, rate: str) -> int | None:
    """Count one hit; the seconds to wait when this hit is over the limit, else None."""
    limit, window = rate_parse(rate)
    now = time.time()
    key, ends = _key(bucket, ident, window, now)
    cache.add(key, 0, window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 1)
        count = 1
    if count > limit:
        return max(1, int(ends - now))
    return None


def requester_ident(request: HttpRequest) -> str:
    """The signed-in person, else the caller's address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"addr:{client_ip(request)}"


def too_many_requests(request: HttpRequest, wait: int) -> HttpResponse:
    minutes = max(1, (wait + 59) // 60)
    response = render(
        request,
        "429.html",
        {
            "title": _("Muitas tentativas em pouco tempo"),
            "message": _(
                "Por segurança, este formulário aceita um número limitado de envios. Tente de novo em"
                " %(minutes)d minuto(s)."
            )
            % {"minutes": minutes},
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def rate_limited(bucket: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view's POSTs to `settings.FORM_RATE_LIMITS[bucket]` per person (or address)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                wait = rate_hit(f"form:{bucket}", requester_ident(request), settings.FORM_RATE_LIMITS[bucket])
                if wait is not None:
                    return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
