"""django-tenants' PostgreSQL backend, whose `set_tenant` also picks the city's cluster (paco.clusters)."""

from __future__ import annotations

from typing import Any

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.utils import get_public_schema_name

from paco import clusters


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._paco_ready = False
        super().__init__(*args, **kwargs)
        self._paco_ready = True

    def _paco_target_alias(self, tenant: Any) -> str | None:
        """Where `tenant` lives: its directory entry, `default` for public, None to stay here."""
        if not self._paco_ready or not clusters.multi_cluster():
            return None
        database = getattr(tenant, "database", None)
        if database:
            return str(database)
        if tenant.schema_name == get_public_schema_name():
            return clusters.DEFAULT_DB_ALIAS
        return clusters.directory_alias(tenant.schema_name)  # a city named by its schema alone

    def set_tenant(self, tenant: Any, include_public: bool = True) -> None:
        alias = self._paco_target_alias(tenant)
        if alias is not None:
            target = clusters.cluster_connection(alias)
            if clusters.current_cluster() != alias:
                clusters.cluster_switch(alias)
            if target is not self:
                target.set_tenant(tenant, include_public)
                return
        super().set_tenant(tenant, include_public)
