"""System check: PgBouncer only in session pooling (or none) in front of a schema-per-city database.

django-tenants sets the city's schema with `SET search_path` on the Django connection, once per
connection and schema (TENANT_LIMIT_SET_CALLS). Behind PgBouncer in transaction pooling, the next
transaction of that Django connection may run on another server connection, whose search_path is
the one another request set: another city's schema. Session pooling gives a client connection the
same server connection until it disconnects (and `DISCARD ALL` before the next client), which is
correct. The deployment states its pooler in DATABASE_POOL_MODE (none, session, transaction);
`transaction` is refused here. tests/tenants/test_pgbouncer.py shows both behaviours on a real
PgBouncer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

ALLOWED_POOL_MODES = ("none", "session")


@register("tenants")
def pool_mode_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    mode = str(getattr(settings, "DATABASE_POOL_MODE", "none")).lower()
    if mode in ALLOWED_POOL_MODES:
        return []
    return [
        Error(
            f"DATABASE_POOL_MODE={mode}: the city's schema is set once per connection (search_path),"
            " so a pooler that hands a connection's transactions to different server connections"
            " would run requests in another city's schema.",
            hint="Run PgBouncer with pool_mode = session (see infra/capacity.md), or no pooler.",
            id="tenants.E001",
        )
    ]
