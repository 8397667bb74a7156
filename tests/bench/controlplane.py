"""Control-plane benches: many cities back to back, one migration over every schema, and signup.

- cities: BENCH_CITIES_N cities provisioned one after the other by clone
  (`tenants.services.municipality_provision`, an org chart of 8 units and an admin each, fictitious
  IBGE codes 993xxxx). Prints the total, per-city p50/p95/max, the first-tenth vs last-tenth
  median (does provisioning slow down as the catalogue grows?), the split per step (the `on_step`
  callback), the database size and the number of relations and schemas before and after. Each
  city gets a fresh database connection, as each provisioning job does in a worker;
  BENCH_CITIES_REUSE_CONNECTION=1 keeps one connection for all, and then clone_schema gets slower
  with every clone the same PostgreSQL backend has done (about 1 s -> 8 s after 37 clones, measured
  on 2 CPUs; flat at about 1 s with a connection per clone).
- migrate500: a throwaway tenant app (`bench_migration`, written into a temporary directory and
  installed by tests/bench/migration_settings.py) whose 0001 creates a small table and fills it
  with BENCH_MIGRATE_ROWS rows, so the template and every cloned schema have it. First, on the
  schemas that exist (at least BENCH_MIGRATE_SAMPLE), one migration is applied with
  `--executor=standard` and the next with `--executor=multiprocessing` (same shape: a column with
  a default and an index) for a ratio; then the template is synced, more cities are added until
  there are BENCH_MIGRATE_SCHEMAS tenant schemas (BENCH_MIGRATE_GROWTH: `copy`, the default, restores
  a `pg_dump --schema` of the template under each new name, about 0.5 s each, and adds the
  Municipality and Domain rows; `clone` runs municipality_provision for each, whose clone_schema
  also slows down as schemas accumulate, about 1 s at 10 schemas and 3.3 s at 100, so 500 take
  most of an hour), and ONE new migration is applied to all of them
  by `src/manage.py migrate_schemas --noinput --executor=multiprocessing` in a subprocess
  (TENANT_MIGRATION_PROCESSES = the CPU count). Prints the wall time, the time per schema, the
  linear extrapolation to Brazil's 5,570 municipalities, and how many schemas have the new column
  and index afterwards (information_schema, pg_indexes).
- onboarding: the path from the signup form to a live portal through the real code, BENCH_SIGNUP_N
  times: the POST of the signup form on the control-plane host, the e-mail verification, the
  provisioning job body, the first GET of the new city's portal.

Times are printed, never asserted. Knobs (environment): BENCH_CITIES_N (default 100),
BENCH_MIGRATE_SCHEMAS (500), BENCH_MIGRATE_SAMPLE (50; 0 skips the ratio), BENCH_MIGRATE_ROWS
(1000), BENCH_MIGRATE_GROWTH (copy | clone), BENCH_CITIES_REUSE_CONNECTION (unset), BENCH_SIGNUP_N (5).
"""

from __future__ import annotations

import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.bench.figures import percentile, ratio

CITIES_N = int(os.environ.get("BENCH_CITIES_N", "100"))
MIGRATE_SCHEMAS = int(os.environ.get("BENCH_MIGRATE_SCHEMAS", "500"))
MIGRATE_SAMPLE = int(os.environ.get("BENCH_MIGRATE_SAMPLE", "50"))
MIGRATE_ROWS = int(os.environ.get("BENCH_MIGRATE_ROWS", "1000"))
MIGRATE_GROWTH = os.environ.get("BENCH_MIGRATE_GROWTH", "copy")  # or "clone"
REUSE_CONNECTION = os.environ.get("BENCH_CITIES_REUSE_CONNECTION", "") == "1"
CITIES_METHOD = os.environ.get("BENCH_CITIES_METHOD", "pool")  # pool | blueprint | clone
POOL_BATCH = 20  # pool schemas created per fill in the cities bench
EDGE = int(os.environ.get("BENCH_CITIES_EDGE", "100"))  # the first EDGE and the last EDGE cities are timed
COPY_BATCH = 10  # schemas restored per psql call
SIGNUP_N = int(os.environ.get("BENCH_SIGNUP_N", "5"))
BRAZIL_MUNICIPALITIES = 5570
ROOT = Path(__file__).resolve().parents[2]
MIGRATION_SETTINGS = "tests.bench.migration_settings"
APP = "bench_migration"
TABLE = f"{APP}_benchrecord"
MB = 1024 * 1024


# --- the cities ----------------------------------------------------------------------------------

PRIMARY_COLORS = ("#0b4f9c", "#1b6e3a", "#7a1f5c", "#c25e00", "#255f85", "#5b3f8c", "#2f6f4e", "#8c2d19")
SECONDARY_COLORS = ("#f2b705", "#c8102e", "#ffcd07", "#e0e0e0", "#00a3a3", "#ff7f50", "#d4af37", "#4caf50")
STATES = ("SE", "RS", "BA", "MG", "PE", "PR", "GO", "PA")


