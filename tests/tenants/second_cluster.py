"""A second (and third) PostgreSQL "cluster" for the tests of cities on several clusters (issue 19).

Only one PostgreSQL server is available to the tests (the machine's, through DATABASE_URL, or the
embedded one under .data/pg when it is unset), so each extra cluster is **a second database on that
same server** (`<test database>_c2`, `_c3`), registered as a database alias at run time, exactly as
`TENANT_DATABASES` registers one in production. Django's connection to it is its own (another
database, another connection, outside the test's transaction), so nothing a city on it does can
reach the control plane's database except through the alias, as with a separate server. Its rows
are committed (not in the test's transaction): each test drops the schemas it created there when
it ends.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connections

from paco import clusters

SYSTEM_SCHEMAS = ("public", "information_schema")


def _admin_connection(settings_dict: dict) -> psycopg.Connection:
    return psycopg.connect(
        dbname=settings_dict["NAME"],
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        autocommit=True,
    )


def _database_ensure(name: str) -> None:
    with _admin_connection(connections["default"].settings_dict) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            admin.execute(f'CREATE DATABASE "{name}"')


def _schemas_drop(settings_dict: dict) -> None:
    with _admin_connection(settings_dict) as own:
        names = [
            row[0]
            for row in own.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%%' AND nspname <> ALL(%s)",
                [list(SYSTEM_SCHEMAS)],
            ).fetchall()
        ]
        for name in names:
            own.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@contextmanager
def extra_clusters(*aliases: str) -> Iterator[list[str]]:
    """Register `aliases` as city clusters (a database each on the test server), empty; drop what
    the test put there and unregister them at the end."""
    registered = []
    try:
        for alias in aliases:
            settings_dict = copy.deepcopy(connections["default"].settings_dict)
            settings_dict["NAME"] = f"{settings_dict['NAME']}_{alias}"
            settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "NAME": settings_dict["NAME"]}
            settings_dict.pop("SCHEMA", None)
            _database_ensure(settings_dict["NAME"])
            _schemas_drop(settings_dict)  # leftovers of an interrupted run
            clusters.cluster_register(alias, settings_dict)
            registered.append(alias)
        yield registered
    finally:
        from paco.schemas import schema_activate_public

        schema_activate_public()
        for alias in registered:
            settings_dict = clusters._registered[alias]
            clusters.cluster_unregister(alias)
            _schemas_drop(settings_dict)
