"""Scheduling benches (`BENCH_ONLY=scheduling`): free slots, one slot under a crowd, many bookings.

1. free slots of a subject with 10 attendants over 60 days (`slot_list_free`, what the booking
   page and the API compute): p50/p95 over BENCH_SLOT_RUNS runs, on an empty agenda and with
   BENCH_SLOT_BOOKED appointments already holding time (target: p95 under 50 ms), the uncached
   path (`slot_grid_direct`, before) and the day cache (after) alternating in the same run, with
   their ratio (the machine's load weighs on both alike);
2. BENCH_CROWD_CLIENTS (50) clients, each with its own connection, booking the same slot at the
   same instant through `appointment_book`: exactly one booking, and the time until all answered;
3. BENCH_MANY_CLIENTS (200) clients booking different slots, BENCH_MANY_WORKERS (20) connections
   at a time: bookings per second, latency, and a check that no two appointments overlap.

Every booking is the real service: it opens the citizen's case (NUP), appends to its history and
queues the confirmation e-mail with the .ics (held in memory, never sent).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.bench.cities import bench_city
from tests.bench.figures import milliseconds_header, milliseconds_line, percentile

SLOT_RUNS = int(os.environ.get("BENCH_SLOT_RUNS", "100"))
SLOT_BOOKED = int(os.environ.get("BENCH_SLOT_BOOKED", "2000"))
CROWD_CLIENTS = int(os.environ.get("BENCH_CROWD_CLIENTS", "50"))
MANY_CLIENTS = int(os.environ.get("BENCH_MANY_CLIENTS", "200"))
MANY_WORKERS = int(os.environ.get("BENCH_MANY_WORKERS", "20"))
HORIZON_DAYS = 60


def _setup() -> tuple[Any, Any, list[int]]:
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo
    from tenant_apps.accounts.enums import UserKind
    from tenant_apps.accounts.models import User
    from tenant_apps.scheduling.models import Agenda

    municipality = bench_city(spec=demo.GRAVATAI)
    with tenant_context(municipality):
        agenda = Agenda.objects.get(code="atendimento-por-video-com-fiscal")
        agenda.horizon_days = HORIZON_DAYS
        agenda.min_notice_minutes = 0
        agenda.save(update_fields=["horizon_days", "min_notice_minutes"])
        needed = max(CROWD_CLIENTS + MANY_CLIENTS, 1)
        existing = set(User.objects.filter(email__startswith="bench.cidadao").values_list("email", flat=True))
        User.objects.bulk_create(
            [
                User(
                    email=email,
                    full_name=f"Cidadã de Bancada {index:04d}",
                    kind=UserKind.CITIZEN,
                    password="!",
                )
                for index in range(needed)
                if (email := f"bench.cidadao{index:04d}@exemplo.com.br") not in existing
            ]
        )
        citizen_ids = list(
            User.objects.filter(email__startswith="bench.cidadao")
            .order_by("email")
            .values_list("pk", flat=True)
        )
    return municipality, agenda, citizen_ids


def _free_slots_runs(agenda: Any) -> dict[str, tuple[list[float], int, list[float]]]:
    """The uncached path ("before": `slot_grid_direct`) and the day cache ("after") in alternate
    runs, so both see the same machine load; the cache starts empty (its first run is counted)."""
    from django.utils import timezone

    from tenant_apps.scheduling.slots import grid_cache_bypassed, grid_cache_clear, slot_list_free

    today = timezone.localdate()
    results: dict[str, tuple[list[float], int, list[float]]] = {
        "before": ([], 0, []),
        "after": ([], 0, []),
    }
    grid_cache_clear()
    for _ in range(SLOT_RUNS):
        for label in ("before", "after"):
            timings, _count, cpu = results[label]
            started = time.perf_counter_ns()
            cpu_started = time.thread_time_ns()
            if label == "before":
                with grid_cache_bypassed():
                    slots = slot_list_free(
                        agenda=agenda, first_day=today, last_day=today + dt.timedelta(days=HORIZON_DAYS - 1)
                    )
            else:
                slots = slot_list_free(
                    agenda=agenda, first_day=today, last_day=today + dt.timedelta(days=HORIZON_DAYS - 1)
                )
            cpu.append((time.thread_time_ns() - cpu_started) / 1e6)
            timings.append((time.perf_counter_ns() - started) / 1e6)
            results[label] = (timings, len(slots), cpu)
    return results


def _free_slots_report(label: str, results: dict[str, tuple[list[float], int, list[float]]]) -> None:
    for name, title in (("before", "uncached (before)"), ("after", "day cache (after)")):
        timings, count, cpu = results[name]
        print(milliseconds_line(f"{label}, {title}", timings, note=f"{count} free slots"))
        print(milliseconds_line("  (this thread's CPU time)", cpu))
    before, after = results["before"][0], results["after"][0]
    print(
        f"    same-run ratio before/after: p50 {percentile(before, 0.5) / percentile(after, 0.5):.1f}x, "
        f"p95 {percentile(before, 0.95) / percentile(after, 0.95):.1f}x"
    )
    print(f"    target: p95 under 50 ms -> {'met' if percentile(after, 0.95) < 50 else 'NOT met'}")


def _hold_time(agenda: Any, count: int) -> int:
    """`count` appointments straight into the table (every other free slot), as if booked earlier."""
    from django.utils import timezone

    from tenant_apps.accounts.enums import UserKind
    from tenant_apps.accounts.models import User
    from tenant_apps.scheduling.models import Appointment
    from tenant_apps.scheduling.slots import slot_list_free

    today = timezone.localdate()
    slots = slot_list_free(
        agenda=agenda,
        first_day=today + dt.timedelta(days=1),
        last_day=today + dt.timedelta(days=HORIZON_DAYS - 1),
    )
    chosen = slots[::2][:count]
    holder = User.objects.create_user(
        "bench.ocupante@exemplo.com.br", None, full_name="Ocupante de Bancada", kind=UserKind.CITIZEN
    )
    Appointment.objects.bulk_create(
        [
            Appointment(
                code=f"bench-{index:06d}",
                agenda=agenda,
                resource_id=slot.resource_id,
                citizen_id=holder.pk,
                booked_by_id=holder.pk,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
            )
            for index, slot in enumerate(chosen)
        ],
        batch_size=1000,
    )
    return len(chosen)


def _book(
    municipality: Any, agenda_id: int, citizen_id: int, slot: Any, barrier: threading.Barrier | None
) -> tuple[str, float]:
    from django.db import connection

    from paco.errors import ApplicationError
    from tenant_apps.accounts.models import User
    from tenant_apps.scheduling.models import Agenda, Resource
    from tenant_apps.scheduling.services import appointment_book

    try:
        connection.set_tenant(municipality)
        agenda = Agenda.objects.get(pk=agenda_id)
        citizen = User.objects.get(pk=citizen_id)
        resource = Resource.objects.get(pk=slot.resource_id)
        subject = agenda.subjects.order_by("position").first()
        if barrier is not None:
            barrier.wait(timeout=120)
        started = time.perf_counter_ns()
        try:
            appointment_book(
                agenda=agenda, citizen=citizen, starts_at=slot.starts_at, resource=resource, subject=subject
            )
            outcome = "booked"
        except ApplicationError as error:
            outcome = error.message
        except Exception as error:  # noqa: BLE001 - reported by the bench
            outcome = f"ERROR {type(error).__name__}: {error}"
        return outcome, (time.perf_counter_ns() - started) / 1e6
    finally:
        connection.close()


def _overlaps(agenda: Any) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM scheduling_appointment a JOIN scheduling_appointment b
              ON a.resource_id = b.resource_id AND a.seat = b.seat AND a.id < b.id
             AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
             WHERE a.status <> 'cancelado' AND b.status <> 'cancelado' AND a.agenda_id = %s
            """,
            [agenda.pk],
        )
        return int(cursor.fetchone()[0])