def city_spec(index: int) -> Any:
    """City number `index` (1..9999): a realistic small prefeitura with 8 units and an admin."""
    from tenants.services import AdminSpec, MunicipalitySpec, OrgUnitSpec

    slug = f"bench-city-{index}"
    return MunicipalitySpec(
        slug=slug,
        name=f"Cidade de Bancada {index}",
        display_name=f"Prefeitura Municipal de Cidade de Bancada {index}",
        # Fictitious IBGE codes (9 is no state's prefix); foundation uses 991xxxx and 992xxxx.
        ibge_code=f"993{index:04d}",
        state=STATES[index % len(STATES)],
        population=5_000 + 37 * index,
        primary_color=PRIMARY_COLORS[index % len(PRIMARY_COLORS)],
        secondary_color=SECONDARY_COLORS[index % len(SECONDARY_COLORS)],
        org_chart=(
            OrgUnitSpec("40001", "SEAD", "Secretaria Municipal de Administração", "secretaria"),
            OrgUnitSpec("40002", "SEAD-PROT", "Protocolo Geral", "setor", parent="SEAD"),
            OrgUnitSpec("40003", "SEFAZ", "Secretaria Municipal da Fazenda", "secretaria"),
            OrgUnitSpec("40004", "SEFAZ-TRIB", "Coordenadoria de Tributos", "setor", parent="SEFAZ"),
            OrgUnitSpec("40005", "SEMED", "Secretaria Municipal da Educação", "secretaria"),
            OrgUnitSpec("40006", "SMS", "Secretaria Municipal da Saúde", "secretaria"),
            OrgUnitSpec("40007", "SEMAS", "Secretaria Municipal de Assistência Social", "secretaria"),
            OrgUnitSpec("40008", "CGM", "Controladoria-Geral do Município", "controladoria"),
        ),
        admin=AdminSpec(f"admin@{slug}.gov.br", "Administradora Municipal", "Bancada#Admin2026", unit="SEAD"),
    )


@dataclass
class CatalogFigures:
    database_bytes: int
    relations: int
    schemas: int
    tenant_schemas: int


def catalog_figures() -> CatalogFigures:
    from django.db import connection

    from tenants.models import Municipality

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_database_size(current_database()), (SELECT count(*) FROM pg_class),"
            " (SELECT count(*) FROM pg_namespace"
            "  WHERE nspname NOT LIKE 'pg\\_%%' AND nspname <> 'information_schema')"
        )
        database_bytes, relations, schemas = cursor.fetchone()
    tenants = Municipality.objects.exclude(schema_name="public").count()
    return CatalogFigures(database_bytes, relations, schemas, tenants)


@dataclass
class ProvisionRun:
    label: str
    seconds: list[float] = field(default_factory=list)
    steps: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    before: CatalogFigures | None = None
    after: CatalogFigures | None = None
    wall: float = 0.0
    pool_fill: list[float] = field(default_factory=list)  # seconds per pool schema created


def cities_provision(first: int, last: int, label: str, method: str = "clone") -> ProvisionRun:
    """Provision cities first..last (inclusive) back to back (`method`: clone, pool, blueprint).

    With `pool`, the pool is topped up (schema_pool_fill, POOL_BATCH at a time) whenever it is
    empty, outside the timed part, as the periodic job does between signups: every signup is on a
    warm pool. The fill's time per schema is recorded as the step `pool fill (per schema)`.
    """
    from django.db import connection

    from tenants.schema_pool import pool_list, schema_pool_fill, template_fingerprint
    from tenants.services import municipality_provision

    run = ProvisionRun(label)
    run.before = catalog_figures()

    def on_step(name: str, seconds: float) -> None:
        run.steps[name].append(seconds)

    wall_started = time.perf_counter()
    fill_seconds = 0.0
    for index in range(first, last + 1):
        if not REUSE_CONNECTION:
            connection.close()  # each provisioning job gets a fresh connection in the worker
        if method == "pool":
            fingerprint = template_fingerprint()
            if not any(schema.fingerprint == fingerprint for schema in pool_list()):
                fill = schema_pool_fill(size=POOL_BATCH)
                fill_seconds += fill.seconds
                run.pool_fill.extend([fill.seconds / max(fill.created, 1)] * fill.created)
        started = time.perf_counter()
        municipality_provision(spec=city_spec(index), method=method, on_step=on_step)  # type: ignore[arg-type]
        run.seconds.append(time.perf_counter() - started)
    run.wall = time.perf_counter() - wall_started - fill_seconds
    run.after = catalog_figures()
    return run


