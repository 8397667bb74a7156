"""Migrate every city's schema in one release: plan once, apply everywhere, check the catalogue.

`migrate_schemas` runs Django's whole `migrate` command once per schema: it loads the migration
graph, renders the project state and introspects, for each of 5,570 schemas. Here:

1. **Plan once.** The plan (the tenant migrations the template has not applied) is computed on the
   template schema, and its SQL collected once (`MigrationExecutor.collect_sql`, as `sqlmigrate`
   does). Django emits unqualified names, so the same SQL applies to any schema on its search path.
   A plan with a `RunPython` (code, not a no-op) or a non-atomic migration cannot be replayed as
   SQL: those schemas go through Django's executor, one by one, still over the pool.
2. **Apply everywhere.** A pool of worker threads, each with its own connection, takes schemas
   from a queue. Each schema is one transaction: `SET LOCAL search_path`, the SQL, and the
   `django_migrations` rows, as Django records them. Where each schema stands is read first,
   in batches (an md5 of its applied migrations): a schema already at the target is skipped, so
   a rerun after a crash resumes where it stopped. One failing schema is reported and rolled back;
   the others go on; the command exits non-zero at the end.
3. **Check.** Every schema's catalogue fingerprint (tables, columns and types, indexes,
   constraints) is compared with the template's; differences are reported.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations.special import RunPython
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_exists

from paco import clusters
from paco.schemas import schema_activate_public, schema_set

from .schema_pool import _checked

logger = logging.getLogger(__name__)

BATCH = 200  # schemas whose state is read in one query


def _applied_md5_sql(schemas: Sequence[str]) -> str:
    parts = [
        f"SELECT '{name}', (SELECT md5(string_agg(app || '.' || name, ',' ORDER BY app, name))"  # noqa: S608
        f' FROM "{name}".django_migrations)'
        for name in (_checked(schema) for schema in schemas)
    ]
    return " UNION ALL ".join(parts)


def schema_clusters(schemas: Sequence[str]) -> dict[str, list[str]]:
    """The schemas grouped by the cluster holding them (the directory; one group without clusters)."""
    if not clusters.multi_cluster():
        return {DEFAULT_DB_ALIAS: list(schemas)}
    where = dict(
        get_tenant_model().objects.filter(schema_name__in=schemas).values_list("schema_name", "database")
    )
    grouped: dict[str, list[str]] = {}
    for schema in schemas:
        grouped.setdefault(where.get(schema, DEFAULT_DB_ALIAS), []).append(schema)
    return grouped


def applied_fingerprints(schemas: Sequence[str]) -> dict[str, str | None]:
    """md5 of each schema's applied migrations, read in batches of BATCH schemas per query, on the
    cluster of each."""
    found: dict[str, str | None] = {}
    for alias, group in schema_clusters(schemas).items():
        with clusters.cluster_use(alias):
            found.update(_applied_fingerprints_here(group))
    return found


def _applied_fingerprints_here(schemas: Sequence[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(schemas), BATCH):
            cursor.execute(_applied_md5_sql(schemas[start : start + BATCH]))
            found.update({name: value for name, value in cursor.fetchall()})
    return found


def _md5_of(names: Iterable[tuple[str, str]]) -> str:
    import hashlib

    joined = ",".join(sorted(f"{app}.{name}" for app, name in names))
    return hashlib.md5(joined.encode(), usedforsecurity=False).hexdigest()


CATALOGUE_SQL = """
SELECT 'col:' || c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod)
       || ':' || a.attnotnull AS item
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = %(ns)s::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0
   AND NOT a.attisdropped
UNION ALL
SELECT 'idx:' || c.relname || ':' || replace(pg_get_indexdef(c.oid), %(prefix)s, '')
  FROM pg_class c WHERE c.relnamespace = %(ns)s::regnamespace AND c.relkind = 'i'
UNION ALL
SELECT 'con:' || coalesce((SELECT relname FROM pg_class WHERE oid = conrelid), '') || ':' || conname
       || ':' || replace(pg_get_constraintdef(oid), %(prefix)s, '')
  FROM pg_constraint WHERE connamespace = %(ns)s::regnamespace
