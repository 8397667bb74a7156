"""The circulars bench (issue 4): a circular to every staff member of a city, and the sender's page.

In the demo city Aracaju (grown to 20 units, as in tests/bench/protocolo.py) inside the scratch
database, BENCH_COMMS_STAFF staff members are bulk-created with a current membership each, spread
over the units. Then:

- fan-out: a circular to everyone (`everyone=True`) goes through `circular_send`; the clock runs
  from the send until every receipt and notification exists and the jobs are drained. With
  REDIS_URL set the jobs run in a real worker process (`manage.py rundramatiq --processes 1
  --threads 4`) on the real Redis broker, on a namespace of this run's own and the scratch
  database; without it, the fan-out runs in this process (`circular_fanout`) and the e-mail
  delivery jobs are not run. A second run of the job must add no rows.
- sender page: GET /staff/circulares/<id>/ as a verified manager of the sender unit, with some
  receipts acknowledged and some opened: p50/p95 next to the target, and its query count.

Times are printed, never asserted. Knobs (environment): BENCH_COMMS_STAFF (default 5000),
BENCH_COMMS_PAGE_RUNS (30), BENCH_COMMS_WORKER_TIMEOUT (600 seconds).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.bench.figures import milliseconds_header, milliseconds_line, percentile

STAFF_N = int(os.environ.get("BENCH_COMMS_STAFF", "5000"))
PAGE_RUNS = int(os.environ.get("BENCH_COMMS_PAGE_RUNS", "30"))
WORKER_TIMEOUT_SECONDS = float(os.environ.get("BENCH_COMMS_WORKER_TIMEOUT", "600"))
WARMUP_RUNS = 5
WORKER_THREADS = 4
PAGE_TARGET_MS = 200.0  # the issue: the sender's acknowledgement page with 5,000 receipts
SENDER_UNIT = "SEGOV"
MANAGER_EMAIL = "gestora.circulares@aracaju.se.gov.br"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CommsCity:
    municipality: Any
    host: str
    sender_unit_id: int
    manager_id: int
    staff_ids: list[int]
    units_n: int


# --- the city ------------------------------------------------------------------------------------


def city_setup() -> CommsCity:
    """Aracaju with 20 units, a verified manager of SEGOV and STAFF_N staff members spread over the units."""
    import datetime as dt

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo
    from tenant_apps.accounts.enums import UserKind
    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.services import totp_device_ensure, user_ensure
    from tenant_apps.org.enums import Role
    from tenant_apps.org.models import Membership, OrgUnit
    from tenant_apps.org.services import membership_ensure, org_unit_ensure
    from tenants.services import municipality_provision
    from tests.bench.protocolo import EXTRA_UNITS

    municipality = municipality_provision(spec=demo.ARACAJU)
    demo.demo_people_seed(municipality)
    domain = municipality.domains.filter(is_primary=True).first()
    host = domain.domain if domain is not None else f"{municipality.slug}.localhost"
    with tenant_context(municipality):
        for code, acronym, name, kind, parent in EXTRA_UNITS:
            parent_unit = OrgUnit.objects.get(acronym=parent) if parent else None
            org_unit_ensure(code=code, acronym=acronym, name=name, kind=kind, parent=parent_unit)
        units = list(OrgUnit.objects.filter(is_active=True).order_by("code"))
        sender = next(unit for unit in units if unit.acronym == SENDER_UNIT)
        manager = user_ensure(
            email=MANAGER_EMAIL,
            full_name="Gestora de Circulares",
            kind=UserKind.STAFF,
            password=demo.DEMO_PASSWORD,
        )
        membership_ensure(user_id=manager.pk, unit=sender, role=Role.MANAGER)
        totp_device_ensure(user=manager, key_hex=demo.DEMO_TOTP_KEY_HEX)

        password = make_password(None)  # unusable: nobody logs in as them
        first_names = (
            "Ana",
            "Bruno",
            "Carla",
            "Diego",
            "Elisa",
            "Fábio",
            "Gabriela",
            "Heitor",
            "Íris",
            "João",
        )
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(
                        email=f"servidor{index:05d}@circulares.aracaju.se.gov.br",
                        full_name=f"{first_names[index % len(first_names)]} Servidor {index:05d}",
                        kind=UserKind.STAFF,
                        password=password,
                        is_active=True,
                    )
                    for index in range(STAFF_N)
                ],
                batch_size=1000,
            )
            yesterday = timezone.localdate() - dt.timedelta(days=1)
            Membership.objects.bulk_create(
                [
                    Membership(
                        user_id=user.pk,
                        unit_id=units[index % len(units)].pk,
                        role=Role.STAFF,
                        starts_on=yesterday,
                    )
                    for index, user in enumerate(users)
                ],
                batch_size=1000,
            )
    return CommsCity(municipality, host, sender.pk, manager.pk, [user.pk for user in users], len(units))


def _row_counts(circular_id: int) -> dict[str, int]:
    from tenant_apps.comms.models import CircularReceipt
    from tenant_apps.notifications.models import Notification, NotificationEvent

    notifications = Notification.objects.filter(subject_kind="circular", subject_id=circular_id)
    return {
        "receipts": CircularReceipt.objects.filter(circular_id=circular_id).count(),
        "notified": CircularReceipt.objects.filter(
            circular_id=circular_id, notified_at__isnull=False
        ).count(),
        "notifications": notifications.count(),
        "events": NotificationEvent.objects.filter(notification__in=notifications).count(),
    }


# --- the worker ----------------------------------------------------------------------------------


def _database_url() -> str:
    """The scratch database as a DATABASE_URL for another process (TCP host or unix socket dir)."""
    from django.db import connection

    database = connection.settings_dict
    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    host, port, name = database["HOST"] or "", database["PORT"] or "", quote(database["NAME"], safe="")
    if host.startswith("/"):
        return f"postgres://{user}{password}@:{port}/{quote(host, safe='')}/{name}"
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _worker_start(namespace: str, log_path: Path) -> subprocess.Popen[bytes]:
    from django.conf import settings

    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "paco.settings.test"),
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DRAMATIQ_NAMESPACE": namespace,
        "PYTHONUNBUFFERED": "1",
    }
    environment.pop("SENTRY_DSN", None)
    with log_path.open("wb") as output:
        return subprocess.Popen(
            [
                sys.executable,
                "src/manage.py",
                "rundramatiq",
                "--processes",
                "1",
                "--threads",
                str(WORKER_THREADS),
                "--path",
                str(ROOT),
                str(ROOT / "src"),
            ],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _worker_stop(worker: subprocess.Popen[bytes]) -> None:
    # dramatiq forks its worker processes into the session started for it: stop the whole group.
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def _worker_check(worker: subprocess.Popen[bytes], log_path: Path, deadline: float, what: str) -> None:
    if worker.poll() is not None:
        raise RuntimeError(
            f"the worker exited with {worker.returncode}:\n{log_path.read_text(errors='replace')}"
        )
    if time.monotonic() > deadline:
        raise RuntimeError(f"{what}: no answer from the worker in {WORKER_TIMEOUT_SECONDS:.0f} s")


def _worker_ready_wait(worker: subprocess.Popen[bytes], log_path: Path, broker: Any) -> float:
    """Round-trip a ping job (public schema) through the worker; returns the seconds it took."""
    from django.core.cache import cache

    from tenant_apps.org.tasks import jobs_ping_task, ping_cache_key

    started = time.perf_counter()
    nonce = f"bench-{uuid.uuid4().hex}"
    original = jobs_ping_task.broker
    jobs_ping_task.broker = broker
    try:
        jobs_ping_task.send_with_options(kwargs={"nonce": nonce}, schema_name="public")
    finally:
        jobs_ping_task.broker = original
    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while cache.get(ping_cache_key(nonce)) is None:
        _worker_check(worker, log_path, deadline, "worker start")
        time.sleep(0.1)
    return time.perf_counter() - started


def _drain_wait(worker: subprocess.Popen[bytes], log_path: Path, broker: Any) -> None:
    """Until the namespace's queues (and their delay queues) hold no message, acked or not."""
    from dramatiq.common import dq_name

    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    queues = {"default"} | set(broker.queues)
    while any(broker.do_qsize(name) or broker.do_qsize(dq_name(name)) for name in queues):
        _worker_check(worker, log_path, deadline, "drain")
        time.sleep(0.05)