def provision_report(run: ProvisionRun) -> None:
    values = run.seconds
    count = len(values)
    print(f"\n{run.label}")
    if not count:
        print("  nothing to provision")
        return
    print(f"  total {run.wall:.1f} s for {count} cities, {count / run.wall:.2f} cities/s")
    print(
        f"  per city (s): p50 {percentile(values, 0.5):.3f}  p95 {percentile(values, 0.95):.3f}"
        f"  max {max(values):.3f}  mean {statistics.fmean(values):.3f}"
    )
    if count >= 10:
        tenth = count // 10
        early, late = values[:tenth], values[-tenth:]
        print(
            f"  first {tenth} vs last {tenth} cities, median: {statistics.median(early):.3f} s vs"
            f" {statistics.median(late):.3f} s ({ratio(statistics.median(late), statistics.median(early))})"
        )
    print("\n  per-step split (on_step callback)")
    print(f"    {'step':14} {'p50 ms':>9} {'p95 ms':>9} {'mean ms':>9} {'share':>7}")
    step_total = sum(statistics.fmean(step) for step in run.steps.values())
    for name, step in run.steps.items():
        mean = statistics.fmean(step)
        share = mean / step_total * 100 if step_total else 0.0
        print(
            f"    {name:14} {percentile(step, 0.5) * 1000:9.1f} {percentile(step, 0.95) * 1000:9.1f}"
            f" {mean * 1000:9.1f} {share:6.1f}%"
        )
    before, after = run.before, run.after
    assert before is not None
    assert after is not None
    grown = after.database_bytes - before.database_bytes
    print(
        f"\n  database size (pg_database_size): {before.database_bytes / MB:.1f} MB ->"
        f" {after.database_bytes / MB:.1f} MB, +{grown / MB:.1f} MB, {grown / count / MB:.2f} MB per city"
    )
    print(
        f"  relations (pg_class): {before.relations} -> {after.relations},"
        f" {(after.relations - before.relations) / count:.0f} per city;"
        f" schemas: {before.schemas} -> {after.schemas} ({after.tenant_schemas} tenants)"
    )


def _edge_line(label: str, early: list[float], late: list[float]) -> str:
    if not early or not late:
        return f"    {label:28} (none)"
    p50_early, p50_late = percentile(early, 0.5), percentile(late, 0.5)
    p95_early, p95_late = percentile(early, 0.95), percentile(late, 0.95)
    return (
        f"    {label:28} {p50_early * 1000:9.1f} {p95_early * 1000:9.1f} {p50_late * 1000:9.1f}"
        f" {p95_late * 1000:9.1f}   p50 {ratio(p50_late, p50_early)}, p95 {ratio(p95_late, p95_early)}"
    )


def cities_bench() -> None:
    """The first EDGE cities provisioned, the catalogue grown by the copy factory, the last EDGE."""
    from django.db import connection

    connection_note = "one connection for all" if REUSE_CONNECTION else "a fresh connection each"
    edge = min(EDGE, CITIES_N)
    label = (
        f"Cities 1..{edge} provisioned back to back by {CITIES_METHOD}, 8 units + admin, {connection_note}"
        + (" (warm pool: topped up between signups, untimed)" if CITIES_METHOD == "pool" else "")
    )
    early = cities_provision(1, edge, label, CITIES_METHOD)
    provision_report(early)
    late = None
    if CITIES_N > edge:
        if CITIES_N - edge > edge:
            schemas_grow(edge + 1, CITIES_N - edge)
        first = max(edge + 1, CITIES_N - edge + 1)
        late = cities_provision(
            first, CITIES_N, f"Cities {first}..{CITIES_N} by {CITIES_METHOD}", CITIES_METHOD
        )
        provision_report(late)
    if late is not None:
        print(
            f"\nProvisioning, cities 1..{edge} vs {CITIES_N - len(late.seconds) + 1}..{CITIES_N}"
            " (before, clone_schema: 1.0 s for the first 10 of 100, 3.7 s for the last 10;"
            " target: ratio < 1.2)"
        )
        print(f"    {'':28} {'early p50':>9} {'p95':>9} {'late p50':>9} {'p95':>9}   ratio late/early (ms)")
        print(_edge_line("whole provisioning", early.seconds, late.seconds))
        print(_edge_line("schema step", early.steps.get("schema", []), late.steps.get("schema", [])))
        if early.pool_fill:
            print(_edge_line("pool fill, per schema", early.pool_fill, late.pool_fill))
    connection.close()


# --- migrate500: the throwaway app ---------------------------------------------------------------

APP_FILES = {
    "__init__.py": "",
    "apps.py": """\
        from django.apps import AppConfig


        class BenchMigrationConfig(AppConfig):
            name = "bench_migration"
            default_auto_field = "django.db.models.BigAutoField"
        """,
    "migrations/__init__.py": "",
    "migrations/0001_initial.py": """\
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="BenchRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                        ("title", models.CharField(max_length=120)),
                        ("created_at", models.DateTimeField()),
                    ],
                ),
                migrations.RunSQL(
                    "INSERT INTO {table} (title, created_at)"
                    " SELECT 'registro ' || g, now() - g * interval '1 hour'"
                    " FROM generate_series(1, {rows}) AS g",
                    reverse_sql=migrations.RunSQL.noop,
                ),
            ]
        """,
}

