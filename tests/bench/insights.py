"""Indicators benches (`BENCH_ONLY=insights`): a city with BENCH_INSIGHTS_CASES (1,000,000) cases and
BENCH_INSIGHTS_MOVES_PER_CASE (5) moves each, written by bulk SQL (generate_series), then:

1. the rebuild of every daily aggregate from that history (`aggregates_rebuild`);
2. the manager page (`/staff/indicadores/`, last 30 days and previous period) for the municipal
   admin (the whole city) and a unit manager: p50/p95 over BENCH_INSIGHTS_PAGE_RUNS (target: p95
   under 300 ms), then BENCH_INSIGHTS_COLD_RUNS (5) with the dashboard cache emptied before each,
   with the number of queries, how many touch a case table (none should) and the slowest three;
3. a year of open data as CSV, streamed to the end (target: under 5 s);
4. the incremental job after a day of BENCH_INSIGHTS_NEW_CASES (5,000) new cases (seconds).
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

from tests.bench.cities import BENCH_SKIP, bench_city
from tests.bench.figures import milliseconds_header, milliseconds_line, stopwatch

CASES = int(os.environ.get("BENCH_INSIGHTS_CASES", "1000000"))
MOVES_PER_CASE = int(os.environ.get("BENCH_INSIGHTS_MOVES_PER_CASE", "5"))
PAGE_RUNS = int(os.environ.get("BENCH_INSIGHTS_PAGE_RUNS", "30"))
NEW_CASES = int(os.environ.get("BENCH_INSIGHTS_NEW_CASES", "5000"))
COLD_RUNS = int(os.environ.get("BENCH_INSIGHTS_COLD_RUNS", "5"))

CASES_SQL = """
INSERT INTO cases_case (created_at, updated_at, nup, service_id, subject, description, form_data, channel,
    opening_unit_id, current_unit_id, status, access_level, opened_at, deadline, closed_at, final_answer,
    last_event_at)
SELECT o, coalesce(cl, o), %(prefix)s || lpad(g::text, 10, '0'), s.id, s.name, '',
    CASE WHEN g %% 5 = 0 THEN '{}'::jsonb ELSE jsonb_build_object('bairro', 'Bairro ' || (g %% 12)) END,
    'balcao', s.unit_id, s.unit_id, CASE WHEN cl IS NULL THEN 'em_andamento' ELSE 'concluido' END, 'restrito',
    o, (o + interval '20 days')::date, cl, '', coalesce(cl, o)
