"""The directory of clusters (issue 19): where a city's schema lives, where new cities go, and moves.

`Municipality.database` names the database alias of the PostgreSQL cluster holding the city's
schema (`default` is the control plane's own database; others come from `TENANT_DATABASES`).
`paco.clusters` makes every request, job, export and migration of the city run on that alias;
this module chooses the cluster of a new city and moves a city from one cluster to another.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from paco import clusters
from paco.errors import ApplicationError

from .enums import MunicipalityStatus
from .models import Municipality
from .read_only import READ_ONLY_STATUSES

logger = logging.getLogger(__name__)


def cluster_weights() -> dict[str, float]:
    """Each alias's weight for new cities (TENANT_DATABASE_WEIGHTS; 1 when not named, 0 closes it)."""
    configured = settings.TENANT_DATABASE_WEIGHTS
    return {alias: float(configured.get(alias, 1.0)) for alias in clusters.cluster_aliases()}


def cluster_city_counts() -> dict[str, int]:
    counts = dict.fromkeys(clusters.cluster_aliases(), 0)
    for row in Municipality.objects.values("database").annotate(cities=Count("id")):
        counts[row["database"]] = row["cities"]
    return counts


def cluster_choose() -> str:
    """The cluster a new city goes to: the fewest cities per unit of weight (ties: alias order)."""
    if not clusters.multi_cluster():
        return clusters.DEFAULT_DB_ALIAS
    counts = cluster_city_counts()
    open_clusters = [(alias, weight) for alias, weight in cluster_weights().items() if weight > 0]
    if not open_clusters:
        raise ApplicationError(_("Nenhum cluster de banco de dados aceita novos municípios."))
    return min(open_clusters, key=lambda item: (counts.get(item[0], 0) / item[1], item[0]))[0]


def cluster_prepare(alias: str) -> None:
    """Make a city cluster ready for schemas: the control plane's extensions, in its `public`."""
    if alias == clusters.DEFAULT_DB_ALIAS:
        return
    with clusters.control_plane_connection().cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname")
        extensions = [row[0] for row in cursor.fetchall()]
    with clusters.cluster_connection(alias).cursor() as cursor:
        for name in extensions:
            cursor.execute(f'CREATE EXTENSION IF NOT EXISTS "{name}" WITH SCHEMA public')