MODELS_TEMPLATE = """\
from django.db import models


class BenchRecord(models.Model):
    title = models.CharField(max_length=120)
    created_at = models.DateTimeField()
{columns}
    class Meta:
        indexes = [{indexes}]
"""

MIGRATION_TEMPLATE = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("bench_migration", "{previous}")]
    operations = [
        migrations.AddField(
            model_name="benchrecord",
            name="{column}",
            field=models.CharField(max_length=20, default="novo"),
        ),
        migrations.AddIndex(
            model_name="benchrecord",
            index=models.Index(fields=["{column}", "created_at"], name="{index}"),
        ),
    ]
"""


@dataclass
class MigrationApp:
    directory: Path
    migrations: list[str] = field(default_factory=lambda: ["0001_initial"])
    columns: list[str] = field(default_factory=list)

    @property
    def package(self) -> Path:
        return self.directory / APP

    def models_write(self) -> None:
        columns = "".join(
            f'    {column} = models.CharField(max_length=20, default="novo")\n' for column in self.columns
        )
        indexes = ", ".join(
            f'models.Index(fields=["{column}", "created_at"], name="{index_name(column)}")'
            for column in self.columns
        )
        (self.package / "models.py").write_text(MODELS_TEMPLATE.format(columns=columns, indexes=indexes))

    def migration_add(self) -> tuple[str, str]:
        """Write the next migration: a column with a default and an index. Return (name, column)."""
        number = len(self.migrations) + 1
        column = f"status_{number:04d}"
        name = f"{number:04d}_add_{column}"
        text = MIGRATION_TEMPLATE.format(
            previous=self.migrations[-1], column=column, index=index_name(column)
        )
        (self.package / "migrations" / f"{name}.py").write_text(text)
        self.migrations.append(name)
        self.columns.append(column)
        self.models_write()
        importlib.invalidate_caches()  # this process clones new cities with the new migration faked
        return name, column


def index_name(column: str) -> str:
    return f"bench_{column}_idx"


_APP: MigrationApp | None = None


def migration_app_create() -> Path:
    """Write the throwaway app (0001 only) into a temp dir; before django.setup(). Return the dir."""
    global _APP
    directory = Path(tempfile.mkdtemp(prefix="paco-bench-migration-"))
    app = MigrationApp(directory)
    (app.package / "migrations").mkdir(parents=True)
    for name, text in APP_FILES.items():
        (app.package / name).write_text(textwrap.dedent(text).format(table=TABLE, rows=MIGRATE_ROWS))
    app.models_write()
    os.environ["BENCH_MIGRATION_APP_DIR"] = str(directory)
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    _APP = app
    return directory


# --- migrate500: the runs ------------------------------------------------------------------------


def scratch_database_url() -> str:
    from django.conf import settings

    where = settings.DATABASES["default"]
    user = quote(where.get("USER") or "", safe="")
    password = quote(where.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(where.get("HOST") or "localhost", safe="")
    return f"postgres://{credentials}{host}:{where.get('PORT') or 5432}/{quote(where['NAME'], safe='')}"


@dataclass
class MigrateRun:
    executor: str
    migration: str
    column: str
    schemas: int
    processes: int
    seconds: float
    applied_lines: int
    with_column: int = 0
    with_index: int = 0


def migrate_schemas_subprocess(*options: str) -> tuple[float, str]:
    """Time `src/manage.py migrate_schemas --noinput <options>` in a subprocess; return (seconds, stdout)."""
    from django.db import connections

    assert _APP is not None, "migration_app_create() runs before django.setup()"
    connections.close_all()
    python_path = [str(ROOT), str(ROOT / "src"), str(_APP.directory)]
    if os.environ.get("PYTHONPATH"):
        python_path.append(os.environ["PYTHONPATH"])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": MIGRATION_SETTINGS,
        "DATABASE_URL": scratch_database_url(),
        "TENANT_MIGRATION_PROCESSES": str(os.cpu_count() or 1),
        "PYTHONPATH": os.pathsep.join(python_path),
        "BENCH_MIGRATION_APP_DIR": str(_APP.directory),
        # Pool workers end without flushing a piped stdout: unbuffered, every "Applying" line arrives.
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, str(ROOT / "src" / "manage.py"), "migrate_schemas", "--noinput", *options]
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if os.environ.get("BENCH_MIGRATE_LOG"):
        Path(os.environ["BENCH_MIGRATE_LOG"]).write_text(
            completed.stdout + "\n--- stderr\n" + completed.stderr
        )
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-30:])
        raise RuntimeError(f"migrate_schemas {' '.join(options)} failed ({completed.returncode}):\n{tail}")
    return seconds, completed.stdout


def migrate_schemas_run(executor: str, migration: str, column: str) -> MigrateRun:
    """Apply the pending migration to every tenant schema with `--executor=<executor>`."""
    from tenants.models import Municipality

    schemas = Municipality.objects.exclude(schema_name="public").count()
    seconds, stdout = migrate_schemas_subprocess(f"--executor={executor}")
    # One "Applying <migration>..." per schema, counted as text: with several processes a line
    # can be split by another's output. Public records the migration too (its tables are routed
    # away), so its own is not counted.
    marker = f"Applying {APP}.{migration}..."
    public = sum(1 for line in stdout.splitlines() if ":public]" in line and marker in line)
    applied = stdout.count(marker) - public
    processes = 1 if executor == "standard" else os.cpu_count() or 1
    run = MigrateRun(executor, migration, column, schemas, processes, seconds, applied)
    run.with_column, run.with_index = migration_check(column)
    return run


def migration_check(column: str) -> tuple[int, int]:
    """How many tenant schemas have the column, and its index (the template is not a tenant)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT c.table_schema) FROM information_schema.columns c"
            " JOIN tenants_municipality m ON m.schema_name = c.table_schema"
            " WHERE c.table_name = %s AND c.column_name = %s",
            [TABLE, column],
        )
        with_column = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(DISTINCT i.schemaname) FROM pg_indexes i"
            " JOIN tenants_municipality m ON m.schema_name = i.schemaname"
            " WHERE i.tablename = %s AND i.indexname = %s",
            [TABLE, index_name(column)],
        )
        with_index = cursor.fetchone()[0]
    return with_column, with_index


