"""System checks of the deployment (`manage.py check --deploy`): the database connection arithmetic."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


def connections_needed(shape: dict[str, int]) -> int:
    """Connections open at once: each web worker thread and each job thread holds one (persistent
    connections), each worker process has one more for its scheduler thread."""
    web = shape["web_instances"] * shape["web_workers"] * shape["web_threads"]
    jobs = shape["worker_instances"] * shape["worker_processes"] * (shape["worker_threads"] + 1)
    return web + jobs + shape["reserved"]


@register("connections", deploy=True)
def connection_arithmetic_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    shape = settings.DEPLOY_CONNECTIONS
    needed = connections_needed(shape)
    problems: list[Any] = []
    if needed > shape["max_connections"]:
        problems.append(
            Error(
                f"The deployment needs {needed} database connections at once (web"
                f" {shape['web_instances']}x{shape['web_workers']}x{shape['web_threads']}, jobs"
                f" {shape['worker_instances']}x{shape['worker_processes']}x({shape['worker_threads']}+1),"
                f" {shape['reserved']} reserved) but PostgreSQL allows {shape['max_connections']}.",
                hint="Lower WEB_CONCURRENCY/WORKER_THREADS/instances, raise max_connections"
                " (DATABASE_MAX_CONNECTIONS), or put a pooler (PgBouncer) in front.",
                id="paco.E010",
            )
        )
    database = settings.DATABASES["default"]
    if not database.get("CONN_MAX_AGE"):
        problems.append(
            Warning(
                "CONN_MAX_AGE is 0: every request opens a new database connection.",
                hint="Set DATABASE_CONN_MAX_AGE (production default 60 s).",
                id="paco.W011",
            )
        )
    if "statement_timeout" not in str(database.get("OPTIONS", {}).get("options", "")):
        problems.append(
            Warning(
                "No statement timeout: one runaway query can hold a connection for ever.",
                hint="Set DATABASE_STATEMENT_TIMEOUT_MS (production default 30 s).",
                id="paco.W012",
            )
        )
    return problems
