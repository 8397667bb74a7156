"""Moving a city between clusters (`BENCH_ONLY=move`, issue 19): `municipality_move` timed.

A demo-sized city (Aracaju as `make demo` seeds it) moves from the control plane's database to a
second cluster and back, BENCH_MOVE_ROUNDS moves in all (default 2: there and back), through the
real `tenants.clusters.municipality_move` (read-only, pg_dump/pg_restore, every table's row count
and row md5 and the sequences compared on both sides, directory switched, old copy dropped).
The second cluster is **a second database on the same server** (`<scratch database>_c2`, as
tests/tenants/second_cluster.py makes it for the tests), created here and dropped at the end: the
figures include no network between two servers.

Printed per move: tables, rows, the schema's size, seconds read-only (what a citizen notices:
writes refused), seconds in all, and rows per second over the whole move. The settle wait for
writes in flight (`--settle-seconds`, 2 s by default in the command) is BENCH_MOVE_SETTLE
(default 0) and is part of the read-only time. Runs with REDIS_URL (its cache) and without; the
jobs the seeding enqueues stay in memory.
"""

from __future__ import annotations

import os
import statistics
from typing import Any

from tests.bench.cities import bench_city

ROUNDS = int(os.environ.get("BENCH_MOVE_ROUNDS", "2"))
SETTLE = float(os.environ.get("BENCH_MOVE_SETTLE", "0"))
MB = 1024 * 1024


def _city() -> Any:
    from paco_demo import cities as demo

    return bench_city(spec=demo.ARACAJU)


def _schema_bytes(alias: str, schema_name: str) -> int:
    from paco import clusters

    with clusters.cluster_connection(alias).cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'm')",
            [schema_name],
        )
        return int(cursor.fetchone()[0])


def _database_drop(name: str) -> None:
    from django.db import connections

    from tests.tenants.second_cluster import _admin_connection

    with _admin_connection(connections["default"].settings_dict) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def move_bench() -> None:
    from django.conf import settings
    from django.db import connections

    from paco import clusters
    from tenants.clusters import municipality_move
    from tenants.models import Municipality
    from tests.bench.protocolo import jobs_held_in_memory
    from tests.tenants.second_cluster import extra_clusters

    print("\n== move ==", flush=True)
    print(
        f"  cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]};"
        f" load {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)"
    )
    with jobs_held_in_memory():
        municipality = _city()
    second = f"{connections['default'].settings_dict['NAME']}_c2"
    print(f"  second cluster: database {second} on the same server; settle {SETTLE:g} s")
    header = f"{'tables':>6} {'rows':>7} {'MB':>6} {'read-only s':>11} {'total s':>8} {'rows/s':>8}"
    print(f"    {'move':24} {header}")
    read_only: list[float] = []
    totals: list[float] = []
    try:
        with extra_clusters("c2"):
            for index in range(ROUNDS):
                municipality = Municipality.objects.get(pk=municipality.pk)
                target = "c2" if municipality.database == clusters.DEFAULT_DB_ALIAS else "default"
                size = _schema_bytes(municipality.database, municipality.schema_name)
                report = municipality_move(municipality=municipality, target=target, settle_seconds=SETTLE)
                read_only.append(report.read_only_seconds)
                totals.append(report.seconds)
                label = f"{index + 1}. {report.slug} {report.source} -> {report.target}"
                print(
                    f"    {label:24} {report.tables:6d} {report.rows:7d} {size / MB:6.1f}"
                    f" {report.read_only_seconds:11.2f} {report.seconds:8.2f}"
                    f" {report.rows / report.seconds:8.0f}",
                    flush=True,
                )
            # leave the city where the other sections expect it
            municipality = Municipality.objects.get(pk=municipality.pk)
            if municipality.database != clusters.DEFAULT_DB_ALIAS:
                municipality_move(municipality=municipality, target="default", settle_seconds=SETTLE)
    finally:
        _database_drop(second)
    if read_only:
        print(
            f"  median of {len(totals)}: read-only {statistics.median(read_only):.2f} s,"
            f" total {statistics.median(totals):.2f} s"
        )