def migrate_line(run: MigrateRun) -> str:
    per_schema = run.seconds / run.schemas if run.schemas else 0.0
    return (
        f"    {run.executor:16} {run.migration:22} {run.schemas:7d} {run.processes:5d} {run.seconds:9.1f}"
        f" {per_schema * 1000:11.1f} {run.applied_lines:8d} {run.with_column:7d} {run.with_index:6d}"
    )


def migrate_header() -> str:
    return (
        f"    {'executor':16} {'migration':22} {'schemas':>7} {'procs':>5} {'wall s':>9}"
        f" {'ms/schema':>11} {'applied':>8} {'column':>7} {'index':>6}"
    )


def schemas_copy(first: int, last: int) -> None:
    """Cities first..last as copies of the template: `pg_dump --schema` restored under each name.

    A bench-only factory for the schemas the migration runs over: tables, indexes, constraints,
    sequences and rows (django_migrations, the bench table) as the template has them, plus the
    Municipality and Domain rows in public. No org chart, admin or coat of arms (the migration does
    not read them). The default BENCH_MIGRATE_GROWTH: clones get slower as schemas accumulate.
    """
    from django.conf import settings
    from django.db import connections, transaction

    from tenants.models import Domain, Municipality
    from tenants.services import schema_name_for_slug

    template = settings.TENANT_BASE_SCHEMA
    url = scratch_database_url()
    connections.close_all()
    dump = subprocess.run(
        ["pg_dump", f"--schema={template}", "--no-owner", "--no-privileges", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    indexes = list(range(first, last + 1))
    for start in range(0, len(indexes), COPY_BATCH):
        specs = [city_spec(index) for index in indexes[start : start + COPY_BATCH]]
        sql = "".join(dump.replace(template, schema_name_for_slug(slug=spec.slug)) for spec in specs)
        subprocess.run(
            ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "--single-transaction", url],
            input=sql,
            capture_output=True,
            text=True,
            check=True,
        )
        with transaction.atomic():
            rows = Municipality.objects.bulk_create(
                Municipality(
                    schema_name=schema_name_for_slug(slug=spec.slug),
                    slug=spec.slug,
                    name=spec.name,
                    display_name=spec.display_name,
                    ibge_code=spec.ibge_code,
                    state=spec.state,
                    population=spec.population,
                    status=spec.status,
                    primary_color=spec.primary_color,
                    secondary_color=spec.secondary_color,
                )
                for spec in specs
            )
            Domain.objects.bulk_create(
                Domain(domain=f"{row.slug}.{settings.TENANT_DOMAIN_SUFFIX}", tenant=row, is_primary=True)
                for row in rows
            )


def schemas_grow(first: int, last: int) -> None:
    if MIGRATE_GROWTH == "clone":
        label = f"Growth to {last} tenant schemas: cities {first}..{last} (municipality_provision, clone)"
        provision_report(cities_provision(first, last, label))
        return
    before = catalog_figures()
    started = time.perf_counter()
    schemas_copy(first, last)
    seconds = time.perf_counter() - started
    after = catalog_figures()
    count = last - first + 1
    grown = after.database_bytes - before.database_bytes
    print(
        f"\nGrowth to {last} tenant schemas: cities {first}..{last} as copies of the template"
        f" (bench factory: pg_dump --schema restored under each name, {COPY_BATCH} per psql call;"
        " BENCH_MIGRATE_GROWTH=clone provisions them instead)"
    )
    print(f"  total {seconds:.1f} s, {seconds / count * 1000:.0f} ms per schema")
    print(
        f"  database size: {before.database_bytes / MB:.1f} MB -> {after.database_bytes / MB:.1f} MB,"
        f" {grown / count / MB:.2f} MB per schema; relations {before.relations} -> {after.relations};"
        f" schemas {before.schemas} -> {after.schemas} ({after.tenant_schemas} tenants)"
    )


def extrapolation(run: MigrateRun, fixed: float) -> str:
    """Fixed start-up cost plus the marginal time per schema times 5,570."""
    marginal = max(run.seconds - fixed, 0.0) / run.schemas
    seconds = fixed + marginal * BRAZIL_MUNICIPALITIES
    return (
        f"{seconds:.0f} s ({seconds / 60:.1f} min; {fixed:.1f} s fixed + {marginal * 1000:.1f} ms/schema"
        f" x {BRAZIL_MUNICIPALITIES:,})"
    )


def migrate_bench() -> None:
    from django.db import connection

    from tenants.models import Municipality
    from tenants.services import template_schema_sync

    assert _APP is not None, "migration_app_create() runs before django.setup()"
    print(
        f"\nOne migration over many tenant schemas (app {APP}, table {TABLE}, {MIGRATE_ROWS} rows per"
        f" schema; each migration adds a column with a default and an index; {os.cpu_count()} CPUs)"
    )
    existing = Municipality.objects.exclude(schema_name="public").count()
    sample: list[MigrateRun] = []
    if MIGRATE_SAMPLE > 0:
        wanted = min(MIGRATE_SAMPLE, MIGRATE_SCHEMAS)
        if existing < wanted:
            label = f"Cities {existing + 1}..{wanted} for the executor sample (clone)"
            provision_report(cities_provision(existing + 1, wanted, label))
        for executor in ("standard", "multiprocessing"):
            name, column = _APP.migration_add()
            sample.append(migrate_schemas_run(executor, name, column))
        print(
            f"\n  executor sample: the {sample[0].schemas} tenant schemas that exist,"
            " manage.py migrate_schemas"
        )
        print(migrate_header())
        for run in sample:
            print(migrate_line(run))
        print(f"    ratio standard/multiprocessing wall time: {ratio(sample[0].seconds, sample[1].seconds)}")
        # A release syncs the template after migrate_schemas, or new clones would lack the columns.
        template_schema_sync()

    existing = Municipality.objects.exclude(schema_name="public").count()
    if existing < MIGRATE_SCHEMAS:
        schemas_grow(existing + 1, MIGRATE_SCHEMAS)
    else:
        print(f"\n  {existing} tenant schemas already exist")

    # The fixed part of any run: start-up and the public schema's plan, nothing pending.
    fixed, _ = migrate_schemas_subprocess("--shared")
    name, column = _APP.migration_add()
    run = migrate_schemas_run("multiprocessing", name, column)
    per_schema = run.seconds / run.schemas
    print(f"\n  ONE new migration ({name}) on every tenant schema, manage.py migrate_schemas in a subprocess")
    print(migrate_header())
    print(migrate_line(run))
    print(
        f"    total {run.seconds:.1f} s for {run.schemas} schemas, {per_schema * 1000:.1f} ms per schema"
        f" with {run.processes} processes (TENANT_MIGRATION_PROCESSES); fixed part"
        f" (`migrate_schemas --shared`, nothing pending) {fixed:.1f} s"
    )
    print(
        f"    linear extrapolation to {BRAZIL_MUNICIPALITIES:,} municipalities with {run.processes}"
        f" processes: {extrapolation(run, fixed)}"
    )
    if sample:
        print(f"    the same from the sample's --executor=standard run: {extrapolation(sample[0], fixed)}")
    print(
        f"    check: {run.with_column}/{run.schemas} tenant schemas have column {column} and"
        f" {run.with_index}/{run.schemas} the index {index_name(column)} (information_schema.columns,"
        f" pg_indexes); 'Applying' in the command's output: {run.applied_lines}"
    )
    release_compare(run, fixed)
    figures = catalog_figures()
    print(
        f"    database now {figures.database_bytes / MB:.1f} MB, {figures.relations} relations,"
        f" {figures.schemas} schemas"
    )
    connection.close()


def manage_subprocess(*arguments: str) -> tuple[float, str]:
    """Time `src/manage.py <arguments>` in a subprocess with the bench's settings; (seconds, stdout)."""
    from django.db import connections

    assert _APP is not None, "migration_app_create() runs before django.setup()"
    connections.close_all()
    python_path = [str(ROOT), str(ROOT / "src"), str(_APP.directory)]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": MIGRATION_SETTINGS,
        "DATABASE_URL": scratch_database_url(),
        "TENANT_MIGRATION_PROCESSES": str(os.cpu_count() or 1),
        "PYTHONPATH": os.pathsep.join(python_path),
        "BENCH_MIGRATION_APP_DIR": str(_APP.directory),
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, str(ROOT / "src" / "manage.py"), *arguments]
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-30:])
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed ({completed.returncode}):\n{tail}")
    return seconds, completed.stdout