def scheduling_benches() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from tenant_apps.scheduling.models import Appointment
    from tenant_apps.scheduling.slots import slot_list_free
    from tests.bench.protocolo import jobs_held_in_memory

    print("\n== scheduling ==", flush=True)
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  load average at start: {load} ({os.cpu_count()} CPUs)")
    municipality, agenda, citizen_ids = _setup()
    with tenant_context(municipality):
        resources = agenda.resources.count()
        print(f"  agenda: {agenda.name}, {resources} attendants, 30-minute slots, {HORIZON_DAYS} days ahead")
        print(milliseconds_header("free slots, 10 attendants, 60 days"))
        _free_slots_report("empty agenda", _free_slots_runs(agenda))
        held = _hold_time(agenda, SLOT_BOOKED)
        _free_slots_report(f"{held} held", _free_slots_runs(agenda))
        with CaptureQueriesContext(connection) as queries:
            slot_list_free(
                agenda=agenda,
                first_day=timezone.localdate(),
                last_day=timezone.localdate() + dt.timedelta(days=HORIZON_DAYS - 1),
            )
        print(f"    queries per call: {len(queries.captured_queries)}")
        today = timezone.localdate()
        free = slot_list_free(
            agenda=agenda,
            first_day=today + dt.timedelta(days=2),
            last_day=today + dt.timedelta(days=HORIZON_DAYS - 1),
        )
    connection.set_schema_to_public()

    with jobs_held_in_memory():
        # one slot, a crowd
        target = free[0]
        barrier = threading.Barrier(CROWD_CLIENTS)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CROWD_CLIENTS) as pool:
            results = list(
                pool.map(
                    lambda index: _book(municipality, agenda.pk, citizen_ids[index], target, barrier),
                    range(CROWD_CLIENTS),
                )
            )
        wall = time.perf_counter() - started
        booked = [outcome for outcome, _ms in results if outcome == "booked"]
        errors = [outcome for outcome, _ms in results if outcome.startswith("ERROR")]
        with tenant_context(municipality):
            in_table = (
                Appointment.objects.filter(resource_id=target.resource_id, starts_at=target.starts_at)
                .exclude(status="cancelado")
                .count()
            )
        latencies = [ms for _outcome, ms in results]
        print(f"\n  {CROWD_CLIENTS} clients booking the same slot at once:")
        print(
            f"    bookings: {len(booked)} (in the table: {in_table}), refused with a message: "
            f"{CROWD_CLIENTS - len(booked) - len(errors)}, errors: {len(errors)}"
        )
        print(
            f"    all answered in {wall * 1000:.0f} ms (after the barrier: "
            f"p50 {percentile(latencies, 0.5):.0f} ms, "
            f"max {max(latencies):.0f} ms)"
        )
        for outcome in sorted({outcome for outcome, _ms in results if outcome != "booked"})[:4]:
            print(f"    answer: {outcome[:200]}")

        # many clients, different slots
        others = [slot for slot in free[1:] if slot.starts_at != target.starts_at]
        step = max(1, len(others) // MANY_CLIENTS)
        chosen = others[::step][:MANY_CLIENTS]
        offset = CROWD_CLIENTS
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=MANY_WORKERS) as pool:
            results = list(
                pool.map(
                    lambda pair: _book(municipality, agenda.pk, citizen_ids[offset + pair[0]], pair[1], None),
                    enumerate(chosen),
                )
            )
        wall = time.perf_counter() - started
        booked = [outcome for outcome, _ms in results if outcome == "booked"]
        refused = [outcome for outcome, _ms in results if outcome != "booked"]
        latencies = [ms for _outcome, ms in results]
        with tenant_context(municipality):
            overlaps = _overlaps(agenda)
        print(f"\n  {len(chosen)} clients booking different slots, {MANY_WORKERS} connections at a time:")
        print(
            f"    booked {len(booked)} in {wall:.2f} s: {len(booked) / wall:.1f} bookings/s; latency p50 "
            f"{percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
            f"mean {statistics.fmean(latencies):.0f} ms"
        )
        print(f"    double bookings (overlapping appointments of one attendant): {overlaps}")
        for outcome in sorted(set(refused))[:3]:
            print(f"    refused: {outcome[:200]}")
    connection.set_schema_to_public()
