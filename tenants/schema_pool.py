"""Flat provisioning: a pool of ready schemas renamed on signup, and the template's DDL replayed.

`clone_schema` (django-tenants) reads `information_schema`, whose views scan the whole catalogue:
it slows down as cities accumulate. Two methods whose cost does not depend on the number of
cities replace it:

- **the pool**: schemas `pool_<hex>`, created ahead of time, migrated like the template, empty.
  Signup claims one and renames it (`ALTER SCHEMA ... RENAME TO`), a catalogue update of one row.
  Each pool schema carries, as its PostgreSQL comment, the fingerprint of the template's
  migrations it was made from: after a release migrates the template, the old ones no longer
  match, are never claimed, and the periodic job (`tenants/jobs.py`) and the release command
  drop and replace them. No city is born on an old schema.
- **the blueprint**: the template's DDL and rows, dumped once per release by `pg_dump` (stored in
  `SchemaBlueprint`, keyed by the fingerprint) and replayed into a new schema in one round trip.
  It fills the pool, and provisions directly when the pool is empty.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from paco import clusters

from .models import SchemaBlueprint

logger = logging.getLogger(__name__)

POOL_PREFIX = "pool_"
POOL_COMMENT_PREFIX = "paco-pool:"
SCHEMA_PLACEHOLDER = "__paco_schema__"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class BlueprintUnavailable(RuntimeError):
    """`pg_dump` is missing or failed: the caller falls back to `clone_schema`."""


def _checked(name: str) -> str:
    if not _SCHEMA_NAME.match(name):
        raise ValueError(f"not a schema name: {name!r}")
    return name


def template_fingerprint() -> str:
    """md5 of the template's applied migrations: it changes with every release that migrates."""
    template = _checked(settings.TENANT_BASE_SCHEMA)
    with clusters.control_plane_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT md5(string_agg(app || '.' || name, ',' ORDER BY app, name))"  # noqa: S608
            f' FROM "{template}".django_migrations'
        )
        row = cursor.fetchone()
    if not row or not row[0]:
        raise RuntimeError(f"the template schema {template} has no migrations applied")
    return str(row[0])


