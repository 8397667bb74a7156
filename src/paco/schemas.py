"""Typed access to the schema the database connection is serving (django-tenants' wrapper)."""

from __future__ import annotations

from typing import Any, cast

from django.db import connection


def _tenant_connection() -> Any:
    return cast(Any, connection)


def current_schema_name() -> str:
    return str(_tenant_connection().schema_name)


def schema_activate_public() -> None:
    _tenant_connection().set_schema_to_public()


def tenant_activate(tenant: Any) -> None:
    _tenant_connection().set_tenant(tenant)


def current_tenant() -> Any:
    """The municipality the connection is serving (django-tenants' FakeTenant in `public`)."""
    return _tenant_connection().tenant


def schema_set(schema_name: str, *, include_public: bool = True) -> None:
    """Point the connection at one schema by name (migrations, exports: no tenant row needed)."""
    _tenant_connection().set_schema(schema_name, include_public=include_public)
