import datetime as dt
import threading
import zoneinfo

from django.db import connection
from dramatiq import Message
from dramatiq.brokers.stub import StubBroker

from paco.models import ScheduledRun
from paco.scheduler import periodic_jobs, schedule_due, scheduler_tick

SAO_PAULO = zoneinfo.ZoneInfo("America/Sao_Paulo")
DIGEST = {
    "name": "staff-digest",
    "actor": "tenant_apps.notifications.tasks.notifications_digest_task",
    "every": "daily",
    "at": "18:00",
    "per_tenant": True,
}


JOBS = [DIGEST]  # these tests are about the scheduler itself: a schedule of one known job


def _at(hour: int, minute: int = 0, day: int = 23) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SAO_PAULO)


def test_the_daily_digest_is_due_from_its_hour(db):
    assert schedule_due(now=_at(17, 59), jobs=JOBS) == []
    assert [(entry["name"], period) for entry, period in schedule_due(now=_at(18, 0), jobs=JOBS)] == [
        ("staff-digest", "2026-11-23")
    ]


def test_a_due_job_is_enqueued_once_per_period_and_per_municipality(db):
    broker = StubBroker()

    first = scheduler_tick(now=_at(18, 5), broker=broker, jobs=JOBS)
    again = scheduler_tick(now=_at(21, 0), broker=broker, jobs=JOBS)
    next_day = scheduler_tick(now=_at(18, 1, day=24), broker=broker, jobs=JOBS)

    messages = [broker.queues["default"].get_nowait() for _ in range(broker.queues["default"].qsize())]
    decoded = sorted(
        (message.options["schema_name"], message.kwargs["period"])
        for message in (Message.decode(raw) for raw in messages)
    )
    assert (first, again, next_day) == (["staff-digest"], [], ["staff-digest"])
    assert decoded == [
        ("aracaju", "2026-11-23"),
        ("aracaju", "2026-11-24"),
        ("gravatai", "2026-11-23"),
        ("gravatai", "2026-11-24"),
    ]
    assert list(ScheduledRun.objects.order_by("period").values_list("name", "period", "tenants")) == [
        ("staff-digest", "2026-11-23", 2),
        ("staff-digest", "2026-11-24", 2),
    ]


def test_concurrent_workers_run_a_period_only_once(django_db_setup, django_db_blocker):
    # given: four worker processes' schedulers ticking at the same moment, each with its own connection
    results: list[list[str]] = []
    brokers = [StubBroker() for _ in range(4)]
    barrier = threading.Barrier(4)
    moment = _at(18, 0, day=2)

    def tick(broker: StubBroker) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(scheduler_tick(now=moment, broker=broker, jobs=JOBS))
        finally:
            connection.close()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=tick, args=(broker,)) for broker in brokers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        runs = ScheduledRun.objects.filter(period="2026-11-02").count()
        ScheduledRun.objects.filter(period="2026-11-02").delete()

    assert sorted(len(names) for names in results) == [0, 0, 0, 1]
    assert runs == 1
    assert (
        sum(broker.queues.get("default").qsize() if "default" in broker.queues else 0 for broker in brokers)
        == 2
    )


def test_the_jobs_come_from_the_apps_jobs_modules():
    names = [entry["name"] for entry in periodic_jobs()]

    assert sorted(names) == [
        "billing-grace",
        "billing-reminders",
        "custom-domains-verify",
        "health-slot-offers",
        "insights-aggregate",
        "metering-report",
        "metering-storage",
        "notifications-outbox",
        "offboarding-deletions",
        "ombudsman-escalate",
        "onboarding-expire",
        "onboarding-stalled",
        "payments-guides-expire",
        "permits-preanalysis-stalled",
        "permits-renewal-reminder",
        "permits-tacit-approval",
        "scheduling-reminders",
        "schema-pool-fill",
        "staff-digest",
        "support-sessions-expire",
    ]
    assert len(set(names)) == len(names)
    assert DIGEST in periodic_jobs()


def test_tenant_jobs_skip_suspended_cities(aracaju, gravatai):
    from tenants.services import municipality_set_status

    municipality_set_status(municipality=gravatai, status="suspended")

    scheduler_tick(now=_at(18, 5), broker=(broker := StubBroker()), jobs=JOBS)

    messages = [
        Message.decode(broker.queues["default"].get_nowait()) for _ in range(broker.queues["default"].qsize())
    ]
    assert [message.options["schema_name"] for message in messages] == ["aracaju"]