"""


def catalogue_items(schema: str) -> list[str]:
    """The schema's tables, columns (type, nullability), indexes and constraints, as sorted text
    with its own name taken out, so two schemas built alike list the same items."""
    name = _checked(schema)
    with connection.cursor() as cursor:
        cursor.execute(CATALOGUE_SQL, {"ns": f'"{name}"', "prefix": f"{name}."})
        return sorted(_normalized(str(row[0])) for row in cursor.fetchall())


_CAST = re.compile(r"::[a-z_ ]+(\[\])?")


def _normalized(item: str) -> str:
    """Casts and parentheses out: PostgreSQL prints a predicate it parsed back from a dump
    (`ARRAY['a'::varchar]::text[]`) differently from the one it was first given, meaning the same."""
    return _CAST.sub("", item).replace("(", "").replace(")", "")


def catalogue_fingerprint(schema: str) -> str:
    import hashlib

    joined = "\n".join(catalogue_items(schema))
    return hashlib.md5(joined.encode(), usedforsecurity=False).hexdigest()


def catalogue_fingerprints(schemas: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for alias, group in schema_clusters(schemas).items():
        with clusters.cluster_use(alias), transaction.atomic(using=alias):
            found.update({schema: catalogue_fingerprint(schema) for schema in group})
    return found


@dataclass
class Plan:
    migrations: list[tuple[str, str]]  # (app, name), in order
    sql: list[str]  # empty when `replayable` is False
    replayable: bool
    reason: str
    before: str  # md5 of the applied migrations the plan starts from (the template's)
    after: str  # and the one it ends at


def plan_build() -> Plan:
    """The tenant migrations the template lacks, and their SQL (collected once)."""
    template = settings.TENANT_BASE_SCHEMA
    schema_set(template, include_public=False)
    try:
        executor = MigrationExecutor(connection)
        targets = executor.loader.graph.leaf_nodes()
        plan = executor.migration_plan(targets)
        applied = set(executor.recorder.applied_migrations())
        names = [(migration.app_label, migration.name) for migration, _backwards in plan]
        reason = ""
        for migration, backwards in plan:
            if backwards:
                reason = f"{migration.app_label}.{migration.name} is unapplied"
            elif not migration.atomic:
                reason = f"{migration.app_label}.{migration.name} is not atomic"
            elif any(
                isinstance(operation, RunPython) and operation.code is not RunPython.noop
                for operation in migration.operations
            ):
                reason = f"{migration.app_label}.{migration.name} runs Python code"
            if reason:
                break
        statements: list[str] = []
        if plan and not reason:
            statements = [
                line
                for line in executor.loader.collect_sql(plan)
                if line.strip() and not line.lstrip().startswith("--")
            ]
        return Plan(
            migrations=names,
            sql=statements,
            replayable=not reason,
            reason=reason,
            before=_md5_of(applied),
            after=_md5_of(applied | set(names)),
        )
    finally:
        schema_activate_public()


@dataclass
class Outcome:
    schema: str
    status: str  # migrated | skipped | failed
    seconds: float = 0.0
    error: str = ""


def _apply_sql(schema: str, plan: Plan) -> None:
    name = _checked(schema)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        previous = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('search_path', %s, true)", [f'"{name}"'])
        for statement in plan.sql:
            cursor.execute(statement)
        # back to what django-tenants set (SET LOCAL would last to the end of a caller's transaction)
        cursor.execute("SELECT set_config('search_path', %s, true)", [previous])
        cursor.executemany(
            f'INSERT INTO "{name}".django_migrations (app, name, applied) VALUES (%s, %s, now())',  # noqa: S608
            plan.migrations,
        )


def _apply_executor(schema: str) -> None:
    """Django's executor on one schema, in one transaction (the fallback for Python migrations)."""
    schema_set(_checked(schema), include_public=False)
    try:
        with transaction.atomic():
            executor = MigrationExecutor(connection)
            targets = executor.loader.graph.leaf_nodes()
            executor.migrate(targets)
    finally:
        schema_activate_public()


@dataclass
class Report:
    plan: Plan
    outcomes: list[Outcome] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    checked: int = 0
    seconds: float = 0.0
    check_seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]