def release_compare(baseline: MigrateRun, fixed: float) -> None:
    """The same shape of migration by `release_migrate` (plan once, SQL replayed per schema over a
    pool of connections), then a release with nothing to migrate, in the same run."""
    from tenants.services import template_schema_sync

    assert _APP is not None
    template_schema_sync()  # as the old release did after migrate_schemas: the template catches up
    name, column = _APP.migration_add()
    workers = str(os.cpu_count() or 1)
    seconds, stdout = manage_subprocess("release_migrate", "--workers", workers, "--no-pool")
    with_column, with_index = migration_check(column)
    check_line = next((line for line in stdout.splitlines() if line.startswith("catalogue check")), "")
    noop_seconds, noop_stdout = manage_subprocess("release_migrate", "--workers", workers, "--no-pool")
    noop_quick, _ = manage_subprocess("release_migrate", "--workers", workers, "--no-pool", "--no-check")
    schemas = baseline.schemas
    run = MigrateRun(
        "release_migrate", name, column, schemas, int(workers), seconds, 0, with_column, with_index
    )
    print(
        f"\n  ONE new migration ({name}) by `manage.py release_migrate --workers {workers}` (plan once,"
        " SQL replayed per schema, each its own transaction; includes the catalogue check)"
    )
    print(migrate_header())
    print(migrate_line(run))
    print(f"    {check_line}")
    print(
        f"    ratio migrate_schemas --executor=multiprocessing / release_migrate wall time:"
        f" {ratio(baseline.seconds, seconds)}"
    )
    print(
        f"    linear extrapolation to {BRAZIL_MUNICIPALITIES:,}: {extrapolation(run, fixed)}"
        " (before: 310 s for 500 schemas, about 57 min for 5,570; target: under 10 min)"
    )
    marginal = max(noop_seconds - fixed, 0.0) / schemas
    quick_marginal = max(noop_quick - fixed, 0.0) / schemas
    print(
        f"    release with nothing to migrate: {noop_seconds:.1f} s with the catalogue check,"
        f" {noop_quick:.1f} s without (--no-check), for {schemas} schemas; extrapolated to"
        f" {BRAZIL_MUNICIPALITIES:,}: {fixed + marginal * BRAZIL_MUNICIPALITIES:.0f} s and"
        f" {fixed + quick_marginal * BRAZIL_MUNICIPALITIES:.0f} s (target: under 1 min)"
    )
    skipped = next((line for line in noop_stdout.splitlines() if line.startswith("schemas:")), "")
    print(f"    second run: {skipped}")