# --- fan-out -------------------------------------------------------------------------------------


def _circular_send(city: CommsCity, subject: str) -> Any:
    from tenant_apps.accounts.models import User
    from tenant_apps.comms.services import circular_send
    from tenant_apps.org.models import OrgUnit

    return circular_send(
        author=User.objects.get(pk=city.manager_id),
        sender_unit=OrgUnit.objects.get(pk=city.sender_unit_id),
        subject=subject,
        body="A partir de segunda-feira o expediente externo será das 8h às 14h.",
        everyone=True,
    )


def _fanout_report(label: str, seconds: float, recipients: int) -> None:
    per_recipient = seconds * 1000 / recipients if recipients else float("nan")
    print(f"    {label:52} {seconds:8.2f} s  ({per_recipient:6.2f} ms per recipient)")


def fanout_bench_worker(city: CommsCity) -> int:
    """circular_send, then circular_fanout_task in a real rundramatiq process on Redis; returns the
    circular id."""
    import dramatiq
    from django.conf import settings
    from django.utils.module_loading import import_string
    from django_tenants.utils import tenant_context
    from dramatiq.brokers.redis import RedisBroker

    from tenant_apps.comms.services import circular_audience_user_ids
    from tenant_apps.comms.tasks import circular_fanout_task

    namespace = f"paco-bench-{uuid.uuid4().hex}"
    middleware: list[dramatiq.Middleware] = [
        import_string(path)() for path in settings.DRAMATIQ_BROKER["MIDDLEWARE"]
    ]
    broker = RedisBroker(url=settings.REDIS_URL, namespace=namespace, middleware=middleware)
    log_path = Path(tempfile.mkdtemp(prefix="paco-bench-worker-")) / "worker.log"
    print(
        f"  worker: rundramatiq --processes 1 --threads {WORKER_THREADS}, Redis {settings.REDIS_URL},"
        f" namespace {namespace}"
    )
    worker = _worker_start(namespace, log_path)
    original_broker = circular_fanout_task.broker
    try:
        ready = _worker_ready_wait(worker, log_path, broker)
        print(f"    {'worker ready (ping job round trip)':52} {ready:8.2f} s")
        circular_fanout_task.broker = broker
        with tenant_context(city.municipality):
            started = time.perf_counter()
            circular = _circular_send(city, "Novo horário de expediente (bancada)")
            sent = time.perf_counter() - started
            expected = len(
                circular_audience_user_ids(audience=circular.audience, exclude_user_id=city.manager_id)
            )
            deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
            while True:
                counts = _row_counts(circular.pk)
                if counts["notified"] >= expected and counts["notifications"] >= 2 * expected:
                    break
                _worker_check(worker, log_path, deadline, "fan-out")
                time.sleep(0.05)
            rows_ready = time.perf_counter() - started
            _drain_wait(worker, log_path, broker)
            drained = time.perf_counter() - started
            circular.refresh_from_db()

            counts = _row_counts(circular.pk)
            print(
                f"  circular {circular.document.number} to everyone: {expected} recipients,"
                f" {counts['receipts']} receipts, {counts['notifications']} notifications"
                f" (inbox + e-mail), {counts['events']} notification events,"
                f" recipient_count {circular.recipient_count}"
            )
            _fanout_report("circular_send (transaction, enqueue on commit)", sent, expected)
            _fanout_report("send -> all receipts + notifications exist", rows_ready, expected)
            _fanout_report("send -> every job drained (fan-out + e-mail jobs)", drained, expected)

            # a second run of the job (a retry) through the same worker
            before = _row_counts(circular.pk)
            again_started = time.perf_counter()
            circular_fanout_task.send_with_options(
                kwargs={"circular_id": circular.pk}, schema_name=city.municipality.schema_name
            )
            _drain_wait(worker, log_path, broker)
            again = time.perf_counter() - again_started
            after = _row_counts(circular.pk)
            added = {key: after[key] - before[key] for key in ("receipts", "notifications", "events")}
            print(
                f"    second run of circular_fanout_task (worker): {again:.2f} s, added rows:"
                f" receipts {added['receipts']}, notifications {added['notifications']},"
                f" events {added['events']} (total {sum(added.values())})"
            )
            return int(circular.pk)
    except BaseException:
        _worker_stop(worker)
        print(f"--- worker output ---\n{log_path.read_text(errors='replace')}", file=sys.stderr)
        raise
    finally:
        circular_fanout_task.broker = original_broker
        _worker_stop(worker)
        broker.flush_all()
        broker.close()


