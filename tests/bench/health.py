"""Health benches (`BENCH_ONLY=health`): the opening rush and the professional's day page.

1. The opening rush: BENCH_RUSH_CITIZENS (500) citizens with a CNS book "Clínico geral" in the week
   that has just opened (the city's rule: Friday 07:00) — two professionals, BENCH_RUSH_SLOTS (200)
   first-visit slots between them — through the real `health_appointment_book` (engine checks,
   health policy, exclusion constraint, reminders, the confirmation queued), BENCH_RUSH_WORKERS (40)
   connections at a time. A citizen who loses a slot reloads the free list and tries another, as the
   page does, until booked or nothing is left. Expected: exactly as many bookings as slots, zero
   double bookings, nobody with two; printed: bookings/s and latency p50/p95/p99 per attempt.
2. The professional's day page (`/staff/saude/agenda/`) with BENCH_DAY_PATIENTS (40) patients: the
   query count with 10 and with 40 patients (constant), and p50/p95 over BENCH_DAY_RUNS (50) requests.

Runs with REDIS_URL (its cache) and without (the local-memory cache); jobs stay in memory.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.bench.cities import bench_city
from tests.bench.figures import milliseconds_header, milliseconds_line, percentile

RUSH_CITIZENS = int(os.environ.get("BENCH_RUSH_CITIZENS", "500"))
RUSH_SLOTS = int(os.environ.get("BENCH_RUSH_SLOTS", "200"))
RUSH_WORKERS = int(os.environ.get("BENCH_RUSH_WORKERS", "40"))
DAY_PATIENTS = int(os.environ.get("BENCH_DAY_PATIENTS", "40"))
DAY_RUNS = int(os.environ.get("BENCH_DAY_RUNS", "50"))


def _setup() -> tuple[Any, list[int], list[int], dt.date, dt.datetime]:
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo
    from tenant_apps.accounts.enums import UserKind
    from tenant_apps.accounts.models import User
    from tenant_apps.health.demo import cns_for
    from tenant_apps.health.enums import KIND_FIRST
    from tenant_apps.health.models import Patient, Schedule
    from tenant_apps.scheduling.models import AvailabilityRule, SlotKind

    municipality = bench_city(spec=demo.GRAVATAI)
    today = timezone.localdate()
    next_monday = today + dt.timedelta(days=7 - today.weekday())
    opening_day = next_monday - dt.timedelta(days=3)  # the Friday before
    with tenant_context(municipality):
        schedules = list(
            Schedule.objects.filter(specialty__code="clinico-geral").select_related("agenda", "professional")
        )
        per_schedule = RUSH_SLOTS // len(schedules)
        # only the rush's week, only first visits: per professional `per_schedule` slots of 20 minutes
        for schedule in schedules:
            kind = SlotKind.objects.get(agenda=schedule.agenda, code=KIND_FIRST)
            AvailabilityRule.objects.filter(agenda=schedule.agenda).delete()
            per_day, extra = divmod(per_schedule, 5)
            for weekday in range(5):
                count = per_day + (1 if weekday < extra else 0)
                start = dt.datetime.combine(today, dt.time(7, 0))
                AvailabilityRule.objects.create(
                    agenda=schedule.agenda,
                    resource=schedule.professional.resource,
                    weekday=weekday,
                    start_time=start.time(),
                    end_time=(start + dt.timedelta(minutes=20 * count)).time(),
                    slot_kind=kind,
                    valid_from=next_monday,
                    valid_until=next_monday + dt.timedelta(days=6),
                )
            schedule.agenda.closes_on_holidays = False
            schedule.agenda.save(update_fields=["closes_on_holidays"])
        existing = set(
            User.objects.filter(email__startswith="bench.paciente").values_list("email", flat=True)
        )
        User.objects.bulk_create(
            [
                User(
                    email=email,
                    full_name=f"Paciente de Bancada {index:04d}",
                    kind=UserKind.CITIZEN,
                    cpf=f"9{index:010d}",
                    password="!",
                )
                for index in range(RUSH_CITIZENS + DAY_PATIENTS)
                if (email := f"bench.paciente{index:04d}@exemplo.com.br") not in existing
            ]
        )
        users = list(User.objects.filter(email__startswith="bench.paciente").order_by("email"))
        Patient.objects.bulk_create(
            [
                Patient(user=user, cns=cns_for(10_000 + index), birth_date=dt.date(1980, 1, 1))
                for index, user in enumerate(users)
                if not Patient.objects.filter(user=user).exists()
            ]
        )
        ids = [user.pk for user in users]
        schedule_ids = [schedule.pk for schedule in schedules]
    rules_zone = timezone.get_current_timezone()
    opening = dt.datetime.combine(opening_day, dt.time(7, 0), rules_zone)
    return municipality, ids, schedule_ids, next_monday, opening


def _rush_client(
    municipality: Any, citizen_id: int, schedule_ids: list[int], now: dt.datetime, seed: int
) -> list[tuple[str, float]]:
    from django.db import connection

    from paco.errors import ApplicationError
    from tenant_apps.accounts.models import User
    from tenant_apps.health.models import Patient, Schedule
    from tenant_apps.health.selectors import free_slots
    from tenant_apps.health.services import health_appointment_book

    attempts: list[tuple[str, float]] = []
    chooser = random.Random(seed)  # noqa: S311 - not security: which free slot a citizen clicks
    try:
        connection.set_tenant(municipality)
        citizen = User.objects.get(pk=citizen_id)
        patient = Patient.objects.get(user=citizen)
        schedules = {
            item.pk: item
            for item in Schedule.objects.filter(pk__in=schedule_ids).select_related(
                "agenda", "professional__resource", "specialty", "unit"
            )
        }
        specialty = next(iter(schedules.values())).specialty
        for _round in range(50):
            slots = [
                item
                for item in free_slots(specialty=specialty, patient=patient, now=now)
                if item.schedule.pk in schedules
            ]
            if not slots:
                attempts.append(("none left", 0.0))
                return attempts
            pick = chooser.choice(slots[: max(1, len(slots) // 4)])  # most click one of the first times
            started = time.perf_counter_ns()
            try:
                health_appointment_book(
                    citizen=citizen, schedule=schedules[pick.schedule.pk], starts_at=pick.starts_at, now=now
                )
                attempts.append(("booked", (time.perf_counter_ns() - started) / 1e6))
                return attempts
            except ApplicationError as error:
                attempts.append(
                    (
                        error.extra.get("code", "refused") if error.extra else "refused",
                        (time.perf_counter_ns() - started) / 1e6,
                    )
                )
            except Exception as error:  # noqa: BLE001 - reported by the bench
                attempts.append(
                    (f"ERROR {type(error).__name__}: {error}", (time.perf_counter_ns() - started) / 1e6)
                )
                return attempts
        return attempts
    finally:
        connection.close()


def _double_bookings(schedule_ids: list[int]) -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM scheduling_appointment a JOIN scheduling_appointment b
              ON a.resource_id = b.resource_id AND a.seat = b.seat AND a.id < b.id
             AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
             WHERE a.status <> 'cancelado' AND b.status <> 'cancelado'
            """
        )
        overlaps = int(cursor.fetchone()[0])
        cursor.execute(
            """
            SELECT count(*) FROM (SELECT citizen_id FROM scheduling_appointment a
              JOIN health_schedule s ON s.agenda_id = a.agenda_id
             WHERE a.status = 'agendado' AND s.id = ANY(%s) GROUP BY citizen_id HAVING count(*) > 1) t
            """,
            [schedule_ids],
        )
        twice = int(cursor.fetchone()[0])
    return overlaps, twice


