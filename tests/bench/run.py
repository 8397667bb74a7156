"""`make bench`: provisioning, tenant resolution and the Protocolo benches, in a scratch database.

Run as a plain script (not pytest): `.venv/bin/python tests/bench/run.py`. It works in a scratch
database (BENCH_DATABASE_NAME, default `paco_bench_<checkout id>`) on the configured server
(`DATABASE_URL`, or the embedded PostgreSQL under `.data/pg` when it is unset), created at the start
and dropped at the end, and stores uploaded files in a temporary MEDIA_ROOT. It prints figures and ratios
measured in the same run; it asserts nothing about time (machines differ), only that every
request answered 200 in the foundation benches.

Sections (BENCH_ONLY, comma-separated, default all): foundation (tests/bench/foundation.py:
provisioning clone vs migrate, tenant resolution), and the Protocolo ones (tests/bench/protocolo.py):
nup (NUP issuance under concurrency), queries (query counts), inbox (unit inbox at BENCH_CASES
cases), search (full-text search over BENCH_DOCUMENTS documents); and comms (tests/bench/comms.py:
a circular to every staff member fanned out by a real worker, the sender's acknowledgement page);
and the control-plane ones (tests/bench/controlplane.py): cities (BENCH_CITIES_N cities provisioned
back to back: time, steps, database growth), migrate500 (one new migration over BENCH_MIGRATE_SCHEMAS
tenant schemas by `migrate_schemas --executor=multiprocessing`; selecting it switches
DJANGO_SETTINGS_MODULE to tests.bench.migration_settings, which adds the bench's throwaway app),
onboarding (signup form -> verification -> provisioning job -> first portal GET); hotpaths
(tests/bench/hotpaths.py: anonymous pages under gunicorn vs a bare Django page, wrk); scheduling
(tests/bench/scheduling.py: free slots of 10 attendants over 60 days, 50 clients on one slot,
200 clients on different slots); health (tests/bench/health.py: the opening rush of 500 citizens
on 200 slots, the professional's day page with 40 patients); payments (tests/bench/payments.py:
the BR Code and its QR per call, guide_issue, the Pix webhook per call, applied and repeated);
insights (tests/bench/insights.py:
a million cases and five million moves by bulk SQL, the manager page, a year of open data as CSV,
the incremental aggregation job); permits (tests/bench/permits.py: pre-analysis of 10 × 2 MB
attachments, a level II request end to end through the worker, routing 10,000 requests × 50 rules);
move (tests/bench/move.py: a demo-sized city moved to a second cluster and back by municipality_move:
seconds read-only, seconds in all, rows/s).
Each module lists its knobs.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for _path in (ROOT, ROOT / "src"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from tests.bench.figures import stopwatch  # noqa: E402 - needs the paths above
from tests.bench.scratch import BENCH_DATABASE, database_drop, scratch_database_create  # noqa: E402

SECTIONS = (
    "foundation",
    "nup",
    "queries",
    "inbox",
    "search",
    "comms",
    "scheduling",
    "health",
    "payments",
    "cities",
    "migrate500",
    "onboarding",
    "signatures",
    "insights",
    "permits",
    "hotpaths",
    "move",
)
PROTOCOLO_SECTIONS = {"nup", "queries", "inbox", "search"}


def sections_selected() -> set[str]:
    raw = os.environ.get("BENCH_ONLY", "").strip()
    if not raw:
        return set(SECTIONS)
    chosen = {name.strip() for name in raw.split(",") if name.strip()}
    unknown = chosen - set(SECTIONS)
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown section(s) {', '.join(sorted(unknown))}; pick from {SECTIONS}")
    return chosen


def foundation_benches() -> None:
    from django.db import connection

    from tests.bench import foundation

    totals, steps, city = foundation.provisioning_bench()
    foundation.provisioning_report(totals, steps)

    results = foundation.resolution_bench(city)
    foundation.resolution_report(results, f"{city.slug}.localhost")
    foundation.middleware_alone_report(foundation.middleware_alone_bench(city))
    connection.close()


def main() -> int:
    run_started = time.perf_counter()
    sections = sections_selected()
    media_root = tempfile.mkdtemp(prefix="paco-bench-media-")
    os.environ["MEDIA_ROOT"] = media_root
    server: dict[str, Any] | None = None
    migration_app_dir: Path | None = None
    try:
        print("Paço bench", flush=True)
        if "migrate500" in sections:
            # INSTALLED_APPS is fixed by django.setup(): the throwaway app must exist before it.
            from tests.bench.controlplane import MIGRATION_SETTINGS, migration_app_create

            migration_app_dir = migration_app_create()
            os.environ["DJANGO_SETTINGS_MODULE"] = MIGRATION_SETTINGS
        with stopwatch("scratch database + django.setup"):
            server = scratch_database_create()
            import django

            django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from tenants.services import template_schema_sync

        where = settings.DATABASES["default"]
        host = where.get("HOST") or "localhost"
        print(f"  database: {where['NAME']} on {host}:{where.get('PORT') or 5432}")
        cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        settings_module = os.environ["DJANGO_SETTINGS_MODULE"]
        print(f"  settings: {settings_module}, cache {cache_backend}, {os.cpu_count()} CPUs")
        if sections != set(SECTIONS):
            print(f"  sections: {', '.join(name for name in SECTIONS if name in sections)} (BENCH_ONLY)")
        with stopwatch("migrate_schemas (public)"):
            call_command("migrate_schemas", interactive=False, verbosity=0)
        with stopwatch("template_schema_sync"):
            template_schema_sync()

        if "foundation" in sections:
            foundation_benches()
        if sections & PROTOCOLO_SECTIONS:
            from tests.bench.protocolo import protocolo_benches

            protocolo_benches(sections)
        if "comms" in sections:
            from tests.bench.comms import comms_benches

            comms_benches()
        if "scheduling" in sections:
            from tests.bench.scheduling import scheduling_benches

            scheduling_benches()
        if "signatures" in sections:
            from tests.bench.signatures import signatures_benches

            signatures_benches()
        if "health" in sections:
            from tests.bench.health import health_benches

            health_benches()
        if "payments" in sections:
            from tests.bench.payments import payments_benches

            payments_benches()
        if "cities" in sections:
            from tests.bench.controlplane import cities_bench

            cities_bench()
        if "migrate500" in sections:
            from tests.bench.controlplane import migrate_bench

            migrate_bench()
        if "onboarding" in sections:
            from tests.bench.controlplane import onboarding_bench

            onboarding_bench()
        if "insights" in sections:
            from tests.bench.insights import insights_benches

            insights_benches()
        if "permits" in sections:
            from tests.bench.permits import permits_benches

            permits_benches()
        if "hotpaths" in sections:
            from tests.bench.hotpaths import hotpaths_bench

            hotpaths_bench()
        if "move" in sections:
            from tests.bench.move import move_bench

            move_bench()
    finally:
        if server is not None:
            try:
                from django.db import connections

                connections.close_all()
            except Exception as error:  # noqa: BLE001 - the drop below matters more
                print(f"warning: closing connections failed: {error}", file=sys.stderr)
            database_drop(server)
            print(f"\ndropped database {BENCH_DATABASE}")
        shutil.rmtree(media_root, ignore_errors=True)
        if migration_app_dir is not None:
            shutil.rmtree(migration_app_dir, ignore_errors=True)
    print(f"total run time {time.perf_counter() - run_started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