def fanout_bench_in_process(city: CommsCity) -> int:
    """No REDIS_URL: circular_send, then circular_fanout in this process; returns the circular id."""
    from django_tenants.utils import tenant_context

    from tenant_apps.comms.fanout import circular_fanout
    from tenant_apps.comms.services import circular_audience_user_ids

    print(
        "  REDIS_URL is unset: no real worker; the fan-out runs in this process (circular_fanout),"
        " the e-mail delivery jobs it enqueues are held in memory and never run"
    )
    with tenant_context(city.municipality):
        started = time.perf_counter()
        circular = _circular_send(city, "Novo horário de expediente (bancada)")
        sent = time.perf_counter() - started
        notified = circular_fanout(circular_id=circular.pk)
        rows_ready = time.perf_counter() - started
        circular.refresh_from_db()
        expected = len(
            circular_audience_user_ids(audience=circular.audience, exclude_user_id=city.manager_id)
        )
        counts = _row_counts(circular.pk)
        print(
            f"  circular {circular.document.number} to everyone: {expected} recipients, {notified} notified,"
            f" {counts['receipts']} receipts, {counts['notifications']} notifications (inbox + e-mail),"
            f" {counts['events']} notification events, recipient_count {circular.recipient_count}"
        )
        _fanout_report("circular_send (transaction)", sent, expected)
        _fanout_report("send -> all receipts + notifications (in-process)", rows_ready, expected)
        before = counts
        again_started = time.perf_counter()
        notified_again = circular_fanout(circular_id=circular.pk)
        again = time.perf_counter() - again_started
        after = _row_counts(circular.pk)
        added = {key: after[key] - before[key] for key in ("receipts", "notifications", "events")}
        print(
            f"    second run of circular_fanout (in-process): {again:.2f} s, {notified_again} notified,"
            f" added rows: receipts {added['receipts']}, notifications {added['notifications']},"
            f" events {added['events']} (total {sum(added.values())})"
        )
        return int(circular.pk)


