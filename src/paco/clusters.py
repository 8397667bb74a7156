"""Cities on several PostgreSQL clusters (issue 19): the thread's `default` connection follows the city.

The control plane (the `public` schema: municipalities, domains, billing, support...) lives on the
database alias `default`. Each city's schema lives on one *cluster*, a database alias named in the
directory (`Municipality.database`; the aliases come from `TENANT_DATABASES`). Application code
never names an alias: when django-tenants points the connection at a city (`set_tenant`, hence
`tenant_context`, `schema_context`, the request and job middlewares), Paço's backend
(`paco.postgresql_backend`) makes the thread's `default` connection *be* that cluster's connection,
so every query, `transaction.atomic()`, `on_commit`, raw cursor and cache key (its prefix is the
connection's schema) of the city goes to the city's cluster; going back to `public` restores the
control plane's connection. Models of control-plane-only apps are routed by `ClusterRouter` to the
control plane's connection (kept under the alias `controlplane`) while a city on another cluster is
active. Without `TENANT_DATABASES` there is one alias and none of this runs: one cluster, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections

CONTROL_PLANE_ALIAS = "controlplane"


def _local() -> Any:
    """The handler's per-thread connections (asgiref Local): where the swap happens."""
    return cast(Any, connections)._connections


# Clusters added while running (`cluster_register`: the tests' second database), besides DATABASES.
_registered: dict[str, dict[str, Any]] = {}


def cluster_register(alias: str, settings_dict: dict[str, Any]) -> None:
    """Add a city cluster at run time (as TENANT_DATABASES does at start): each thread opens its
    own connection to it on first use."""
    _registered[alias] = settings_dict


def cluster_unregister(alias: str) -> None:
    wrapper = getattr(_local(), alias, None)
    if wrapper is not None:
        wrapper.close()
        delattr(_local(), alias)
    _registered.pop(alias, None)


def _all_aliases() -> set[str]:
    return set(connections.settings) | set(_registered)


def multi_cluster() -> bool:
    """More than one database alias configured (TENANT_DATABASES, or one registered at run time)."""
    return bool(_registered) or len(connections.settings) > 1


def cluster_aliases() -> list[str]:
    """Every alias a city may live on: `default` and the tenant clusters."""
    return [DEFAULT_DB_ALIAS] + sorted(alias for alias in _all_aliases() if alias != DEFAULT_DB_ALIAS)


def control_plane_connection() -> Any:
    """This thread's connection to the control-plane database, whatever city is active."""
    local = _local()
    stashed = getattr(local, CONTROL_PLANE_ALIAS, None)
    if stashed is None:
        stashed = connections[DEFAULT_DB_ALIAS]
        setattr(local, CONTROL_PLANE_ALIAS, stashed)
    return stashed


def cluster_connection(alias: str) -> Any:
    """This thread's connection to `alias` (`default`: the control plane's, never a city's)."""
    if alias == DEFAULT_DB_ALIAS:
        return control_plane_connection()
    if alias in _registered:
        wrapper = getattr(_local(), alias, None)
        if wrapper is None:
            from django.db.utils import load_backend

            settings_dict = _registered[alias]
            wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
            setattr(_local(), alias, wrapper)
        return wrapper
    return connections[alias]


def current_cluster() -> str:
    """The alias the thread's `default` connection is serving now."""
    wrapper = getattr(_local(), DEFAULT_DB_ALIAS, None)
    return str(wrapper.alias) if wrapper is not None else DEFAULT_DB_ALIAS


def swapped() -> bool:
    return current_cluster() != DEFAULT_DB_ALIAS


def cluster_switch(alias: str) -> None:
    """Make `alias` the thread's `default` connection (its schema is left as it was)."""
    target = cluster_connection(alias)
    control_plane_connection()  # stashed before the first swap
    setattr(_local(), DEFAULT_DB_ALIAS, target)


@contextmanager
def cluster_use(alias: str) -> Iterator[Any]:
    """Run the block on `alias`'s connection (schema pool, release migration, moves)."""
    previous = current_cluster()
    cluster_switch(alias)
    try:
        yield connections[DEFAULT_DB_ALIAS]
    finally:
        cluster_switch(previous)


def directory_alias(schema_name: str) -> str | None:
    """The cluster of the city whose schema is `schema_name`, read from the directory (None: not a
    city, e.g. the template or a pool schema)."""
    with control_plane_connection().cursor() as cursor:
        cursor.execute(
            "SELECT database FROM public.tenants_municipality WHERE schema_name = %s", [schema_name]
        )
        row = cursor.fetchone()
    return str(row[0]) if row else None


@cache
def _shared_only_labels() -> frozenset[str]:
    from django.apps import apps
    from django.conf import settings

    tenant = set(settings.TENANT_APPS)
    return frozenset(
        config.label
        for config in apps.get_app_configs()
        if config.name in settings.SHARED_APPS and config.name not in tenant
    )


class ClusterRouter:
    """Control-plane-only models to the control plane while a city on another cluster is active."""

    def _route(self, model: Any, hints: dict[str, Any]) -> str | None:
        if swapped() and model._meta.app_label in _shared_only_labels():
            return CONTROL_PLANE_ALIAS
        instance = hints.get("instance")
        if (
            instance is not None
            and getattr(getattr(instance, "_state", None), "db", None) == CONTROL_PLANE_ALIAS
        ):
            # read while a city on another cluster was active (then cached, or passed to another
            # thread): the control plane is `default` again
            return DEFAULT_DB_ALIAS
        return None

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return self._route(model, hints)

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return self._route(model, hints)

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True if multi_cluster() else None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        # a city's schema on another cluster migrates as a city's schema on `default` does
        if db != DEFAULT_DB_ALIAS and db != CONTROL_PLANE_ALIAS:
            from django_tenants.routers import TenantSyncRouter

            return TenantSyncRouter().allow_migrate(DEFAULT_DB_ALIAS, app_label, model_name, **hints)
        return None