def _day_page(municipality: Any, patient_ids: list[int]) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tenants.utils import tenant_context

    from tenant_apps.accounts.models import User
    from tenant_apps.health.models import Schedule
    from tenant_apps.scheduling.models import Appointment

    day = timezone.localdate() + dt.timedelta(days=30)
    zone = timezone.get_current_timezone()
    host = f"{municipality.slug}.localhost"
    with tenant_context(municipality):
        schedule = (
            Schedule.objects.select_related("agenda", "professional__user", "professional__resource")
            .filter(specialty__code="pediatria")
            .first()
        )
        doctor = schedule.professional.user
        client = Client(HTTP_HOST=host)
        client.force_login(doctor, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = (
            TOTPDevice.objects.filter(user=doctor, confirmed=True).first().persistent_id
        )
        session.save()
        counts = {}
        added = 0
        for target in (10, DAY_PATIENTS):
            rows = []
            for index in range(added, target):
                starts = dt.datetime.combine(day, dt.time(7, 0), zone) + dt.timedelta(minutes=15 * index)
                rows.append(
                    Appointment(
                        code=secrets.token_urlsafe(12),
                        agenda=schedule.agenda,
                        resource=schedule.professional.resource,
                        citizen_id=patient_ids[index],
                        booked_by_id=patient_ids[index],
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(minutes=15),
                    )
                )
            Appointment.objects.bulk_create(rows)
            added = target
            client.get("/staff/saude/agenda/", {"dia": day.isoformat()})
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/staff/saude/agenda/", {"dia": day.isoformat()})
            assert response.status_code == 200, response.status_code
            counts[target] = len(queries.captured_queries)
        timings = []
        for _ in range(DAY_RUNS):
            started = time.perf_counter_ns()
            client.get("/staff/saude/agenda/", {"dia": day.isoformat()})
            timings.append((time.perf_counter_ns() - started) / 1e6)
        del User
    print(
        f"\n  professional's day page: queries with 10 patients {counts[10]}, "
        f"with {DAY_PATIENTS} {counts[DAY_PATIENTS]} "
        f"({'constant' if counts[10] == counts[DAY_PATIENTS] else 'NOT constant'})"
    )
    print(milliseconds_header(f"GET /staff/saude/agenda/ ({DAY_PATIENTS} patients)"))
    print(milliseconds_line("day page", timings))


def health_benches() -> None:
    from django.conf import settings
    from django.db import connection
    from django_tenants.utils import tenant_context

    from tenant_apps.health.models import Schedule
    from tenant_apps.scheduling.models import SlotKind
    from tenant_apps.scheduling.slots import slot_grid
    from tests.bench.protocolo import jobs_held_in_memory

    print("\n== health ==", flush=True)
    print(
        f"  cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
        f"load {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)"
    )
    municipality, ids, schedule_ids, monday, opening = _setup()
    with tenant_context(municipality):
        slots = 0
        for schedule in Schedule.objects.filter(pk__in=schedule_ids).select_related("agenda"):
            kind = SlotKind.objects.get(agenda=schedule.agenda, code="primeira")
            slots += len(
                [
                    s
                    for s in slot_grid(
                        agenda=schedule.agenda,
                        first_day=monday,
                        last_day=monday + dt.timedelta(days=6),
                        slot_kind=kind,
                    ).slots
                    if s.slot_kind_id == kind.pk
                ]
            )
    connection.set_schema_to_public()
    now = opening + dt.timedelta(seconds=1)
    with jobs_held_in_memory():
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=RUSH_WORKERS) as pool:
            results = list(
                pool.map(
                    lambda pair: _rush_client(municipality, pair[1], schedule_ids, now, pair[0]),
                    enumerate(ids[:RUSH_CITIZENS]),
                )
            )
        wall = time.perf_counter() - started
    with tenant_context(municipality):
        overlaps, twice = _double_bookings(schedule_ids)
    attempts = [item for result in results for item in result if item[0] != "none left"]
    booked = [item for item in attempts if item[0] == "booked"]
    errors = [item for item in attempts if item[0].startswith("ERROR")]
    latencies = [ms for _outcome, ms in attempts]
    print(
        f"  opening rush: {RUSH_CITIZENS} citizens, {slots} first-visit slots in the week of "
        f"{monday:%d/%m/%Y} (opened {opening:%d/%m %H:%M}), {RUSH_WORKERS} connections"
    )
    print(
        f"    bookings: {len(booked)} of {slots} slots ({'exactly' if len(booked) == slots else 'NOT'}); "
        f"double bookings: {overlaps}; citizens with two: {twice}; errors: {len(errors)}"
    )
    print(
        f"    {len(attempts)} booking attempts in {wall:.2f} s: {len(booked) / wall:.1f} bookings/s; "
        f"attempt latency p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
        f"p99 {percentile(latencies, 0.99):.0f} ms"
    )
    for outcome in sorted({outcome for outcome, _ms in attempts if outcome != "booked"})[:4]:
        print(f"    refused: {outcome[:160]}")
    _day_page(municipality, ids[RUSH_CITIZENS:])
    connection.set_schema_to_public()