# --- onboarding ----------------------------------------------------------------------------------


# Small municipalities of Sergipe, real IBGE codes (the onboarding table validates them); more SE
# ones from that table when BENCH_SIGNUP_N asks for more.
SIGNUP_IBGE_CODES = ("2800100", "2800209", "2800506", "2800605", "2800670")
SIGNUP_UF = "SE"
FIRST_NAMES = ("Maria", "José", "Ana", "Antônio", "Francisca", "João", "Luzia", "Raimundo")
LAST_NAMES = ("Santos", "Oliveira", "Souza", "Lima", "Ferreira", "Almeida", "Nascimento", "Barbosa")
# signup.step_seconds is JSON (its keys come back sorted): print the steps in the order they run.
STEP_ORDER = ("row", "schema", "branding", "org_chart", "admin", "admin_invite", "billing")


def signup_cities(count: int) -> list[Any]:
    """`count` municipalities of SE not yet in the scratch database, the five small ones first."""
    from shared_apps.onboarding.selectors import ibge_municipality_get, ibge_municipality_list_by_uf
    from tenants.models import Municipality

    taken = set(Municipality.objects.values_list("ibge_code", flat=True))
    chosen = [ibge_municipality_get(code) for code in SIGNUP_IBGE_CODES]
    chosen += [
        row for row in ibge_municipality_list_by_uf(SIGNUP_UF) if row.ibge_code not in SIGNUP_IBGE_CODES
    ]
    cities = [row for row in chosen if row is not None and row.ibge_code not in taken][:count]
    if len(cities) < count:
        raise SystemExit(f"onboarding: only {len(cities)} municipalities of {SIGNUP_UF} are free for signups")
    return cities


@dataclass
class SignupRun:
    city: str
    slug: str
    form: float
    verify: float
    job: float
    portal: float
    steps: dict[str, float]

    @property
    def total(self) -> float:
        return self.form + self.verify + self.job + self.portal