FROM (
    SELECT g, o, CASE WHEN c < %(end)s::timestamptz THEN c END AS cl
    FROM (
        SELECT g, o, CASE WHEN random() < 0.95 THEN o + random() * interval '40 days' END AS c
        FROM (
            SELECT g, %(end)s::timestamptz - random() * %(span)s::interval AS o
            FROM generate_series(1, %(count)s) g
        ) opened
    ) closing
) facts
JOIN catalog_service s ON s.id = (%(services)s::bigint[])[1 + (g %% array_length(%(services)s::bigint[], 1))]
"""

MOVES_SQL = """
INSERT INTO cases_casemove (created_at, updated_at, case_id, from_unit_id, to_unit_id, note, moved_by_id)
SELECT t, t, c.id, u.ids[1 + ((c.id + k - 1) %% n)], u.ids[1 + ((c.id + k) %% n)], '', %(user)s
FROM cases_case c
CROSS JOIN LATERAL (SELECT %(units)s::bigint[] AS ids, array_length(%(units)s::bigint[], 1) AS n) u
CROSS JOIN generate_series(1, %(moves)s) k
CROSS JOIN LATERAL (
    SELECT c.opened_at
        + (coalesce(c.closed_at, %(end)s::timestamptz) - c.opened_at) * k / (%(moves)s + 1) AS t
) mt
WHERE c.nup LIKE %(prefix)s || '%%'
"""


def _setup() -> tuple[Any, Any, Any]:
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo
    from tenant_apps.accounts.models import User

    # the indicators' year of history is the bench's own
    municipality = bench_city(spec=demo.ARACAJU, skip=BENCH_SKIP | {"tenant_apps.insights"})
    with tenant_context(municipality):
        admin = User.objects.get(email=demo.ARACAJU.admin.email)  # type: ignore[union-attr]
        staff = User.objects.get(email=demo.DEMO_STAFF["aracaju"]["email"])
    return municipality, admin, staff


# Above this many cases the secondary indexes of the two tables are dropped before the inserts and
# built again after (one sort per index instead of 5,000,000 index insertions each).
REINDEX_FROM = int(os.environ.get("BENCH_INSIGHTS_REINDEX_FROM", "100000"))

SECONDARY_INDEXES_SQL = """
SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)
"""


def _fill(
    *, prefix: str, count: int, span: str, end: Any, staff_id: int, moves: int
) -> tuple[float, float, float]:
    from django.db import connection, transaction

    from tenant_apps.catalog.models import Service
    from tenant_apps.org.models import OrgUnit

    services = list(Service.objects.values_list("id", flat=True))
    units = list(OrgUnit.objects.values_list("id", flat=True))
    params = {
        "prefix": prefix,
        "count": count,
        "services": services,
        "units": units,
        "end": end,
        "span": span,
        "user": staff_id,
        "moves": moves,
    }
    index_seconds = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows are consistent by construction: skip the per-row triggers (the deferred foreign-key
        # checks of 5,000,000 moves took longer at COMMIT than the inserts themselves).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        dropped: list[tuple[str, str]] = []
        if count >= REINDEX_FROM:
            cursor.execute(SECONDARY_INDEXES_SQL, [["cases_case", "cases_casemove"]])
            dropped = list(cursor.fetchall())
            for name, _definition in dropped:
                cursor.execute(f'DROP INDEX "{name}"')
        started = time.perf_counter()
        cursor.execute(CASES_SQL, params)
        cases_seconds = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(MOVES_SQL, params)
        moves_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for _name, definition in dropped:
            cursor.execute(definition)
        index_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case; ANALYZE cases_casemove")
    return cases_seconds, moves_seconds, index_seconds


def _client(municipality: Any, user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo

    host = f"{municipality.slug}.localhost"
    client = Client(HTTP_HOST=host)
    with tenant_context(municipality):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name="default", confirmed=True, key=demo.DEMO_TOTP_KEY_HEX
            )
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _table_of(sql: str) -> str:
    found = re.search(r'FROM "?([a-z_]+)"?', sql)
    return found.group(1) if found else sql[:40]


def insights_benches() -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from tenant_apps.org.enums import Role
    from tenant_apps.org.models import Membership, OrgUnit

    print(f"\ninsights: {CASES:,} cases, {CASES * MOVES_PER_CASE:,} moves".replace(",", "."), flush=True)
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  load average at start: {load} ({os.cpu_count()} CPUs)", flush=True)
    with stopwatch("city provisioned + demo"):
        municipality, admin, staff = _setup()
    with tenant_context(municipality):
        Membership.objects.get_or_create(
            user=staff, unit=OrgUnit.objects.get(acronym="SEFAZ"), role=Role.MANAGER
        )
        now = timezone.now()
        cases_s, moves_s, index_s = _fill(
            prefix="B",
            count=CASES,
            span="365 days",
            end=now - timezone.timedelta(days=1),
            staff_id=staff.pk,
            moves=MOVES_PER_CASE,
        )
        print(f"  {'bulk insert cases':32} {cases_s:8.2f} s")
        print(f"  {'bulk insert moves':32} {moves_s:8.2f} s")
        print(f"  {'secondary indexes built again':32} {index_s:8.2f} s")
        from tenant_apps.insights.services import aggregates_rebuild, aggregates_refresh

        with stopwatch("aggregates_rebuild (a year)"):
            aggregates_rebuild()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM insights_caseday")
            caseday_rows = cursor.fetchone()[0]
        print(f"  {'daily aggregate rows':32} {caseday_rows:8d}")
    connection.set_schema_to_public()

    print(milliseconds_header("manager page (30 days + previous)"))
    for label, user in (("municipal admin (city)", admin), ("secretary (SEFAZ + sub-units)", staff)):
        client = _client(municipality, user)
        timings = []
        for run in range(PAGE_RUNS + 2):
            started = time.perf_counter()
            response = client.get("/staff/indicadores/")
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.status_code
            if run >= 2:  # two warm-up runs
                timings.append(elapsed)
        print(milliseconds_line(label, timings, note="target p95 < 300 ms"))
        # the same page with the dashboard cache emptied: what it reads from the aggregates
        cold = []
        for _run in range(COLD_RUNS):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/staff/indicadores/")
                cold.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        print(milliseconds_line("  cache emptied before each", cold))
        sqls = [item["sql"] for item in queries.captured_queries]
        scans = [sql for sql in sqls if re.search(r'"(cases|ombudsman|comms|documents)_', sql)]
        slowest = sorted(queries.captured_queries, key=lambda item: -float(item["time"]))[:3]
        print(
            f"    {len(sqls)} queries, {len(scans)} on case/ombudsman/comms/documents tables; slowest: "
            + ", ".join(f"{float(item['time']) * 1000:.0f} ms {_table_of(item['sql'])}" for item in slowest)
        )

    year = timezone.localdate().year
    client = _client(municipality, admin)
    for slug in ("protocolos-por-servico", "tempos-de-resposta", "protocolos-por-bairro"):
        started = time.perf_counter()
        response = client.get(f"/dados-abertos/{slug}.csv?ano={year}")
        size = sum(len(chunk) for chunk in response.streaming_content)
        elapsed = time.perf_counter() - started
        print(
            f"  {'CSV ' + slug + ' ' + str(year):32} {elapsed:8.2f} s  ({size / 1024:.0f} KiB, target < 5 s)"
        )

    with tenant_context(municipality):
        now = timezone.now()
        _fill(prefix="N", count=NEW_CASES, span="8 hours", end=now, staff_id=staff.pk, moves=MOVES_PER_CASE)
        started = time.perf_counter()
        aggregates_refresh()
        label = f"incremental job, {NEW_CASES} new cases"
        print(f"  {label:32} {time.perf_counter() - started:8.2f} s")
        started = time.perf_counter()
        aggregates_refresh()
        print(f"  {'incremental job, run again':32} {time.perf_counter() - started:8.2f} s")
    connection.set_schema_to_public()