def _pg_dump_major(executable: str) -> int:
    try:
        done = subprocess.run(  # noqa: S603 - a pg_dump found on disk, fixed argument
            [executable, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
        return int(done.stdout.split()[-1].split(".")[0])
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
        return 0


def _pg_dump_executable() -> str | None:
    """A pg_dump of the server's major version: the system's (postgresql-client) or the one bundled
    with the embedded server (pgserver), which a machine without PostgreSQL runs (a pg_dump older
    than the server refuses to dump it; a newer one writes SQL an older server may refuse)."""
    candidates = [shutil.which("pg_dump")]
    try:
        import pgserver

        candidates.append(str(Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"))
    except ImportError:
        pass
    found = [path for path in candidates if path and Path(path).exists()]
    server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
    for path in found:
        if _pg_dump_major(path) == server_major:
            return path
    return found[0] if found else None


def _pg_dump_template() -> str:
    """The template schema as SQL (tables, indexes, constraints, functions, triggers, rows as
    INSERTs), its schema name replaced by a placeholder, session-wide SET lines removed."""
    executable = _pg_dump_executable()
    if executable is None:
        raise BlueprintUnavailable("pg_dump is not installed (Debian: postgresql-client)")
    database = clusters.control_plane_connection().settings_dict  # the test database's name in tests
    environment = {**os.environ, "PGPASSWORD": str(database.get("PASSWORD") or "")}
    command = [
        executable,
        "--schema",
        settings.TENANT_BASE_SCHEMA,
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        "--no-publications",
        "--no-subscriptions",
        "--no-security-labels",
        "--no-tablespaces",
        "--inserts",
        "--dbname",
        str(database["NAME"]),
    ]
    # a socket folder given as `?host=` in DATABASE_URL (the demo's embedded server) is in OPTIONS
    options = database.get("OPTIONS") or {}
    host, port = database.get("HOST") or options.get("host"), database.get("PORT") or options.get("port")
    if host:
        command += ["--host", str(host)]
    if port:
        command += ["--port", str(port)]
    if database.get("USER"):
        command += ["--username", str(database["USER"])]
    try:
        done = subprocess.run(  # noqa: S603 - fixed executable and arguments
            command, env=environment, capture_output=True, text=True, timeout=600, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BlueprintUnavailable(f"pg_dump failed: {error}") from error
    if done.returncode != 0:
        raise BlueprintUnavailable(f"pg_dump failed: {done.stderr.strip()[:500]}")
    return blueprint_from_dump(done.stdout, settings.TENANT_BASE_SCHEMA)


def blueprint_from_dump(dump: str, template: str) -> str:
    kept = []
    for line in dump.splitlines():
        if (
            line.startswith(("SET ", "\\", "CREATE SCHEMA "))
            or line.startswith("SELECT pg_catalog.set_config('search_path'")
            or line.startswith("--")
        ):
            continue
        kept.append(line)
    sql = "\n".join(kept)
    # every object of the dump is qualified by the schema's name (pg_dump empties search_path)
    return re.sub(rf'(?<![\w"]){re.escape(template)}\.', f"{SCHEMA_PLACEHOLDER}.", sql)


def blueprint_get(fingerprint: str | None = None) -> str:
    """The template's SQL for `fingerprint` (the current one by default), dumped on first use."""
    fingerprint = fingerprint or template_fingerprint()
    stored = SchemaBlueprint.objects.filter(fingerprint=fingerprint).values_list("sql", flat=True).first()
    if stored is not None:
        return stored
    sql = _pg_dump_template()
    SchemaBlueprint.objects.bulk_create(
        [SchemaBlueprint(fingerprint=fingerprint, sql=sql)], ignore_conflicts=True
    )
    SchemaBlueprint.objects.exclude(fingerprint=fingerprint).delete()
    return sql


def schema_create_from_blueprint(schema_name: str, *, fingerprint: str | None = None) -> None:
    """CREATE SCHEMA and replay the template's SQL in it (inside the caller's transaction)."""
    name = _checked(schema_name)
    sql = blueprint_get(fingerprint)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL check_function_bodies = false")
        cursor.execute(f'CREATE SCHEMA "{name}"')
        cursor.execute(sql.replace(f"{SCHEMA_PLACEHOLDER}.", f'"{name}".'))


@dataclass(frozen=True)
class PoolSchema:
    name: str
    fingerprint: str


def pool_list() -> list[PoolSchema]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname, coalesce(obj_description(oid, 'pg_namespace'), '') FROM pg_namespace"
            " WHERE nspname LIKE %s ORDER BY nspname",
            [POOL_PREFIX.replace("_", "\\_") + "%"],
        )
        rows = cursor.fetchall()
    return [PoolSchema(name, comment.removeprefix(POOL_COMMENT_PREFIX)) for name, comment in rows]


def pool_schema_create(fingerprint: str | None = None) -> str:
    """One more ready schema in the pool (its own transaction); returns its name."""
    fingerprint = fingerprint or template_fingerprint()
    name = f"{POOL_PREFIX}{secrets.token_hex(8)}"
    with transaction.atomic():
        schema_create_from_blueprint(name, fingerprint=fingerprint)
        with connection.cursor() as cursor:
            cursor.execute(f"COMMENT ON SCHEMA \"{name}\" IS '{POOL_COMMENT_PREFIX}{fingerprint}'")
    return name


@dataclass(frozen=True)
class PoolFill:
    created: int
    dropped: int
    ready: int
    seconds: float


def schema_pool_fill(*, size: int | None = None) -> PoolFill:
    """The pool of every cluster open to new cities (paco.clusters: one pool per cluster, since a
    city's schema is renamed from a pool schema of its own cluster); see `_schema_pool_fill_here`."""
    if not clusters.multi_cluster():
        return _schema_pool_fill_here(size=size)
    from .clusters import cluster_prepare, cluster_weights

    total = PoolFill(0, 0, 0, 0.0)
    for alias, weight in cluster_weights().items():
        if weight <= 0:
            continue
        cluster_prepare(alias)
        with clusters.cluster_use(alias):
            done = _schema_pool_fill_here(size=size)
        total = PoolFill(
            total.created + done.created,
            total.dropped + done.dropped,
            total.ready + done.ready,
            total.seconds + done.seconds,
        )
    return total


def _schema_pool_fill_here(*, size: int | None = None) -> PoolFill:
    """Drop the pool schemas made from an older template, then top the pool up to `size`
    (TENANT_SCHEMA_POOL_SIZE), on the current cluster. Safe to run concurrently with signups and
    with itself (a claimed schema is renamed out of the pool; a duplicate fill only overshoots)."""
    started = time.perf_counter()
    target = settings.TENANT_SCHEMA_POOL_SIZE if size is None else size
    fingerprint = template_fingerprint()
    dropped = 0
    fresh = 0
    for schema in pool_list():
        if schema.fingerprint == fingerprint:
            fresh += 1
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [schema.name])
            if cursor.fetchone()[0]:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{_checked(schema.name)}" CASCADE')
                dropped += 1
    created = 0
    for _ in range(max(0, target - fresh)):
        pool_schema_create(fingerprint)
        created += 1
    if created or dropped:
        logger.info("schema pool: %s created, %s dropped, %s ready", created, dropped, fresh + created)
    return PoolFill(created, dropped, fresh + created, time.perf_counter() - started)


def schema_pool_claim(schema_name: str) -> bool:
    """Rename a ready pool schema of the current template to `schema_name`, inside the caller's
    transaction; False when the pool has none (the caller then uses the blueprint)."""
    name = _checked(schema_name)
    fingerprint = template_fingerprint()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s"
            " AND obj_description(oid, 'pg_namespace') = %s ORDER BY nspname LIMIT 20",
            [POOL_PREFIX.replace("_", "\\_") + "%", POOL_COMMENT_PREFIX + fingerprint],
        )
        candidates = [row[0] for row in cursor.fetchall()]
        for candidate in candidates:
            # another signup may hold it (uncommitted rename): skip it rather than wait
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [candidate])
            if not cursor.fetchone()[0]:
                continue
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [candidate])
            if cursor.fetchone() is None:  # claimed and committed since the list was read
                continue
            cursor.execute(f'ALTER SCHEMA "{_checked(candidate)}" RENAME TO "{name}"')
            cursor.execute(f'COMMENT ON SCHEMA "{name}" IS NULL')
            return True
    return False