def _timed_request(client: Any, method: str, path: str, expected: int, **data: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    response = getattr(client, method)(path, data) if data else getattr(client, method)(path)
    seconds = time.perf_counter() - started
    if response.status_code != expected:
        body = response.content.decode(errors="replace")[:2000]
        raise RuntimeError(
            f"{method.upper()} {path} answered {response.status_code}, expected {expected}:\n{body}"
        )
    return seconds, response


def signup_walk(index: int, city: Any) -> SignupRun:
    """One municipality from the signup form to its first portal page, through the real views."""
    import re

    from django.conf import settings
    from django.core import mail
    from django.test import Client
    from django.urls import reverse
    from django.utils.text import slugify
    from validate_docbr import CPF

    from shared_apps.billing.selectors import plan_for_population
    from shared_apps.onboarding.enums import PaymentMethod, SignupStatus
    from shared_apps.onboarding.models import Signup
    from shared_apps.onboarding.services import signup_provision

    slug = slugify(city.name)[:42].strip("-")
    first, last = FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[index % len(LAST_NAMES)]
    urlconf = settings.PUBLIC_SCHEMA_URLCONF
    # A client address of its own per signup: the form accepts a few signups per address per hour.
    control_plane = Client(HTTP_HOST="localhost", REMOTE_ADDR=f"198.51.100.{index % 250 + 1}")
    mail.outbox = []
    form_seconds, _ = _timed_request(
        control_plane,
        "post",
        reverse("onboarding:signup", urlconf=urlconf),
        302,
        uf=city.uf,
        ibge_code=city.ibge_code,
        admin_full_name=f"{first} {last} da Silva",
        admin_cpf=CPF().generate(mask=True),
        admin_email=f"{slugify(first)}.{slugify(last)}@{slug}.{city.uf.lower()}.gov.br",
        slug=slug,
        plan_code=plan_for_population(None).code,
        payment_method=PaymentMethod.BOLETO if index % 2 else PaymentMethod.CARD,
        website="",
    )
    found = re.search(r"/cadastro/confirmar/([^/\s]+)/", mail.outbox[-1].body) if mail.outbox else None
    if found is None:
        raise RuntimeError(f"no verification e-mail with a link for {city.name}")
    confirm_path = reverse("onboarding:confirm", kwargs={"token": found.group(1)}, urlconf=urlconf)
    verify_seconds, _ = _timed_request(control_plane, "post", confirm_path, 302)

    # The job body, called as the actor calls it. The stub broker's drain is not timed: its worker
    # polls in steps of about a second, which would hide the job's own time.
    signup = Signup.objects.get(ibge_code=city.ibge_code, slug=slug, status=SignupStatus.VERIFIED)
    started = time.perf_counter()
    signup = signup_provision(signup_id=signup.pk)
    job_seconds = time.perf_counter() - started
    if signup.status != SignupStatus.READY:
        raise RuntimeError(f"signup of {city.name} ended {signup.status}: {signup.error}")

    portal = Client(HTTP_HOST=f"{slug}.{settings.TENANT_DOMAIN_SUFFIX}")
    portal_seconds, _ = _timed_request(portal, "get", "/", 200)
    steps = {name: float(value) for name, value in (signup.step_seconds or {}).items()}
    return SignupRun(
        f"{city.name}/{city.uf}", slug, form_seconds, verify_seconds, job_seconds, portal_seconds, steps
    )


def onboarding_bench() -> None:
    from django.db import connection

    from paco.jobs import jobs_drain
    from tests.bench.protocolo import jobs_held_in_memory

    # The jobs the signups enqueue go to a private in-memory broker whatever REDIS_URL says (a
    # developer's worker on the Redis queue must not run them), and are drained from it here.
    with jobs_held_in_memory(runnable=True) as stub:
        runs = [signup_walk(index, city) for index, city in enumerate(signup_cities(SIGNUP_N), start=1)]
        jobs_drain(stub)  # the queued provisioning messages (each finds its signup ready) and the e-mails
    print(
        f"\nOnboarding ({SIGNUP_N} signups through the real views on the control-plane host: POST /cadastro/,"
        " the e-mailed link POSTed, the provisioning job's body (signup_provision),"
        " GET / on the new portal)"
    )
    print(f"  cities: {', '.join(f'{run.city} ({run.slug})' for run in runs)}")
    print(f"    {'step':38} {'median ms':>10} {'mean ms':>10} {'max ms':>10}")

    def line(label: str, values: list[float]) -> None:
        print(
            f"    {label:38} {statistics.median(values) * 1000:10.1f} {statistics.fmean(values) * 1000:10.1f}"
            f" {max(values) * 1000:10.1f}"
        )

    line("form (POST /cadastro/)", [run.form for run in runs])
    line("verify (POST /cadastro/confirmar/..)", [run.verify for run in runs])
    recorded = {name for run in runs for name in run.steps}
    step_names = [name for name in STEP_ORDER if name in recorded] + sorted(recorded - set(STEP_ORDER))
    for name in step_names:
        line(f"  job step: {name}", [run.steps.get(name, 0.0) for run in runs])
    line("  job: outside the recorded steps", [run.job - sum(run.steps.values()) for run in runs])
    line("job body (signup_provision)", [run.job for run in runs])
    line("first portal request (GET /)", [run.portal for run in runs])
    line("total", [run.total for run in runs])
    connection.close()