def tenant_schemas() -> list[str]:
    public = get_public_schema_name()
    names = get_tenant_model().objects.exclude(schema_name=public).values_list("schema_name", flat=True)
    return sorted(names)


def release_migrate(
    *,
    workers: int | None = None,
    schemas: Sequence[str] | None = None,
    check: bool = True,
    fail_on: Callable[[str], bool] | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> Report:
    """Migrate `schemas` (every city's by default) then the template; see the module's text."""
    started = time.perf_counter()
    workers = settings.TENANT_MULTIPROCESSING_MAX_PROCESSES if workers is None else workers
    if not schema_exists(settings.TENANT_BASE_SCHEMA):  # the first release: nothing to plan from
        from .services import template_schema_sync

        template_schema_sync()
    plan = plan_build()
    cities = list(schemas) if schemas is not None else tenant_schemas()
    template = settings.TENANT_BASE_SCHEMA
    report = Report(plan=plan)
    states = applied_fingerprints(cities)
    cluster_of = {schema: alias for alias, group in schema_clusters(cities).items() for schema in group}
    todo: queue.Queue[str] = queue.Queue()
    for schema in cities:
        if states.get(schema) == plan.after:
            report.outcomes.append(Outcome(schema, "skipped"))
        else:
            todo.put(schema)
    lock = threading.Lock()

    def work(own_connection: bool) -> None:
        try:
            while True:
                try:
                    schema = todo.get_nowait()
                except queue.Empty:
                    return
                begun = time.perf_counter()
                try:
                    if fail_on is not None and fail_on(schema):
                        raise RuntimeError(f"refused by fail_on for {schema}")
                    with clusters.cluster_use(cluster_of.get(schema, DEFAULT_DB_ALIAS)):
                        if plan.replayable and states.get(schema) == plan.before:
                            _apply_sql(schema, plan)
                        else:
                            _apply_executor(schema)
                    outcome = Outcome(schema, "migrated", time.perf_counter() - begun)
                except Exception as error:  # noqa: BLE001 - reported; the other schemas go on
                    logger.exception("migrating schema %s failed", schema)
                    outcome = Outcome(
                        schema, "failed", time.perf_counter() - begun, f"{type(error).__name__}: {error}"
                    )
                with lock:
                    report.outcomes.append(outcome)
                if progress is not None:
                    progress(outcome)
        finally:
            if own_connection:
                connections.close_all()

    if workers == 0:  # on the caller's connection, in its transaction (tests)
        work(own_connection=False)
    elif not todo.empty():
        threads = [
            threading.Thread(target=work, args=(True,), name=f"migrate-{index}") for index in range(workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # the template last: a crash before this line leaves the plan computable on the next run
    if plan.migrations:
        if plan.replayable:
            _apply_sql(template, plan)
        else:
            _apply_executor(template)
    report.seconds = time.perf_counter() - started
    if check:
        begun = time.perf_counter()
        expected = catalogue_fingerprint_of_template()
        found = catalogue_fingerprints(cities)
        report.checked = len(found)
        report.mismatched = sorted(schema for schema, value in found.items() if value != expected)
        report.check_seconds = time.perf_counter() - begun
    return report


def catalogue_fingerprint_of_template() -> str:
    with transaction.atomic():
        return catalogue_fingerprint(settings.TENANT_BASE_SCHEMA)


def report_lines(report: Report) -> list[str]:
    plan = report.plan
    how = "replayed as SQL" if plan.replayable else f"Django's executor per schema ({plan.reason})"
    lines = [
        f"plan: {len(plan.migrations)} migration(s), {len(plan.sql)} SQL statement(s), {how}",
        f"schemas: {report.count('migrated')} migrated, {report.count('skipped')} already done,"
        f" {report.count('failed')} failed, in {report.seconds:.1f} s",
    ]
    lines += [f"FAILED {outcome.schema}: {outcome.error}" for outcome in report.failed]
    if report.checked:
        lines.append(
            f"catalogue check: {report.checked - len(report.mismatched)}/{report.checked} schemas match the"
            f" template ({report.check_seconds:.1f} s)"
        )
        lines += [
            f"MISMATCH {schema}: tables, columns or indexes differ from the template"
            for schema in report.mismatched
        ]
    return lines
