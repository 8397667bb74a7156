"""The scratch database every bench run creates at the start and drops at the end.

Its name comes from BENCH_DATABASE_NAME (default `paco_bench_<checkout id>`, like the test
database), so two clones benchmarking on one server at the same time keep out of each other's way.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

_CHECKOUT_ID = hashlib.sha1(
    str(Path(__file__).resolve().parents[2]).encode(), usedforsecurity=False
).hexdigest()[:8]
BENCH_DATABASE = os.environ.get("BENCH_DATABASE_NAME", f"paco_bench_{_CHECKOUT_ID}")


def _server_connect(params: dict[str, Any]) -> Any:
    """An autocommit connection to the server's maintenance database (never to the scratch one)."""
    import psycopg

    return psycopg.connect(
        dbname=params["NAME"],
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=str(params["PORT"]) if params.get("PORT") else None,
        autocommit=True,
    )


def database_drop(params: dict[str, Any]) -> None:
    with _server_connect(params) as conn:
        force = " WITH (FORCE)" if conn.info.server_version >= 130000 else ""
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"{force}')


def _database_create(params: dict[str, Any]) -> None:
    if params["NAME"] == BENCH_DATABASE:
        raise SystemExit(f"DATABASE_URL already names {BENCH_DATABASE}; point it at another database")
    database_drop(params)
    with _server_connect(params) as conn:
        conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def scratch_database_create() -> dict[str, Any]:
    """Create the scratch database and point Django's settings at it; return the server's own params."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paco.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no "provisioned municipality" line per city
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url:
        import environ

        server = environ.Env.db_url_config(database_url)
        _database_create(server)
        os.environ["DATABASE_URL"] = urlsplit(database_url)._replace(path=f"/{BENCH_DATABASE}").geturl()
    else:
        # Loading the settings starts (or attaches to) the embedded server; the connections are
        # created lazily from this very dict, so renaming the database here is enough.
        from django.conf import settings

        default = settings.DATABASES["default"]
        server = dict(default)
        _database_create(server)
        default["NAME"] = BENCH_DATABASE
    return server
