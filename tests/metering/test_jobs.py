"""The scheduled jobs: declared in the apps' jobs.py, the hourly report end to end, concurrent workers."""

from __future__ import annotations

import datetime as dt
import threading

from django.db import connection
from django.utils import timezone

from paco.scheduler import periodic_jobs
from shared_apps.billing.models import Subscription
from shared_apps.metering.models import UsageDaily, UsageEvent, UsageReport
from shared_apps.metering.services import ReportResult, usage_aggregate, usage_report
from shared_apps.metering.tasks import metering_report_task
from tenants.models import Municipality
from tests.metering.conftest import local, meter_requests, record, subscribe

NOW = local(25, 12)


def test_the_schedule_has_the_hourly_report_and_the_daily_storage_measurement():
    entries = {entry["name"]: entry for entry in periodic_jobs()}

    assert entries["metering-report"] == {
        "name": "metering-report",
        "actor": "shared_apps.metering.tasks.metering_report_task",
        "every": "hourly",
        "per_tenant": False,
    }
    assert entries["metering-storage"] == {
        "name": "metering-storage",
        "actor": "tenant_apps.documents.tasks.documents_storage_measure_task",
        "every": "daily",
        "at": "22:00",
        "per_tenant": True,
    }


def test_the_hourly_job_aggregates_then_reports(aracaju, aracaju_subscribed, stripe_server):
    record(aracaju, "documents", "document:1", timezone.now() - dt.timedelta(minutes=1), quantity=2)

    metering_report_task(period="2026-11-30T22")
    metering_report_task(period="2026-11-30T23")

    assert stripe_server.meter_totals == {("cus_aracaju", "paco_documents"): 2}
    assert len(meter_requests(stripe_server)) == 1


def test_two_workers_reporting_at_once_send_every_meter_event_once(
    django_db_setup, django_db_blocker, stripe_server
):
    # given: committed usage on 24 days (n cases on day n), and three workers starting together
    results: list[ReportResult] = []
    barrier = threading.Barrier(3)

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(usage_report(now=NOW))
        finally:
            connection.close()

    with django_db_blocker.unblock():
        aracaju = Municipality.objects.get(slug="aracaju")
        try:
            subscribe(aracaju, customer="cus_concurrent", since=local(1, 0))
            for day in range(1, 25):
                for n in range(day):
                    record(aracaju, "cases", f"case:{day}:{n}", local(day, 9))
            connection.set_schema_to_public()
            usage_aggregate(now=NOW)

            # when
            threads = [threading.Thread(target=work) for _ in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            reports = list(UsageReport.objects.filter(municipality=aracaju).values_list("status", flat=True))
        finally:
            for model in (UsageReport, UsageDaily, UsageEvent):
                model.objects.filter(municipality=aracaju).delete()
            Subscription.objects.filter(municipality=aracaju).delete()

    # then: 24 meter events, each sent by exactly one worker
    identifiers = [request.params["identifier"] for request in meter_requests(stripe_server)]
    assert len(identifiers) == len(set(identifiers)) == 24
    assert sum(result.sent + result.resent for result in results) == 24
    assert sum(result.failed for result in results) == 0
    assert stripe_server.meter_totals == {("cus_concurrent", "paco_cases"): 300}
    assert reports == ["sent"] * 24