def _libpq(alias: str) -> tuple[list[str], dict[str, str]]:
    params = clusters.cluster_connection(alias).settings_dict
    arguments = ["--dbname", str(params["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            arguments += [option, str(params[key])]
    return arguments, {**os.environ, "PGPASSWORD": str(params.get("PASSWORD") or "")}


def _executable(name: str, alias: str) -> str:
    from .schema_pool import _pg_dump_executable

    with clusters.cluster_use(alias):
        pg_dump = _pg_dump_executable()
    if pg_dump is None:
        raise ApplicationError(_("pg_dump não está instalado (Debian: postgresql-client)."))
    return str(Path(pg_dump).with_name(name))


def _run(command: list[str], environment: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - fixed executables, arguments built here
        command, env=environment, capture_output=True, text=True, timeout=3600, check=False
    )
    if done.returncode != 0:
        raise ApplicationError(
            _("Falha ao copiar o esquema: %(detail)s") % {"detail": done.stderr.strip()[:500]}
        )


def schema_exists_on(alias: str, schema_name: str) -> bool:
    with clusters.cluster_connection(alias).cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


def schema_contents(alias: str, schema_name: str) -> dict[str, tuple[int, str]]:
    """Every table of the schema: its row count and an md5 of its rows (order-independent)."""
    found: dict[str, tuple[int, str]] = {}
    with clusters.cluster_connection(alias).cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema_name]
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            digest_sql = "coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '')"
            cursor.execute(f'SELECT count(*), {digest_sql} FROM "{schema_name}"."{table}" t')  # noqa: S608
            count, digest = cursor.fetchone()
            found[table] = (int(count), str(digest))
    return found


def _sequences(alias: str, schema_name: str) -> dict[str, int]:
    with clusters.cluster_connection(alias).cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = %s",
            [schema_name],
        )
        return {name: int(value) for name, value in cursor.fetchall()}


def _drop_schema(alias: str, schema_name: str) -> None:
    with clusters.cluster_connection(alias).cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


@dataclass
class MoveReport:
    slug: str
    source: str
    target: str
    tables: int = 0
    rows: int = 0
    read_only_seconds: float = 0.0
    seconds: float = 0.0
    steps: list[str] = field(default_factory=list)


def _status_set(municipality: Municipality, status: str) -> None:
    from .services import municipality_set_status

    with clusters.cluster_use(clusters.DEFAULT_DB_ALIAS), transaction.atomic():
        municipality_set_status(municipality=municipality, status=status)


def municipality_move(
    *,
    municipality: Municipality,
    target: str,
    settle_seconds: float = 2.0,
    keep_source: bool = False,
    progress: Callable[[str], None] | None = None,
) -> MoveReport:
    """Move a city's schema to the cluster `target`, in one call:

    1. the city turns read-only (writes refused with the read-only page; reads go on) and the
       requests already writing get `settle_seconds` to finish;
    2. `pg_dump` of its schema on the source, `pg_restore` on the target (sessions, API tokens,
       cases, documents, hash chains and sequences come along; files live in storage under the
       schema's name, which does not change);
    3. check: every table's row count and an md5 of its rows, and the sequences, equal on both
       sides (a job that wrote meanwhile makes them differ: the copy is dropped and the move refused);
    4. switch the directory (`Municipality.database`) and give the city back its status;
    5. drop the old copy (unless `keep_source`).
    """
    started = time.perf_counter()
    source = municipality.database
    schema = municipality.schema_name
    say = progress or (lambda line: None)
    if target not in clusters.cluster_aliases():
        raise ApplicationError(_("Cluster desconhecido: %(alias)s.") % {"alias": target})
    if target == source:
        raise ApplicationError(_("O município já está nesse cluster."))
    if not schema_exists_on(source, schema):
        raise ApplicationError(_("O esquema %(schema)s não existe na origem.") % {"schema": schema})
    if schema_exists_on(target, schema):
        raise ApplicationError(
            _("O esquema %(schema)s já existe no destino: remova-o antes de mover.") % {"schema": schema}
        )
    report = MoveReport(municipality.slug, source, target)
    cluster_prepare(target)
    previous_status = municipality.status
    made_read_only = previous_status not in READ_ONLY_STATUSES
    read_only_since = time.perf_counter()
    if made_read_only:
        _status_set(municipality, MunicipalityStatus.READ_ONLY)
        say(f"{municipality.slug}: somente consulta")
        time.sleep(settle_seconds)
    restored = False
    try:
        dump_args, dump_env = _libpq(source)
        restore_args, restore_env = _libpq(target)
        with tempfile.TemporaryDirectory(prefix="paco-move-") as directory:
            dump = str(Path(directory) / f"{schema}.dump")
            _run(
                [
                    _executable("pg_dump", source),
                    "--format=custom",
                    "--schema",
                    schema,
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    dump,
                    *dump_args,
                ],
                dump_env,
            )
            say(f"{schema}: copiado de {source}")
            _run(
                [
                    _executable("pg_restore", target),
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    *restore_args,
                    dump,
                ],
                restore_env,
            )
            restored = True
            say(f"{schema}: restaurado em {target}")
        before = schema_contents(source, schema)
        after = schema_contents(target, schema)
        if before != after or _sequences(source, schema) != _sequences(target, schema):
            differing = sorted(
                table for table in set(before) | set(after) if before.get(table) != after.get(table)
            )
            raise ApplicationError(
                _("A cópia difere da origem (%(tables)s): movimentação cancelada.")
                % {"tables": ", ".join(differing[:5]) or _("sequências")}
            )
        report.tables = len(after)
        report.rows = sum(count for count, _digest in after.values())
        with clusters.cluster_use(clusters.DEFAULT_DB_ALIAS), transaction.atomic():
            from .services import _municipality_hosts_invalidate

            row = Municipality.objects.select_for_update().get(pk=municipality.pk)
            row.database = target
            row.save(update_fields=["database", "updated_at"])
            _municipality_hosts_invalidate(row)
        municipality.database = target
        say(f"{municipality.slug}: diretório aponta para {target}")
    except Exception:
        if restored:
            _drop_schema(target, schema)
        raise
    finally:
        if made_read_only:
            _status_set(municipality, previous_status)
            report.read_only_seconds = time.perf_counter() - read_only_since
    if not keep_source:
        _drop_schema(source, schema)
        say(f"{schema}: cópia antiga removida de {source}")
    report.seconds = time.perf_counter() - started
    logger.info(
        "moved %s from %s to %s: %s tables, %s rows, read-only %.1f s",
        municipality.slug,
        source,
        target,
        report.tables,
        report.rows,
        report.read_only_seconds,
    )
    return report


def cluster_summary() -> list[dict[str, Any]]:
    """Each cluster, its weight and its number of cities (the capacity plan's first figures)."""
    counts = cluster_city_counts()
    return [
        {"alias": alias, "weight": weight, "cities": counts.get(alias, 0)}
        for alias, weight in cluster_weights().items()
    ]
