"""The migrated test database, built once and copied (issue: `make test` in its 15 minutes).

Building a test database runs every migration twice (the public schema, then the template schema
the cities are cloned from): ~45 s of one core, nearly all of it Django rendering the migration
states. The first test process that needs a database builds it as before and then keeps a copy,
`paco_tpl_<key>`, on the same PostgreSQL server; every later one (the other pytest-xdist worker,
the next run) creates its database from that copy (`CREATE DATABASE ... TEMPLATE`, a file copy of
a few seconds) and then seeds the demo cities itself, as before (seeding writes files under each
process's own media folder, so only the migrated, unseeded database is shared).

The copy is named after what decides its contents: every installed app's migration files, Django's
and django-tenants' versions, the app lists and the template schema's name. A change to any of
them names another copy, so a stale one is never used; copies left by earlier migrations are
dropped after a day. A file lock (keyed the same) lets one process build while the others wait.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import tempfile
import time
from pathlib import Path
from typing import IO, Any

PREFIX = "paco_tpl_"
READY = "ready"
STALE_SECONDS = 24 * 3600

_lock: IO[str] | None = None
_building = False


def template_key() -> str:
    import django
    import django_tenants
    from django.apps import apps
    from django.conf import settings

    digest = hashlib.sha256()
    for part in (
        django.__version__,
        getattr(django_tenants, "__version__", ""),
        repr(settings.SHARED_APPS),
        repr(settings.TENANT_APPS),
        settings.TENANT_BASE_SCHEMA,
    ):
        digest.update(part.encode())
    for app in sorted(apps.get_app_configs(), key=lambda config: config.name):
        spec = _migrations_spec(app.name)
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{app.name}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _migrations_spec(app_name: str) -> Any:
    try:
        return importlib.util.find_spec(f"{app_name}.migrations")
    except ModuleNotFoundError:  # an app inside a plain module
        return None


def _admin(settings_dict: dict[str, Any]) -> Any:
    """A connection to the server's maintenance database, outside Django and its test database."""
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        autocommit=True,
    )


def _comment(admin: Any, name: str) -> str | None:
    row = admin.execute(
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = %s",
        [name],
    ).fetchone()
    return None if row is None else row[0]


def before_create() -> None:
    """Before pytest-django creates this process's test database: create it from the copy when the
    copy is ready; else this process builds the copy (the lock held until `after_create`)."""
    global _lock, _building
    from django.conf import settings

    default = settings.DATABASES["default"]
    name = PREFIX + template_key()
    _lock = (Path(tempfile.gettempdir()) / f"paco-tests-{name}.lock").open("w")
    fcntl.flock(_lock, fcntl.LOCK_EX)  # until this process's database exists (after_create)
    with _admin(default) as admin:
        comment = _comment(admin, name)
        if comment is not None and comment.startswith(READY):
            default.setdefault("TEST", {})["TEMPLATE"] = name
            return
        if comment is not None:  # a build that did not finish
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    _building = True


def after_create() -> None:
    """After the test database exists and is migrated (public schema): the builder migrates the
    template schema too, then copies the database; everyone lets the next process go."""
    global _lock, _building
    from django.conf import settings
    from django.db import connections

    default = settings.DATABASES["default"]
    default.get("TEST", {}).pop("TEMPLATE", None)  # other databases made later start empty
    try:
        if _building:
            from tenants.services import template_schema_sync

            template_schema_sync()
            name = PREFIX + template_key()
            connections.close_all()  # the copy needs the source without sessions
            with _admin(default) as admin:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{default["NAME"]}"')
                admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{READY} {int(time.time())}'")
                _stale_drop(admin, keep=name)
    finally:
        _building = False
        if _lock is not None:
            fcntl.flock(_lock, fcntl.LOCK_UN)
            _lock.close()
            _lock = None


def _stale_drop(admin: Any, *, keep: str) -> None:
    """Copies of earlier migrations, older than a day (a run on another branch may still use a
    newer one); one in use is left for next time."""
    rows = admin.execute(
        "SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database"
        " WHERE datname LIKE %s AND datname <> %s",
        [PREFIX + "%", keep],
    ).fetchall()
    for name, comment in rows:
        parts = comment.split()
        built = int(parts[1]) if len(parts) == 2 and parts[1].isdigit() else 0
        if time.time() - built > STALE_SECONDS:
            with contextlib.suppress(Exception):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