# --- the sender's page ---------------------------------------------------------------------------


def sender_page_bench(city: CommsCity, circular_id: int) -> None:
    from django.db import connection
    from django.db.models import F
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tenants.utils import tenant_context

    from tenant_apps.accounts.models import User
    from tenant_apps.comms.models import CircularReceipt
    from tenant_apps.comms.selectors import circular_receipt_counts

    with tenant_context(city.municipality):
        now = timezone.now()
        ids = list(
            CircularReceipt.objects.filter(circular_id=circular_id)
            .order_by("id")
            .values_list("id", flat=True)
        )
        acknowledged = [pk for index, pk in enumerate(ids) if index % 5 in (0, 1)]  # 40 %
        opened = [pk for index, pk in enumerate(ids) if index % 5 == 2]  # 20 %
        CircularReceipt.objects.filter(pk__in=acknowledged).update(opened_at=now, acknowledged_at=now)
        CircularReceipt.objects.filter(pk__in=opened).update(opened_at=now)
        CircularReceipt.objects.filter(pk__in=ids[:50]).update(
            reminder_count=F("reminder_count") + 1, reminded_at=now
        )
        counts = circular_receipt_counts(circular=CircularReceipt.objects.get(pk=ids[0]).circular)
        client = Client(HTTP_HOST=city.host)
        manager = User.objects.get(pk=city.manager_id)
        client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
        device = TOTPDevice.objects.get(user=manager, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    connection.set_schema_to_public()

    url = f"/staff/circulares/{circular_id}/"

    def get() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    for _index in range(WARMUP_RUNS):
        get()
    with CaptureQueriesContext(connection) as captured:
        response = get()
    queries = len(captured.captured_queries)
    size_kb = len(response.content) / 1024
    times_ms: list[float] = []
    for _index in range(PAGE_RUNS):
        started = time.perf_counter()
        get()
        times_ms.append((time.perf_counter() - started) * 1000)
    connection.set_schema_to_public()

    p95 = percentile(times_ms, 0.95)
    print(
        f"\n  sender's acknowledgement page GET {url} as a verified manager of {SENDER_UNIT}"
        f" ({counts.total} receipts: {counts.acknowledged} acknowledged, {counts.opened} opened,"
        f" {counts.pending} pending; {WARMUP_RUNS} warm-up runs)"
    )
    print(milliseconds_header("page"))
    print(milliseconds_line("circular_detail (sender)", times_ms))
    print(
        f"    target p95 < {PAGE_TARGET_MS:.0f} ms: p95 {p95:.2f} ms"
        f" ({'within' if p95 < PAGE_TARGET_MS else 'OVER'} target on this machine);"
        f" {queries} queries per request; {size_kb:.0f} KiB of HTML"
    )


# --- entry point ---------------------------------------------------------------------------------


def comms_benches() -> None:
    from django.conf import settings
    from django.db import connection

    from tests.bench.protocolo import jobs_held_in_memory

    print(f"\nCircular fan-out and the sender's page ({STAFF_N} staff, {PAGE_RUNS} page runs)", flush=True)
    started = time.perf_counter()
    with jobs_held_in_memory():
        city = city_setup()
        print(
            f"  city {city.municipality.slug}: {STAFF_N} staff members with a current membership each,"
            f" bulk-created over {city.units_n} units; sender {SENDER_UNIT}"
            f" ({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        if settings.REDIS_URL:
            circular_id = fanout_bench_worker(city)
        else:
            circular_id = fanout_bench_in_process(city)
        sender_page_bench(city, circular_id)
    connection.set_schema_to_public()
