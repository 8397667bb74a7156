"""Reporting to Stripe Billing meters: exactly the expected meter events, never twice, whatever
fails (re-runs, a crash between Stripe's answer and our bookkeeping, Stripe down)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection

from shared_apps.metering.enums import BYTES_PER_GB
from shared_apps.metering.models import UsageDaily, UsageReport
from shared_apps.metering.services import ReportResult, usage_aggregate, usage_gauge_set, usage_report
from tests.billing.conftest import API_KEY
from tests.metering.conftest import end_of_day, local, meter_requests, record, subscribe

NOW = local(25, 12)


def _sent(stub) -> list[tuple[str, str, str, str, str, str]]:
    return [
        (
            request.params["event_name"],
            request.params["payload[stripe_customer_id]"],
            request.params["payload[value]"],
            request.params["identifier"],
            request.params["timestamp"],
            request.headers["idempotency-key"],
        )
        for request in meter_requests(stub)
    ]


def _reports() -> list[tuple[str, int, str]]:
    return list(UsageReport.objects.order_by("identifier").values_list("identifier", "quantity", "status"))


def test_reporting_sends_exactly_the_expected_meter_events(
    aracaju, gravatai, aracaju_subscribed, stripe_server
):
    # given: Aracaju used cases and e-mails on two days; Gravataí has no Stripe customer (trial)
    record(aracaju, "cases", "case:1", local(20, 9))
    record(aracaju, "cases", "case:2", local(20, 17))
    record(aracaju, "emails", "notification:1", local(20, 9), quantity=3)
    record(aracaju, "cases", "case:3", local(25, 10))
    record(gravatai, "cases", "case:1", local(20, 9))
    usage_aggregate(now=NOW)

    # when
    result = usage_report(now=NOW)

    # then
    assert result == ReportResult(sent=3, resent=0, failed=0)
    assert _sent(stripe_server) == [
        ("paco_cases", "cus_aracaju", "2", "paco:aracaju:cases:2026-11-20:1", str(end_of_day(20)),
         "paco:aracaju:cases:2026-11-20:1"),
        ("paco_emails", "cus_aracaju", "3", "paco:aracaju:emails:2026-11-20:1", str(end_of_day(20)),
         "paco:aracaju:emails:2026-11-20:1"),
        ("paco_cases", "cus_aracaju", "1", "paco:aracaju:cases:2026-11-25:1", str(int(NOW.timestamp())),
         "paco:aracaju:cases:2026-11-25:1"),
    ]  # fmt: skip
    assert all(request.headers["authorization"] == f"Bearer {API_KEY}" for request in stripe_server.requests)
    assert stripe_server.meter_totals == {("cus_aracaju", "paco_cases"): 3, ("cus_aracaju", "paco_emails"): 3}
    assert _reports() == [
        ("paco:aracaju:cases:2026-11-20:1", 2, "sent"),
        ("paco:aracaju:cases:2026-11-25:1", 1, "sent"),
        ("paco:aracaju:emails:2026-11-20:1", 3, "sent"),
    ]
    assert (
        UsageDaily.objects.get(
            municipality=aracaju, metric="cases", day=dt.date(2026, 11, 20)
        ).reported_quantity
        == 2
    )


def test_a_rerun_sends_nothing_new_and_new_usage_is_sent_as_the_difference(
    aracaju, aracaju_subscribed, stripe_server
):
    record(aracaju, "cases", "case:1", local(24, 9))
    usage_aggregate(now=NOW)
    usage_report(now=NOW)

    again = usage_aggregate(now=NOW), usage_report(now=NOW)
    assert again == (0, ReportResult())
    assert len(meter_requests(stripe_server)) == 1

    record(aracaju, "cases", "case:2", local(24, 18))
    record(aracaju, "cases", "case:3", local(24, 19))
    record(aracaju, "cases", "case:3", local(24, 19))  # a retried job
    usage_aggregate(now=NOW)
    assert usage_report(now=NOW) == ReportResult(sent=1)

    assert [(value, identifier) for _n, _c, value, identifier, _t, _k in _sent(stripe_server)] == [
        ("1", "paco:aracaju:cases:2026-11-24:1"),
        ("2", "paco:aracaju:cases:2026-11-24:2"),
    ]
    assert stripe_server.meter_totals == {("cus_aracaju", "paco_cases"): 3}
    assert UsageDaily.objects.get(municipality=aracaju, metric="cases").reported_quantity == 3


_CRASH_ON_MARKING = """
CREATE FUNCTION metering_test_crash() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'worker killed after Stripe answered'; END $$;
CREATE TRIGGER metering_test_crash BEFORE UPDATE ON metering_usagereport
FOR EACH ROW WHEN (NEW.status = 'sent') EXECUTE FUNCTION metering_test_crash();
"""


def test_a_crash_after_stripe_accepted_is_resent_with_the_same_identifier_and_counted_once(
    aracaju, aracaju_subscribed, stripe_server
):
    # given: today's usage; the marking step fails after Stripe accepted the event (the process "dies")
    record(aracaju, "cases", "case:1", local(25, 9))
    record(aracaju, "cases", "case:2", local(25, 10))
    usage_aggregate(now=NOW)
    with connection.cursor() as cursor:
        cursor.execute(_CRASH_ON_MARKING)
    with pytest.raises(DatabaseError, match="worker killed after Stripe answered"):
        usage_report(now=NOW)
    assert _reports() == [("paco:aracaju:cases:2026-11-25:1", 2, "pending")]
    assert stripe_server.meter_totals == {("cus_aracaju", "paco_cases"): 2}

    # when: the worker comes back and the job runs again, two hours later
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER metering_test_crash ON metering_usagereport")
    result = usage_report(now=NOW + dt.timedelta(hours=2))

    # then: the very same request went again (same identifier, timestamp and idempotency key), and
    # Stripe's total is the real usage
    assert result == ReportResult(resent=1)
    first, again = _sent(stripe_server)
    assert (
        first
        == again
        == (
            "paco_cases",
            "cus_aracaju",
            "2",
            "paco:aracaju:cases:2026-11-25:1",
            str(int(NOW.timestamp())),
            "paco:aracaju:cases:2026-11-25:1",
        )
    )
    assert stripe_server.meter_totals == {("cus_aracaju", "paco_cases"): 2}
    assert _reports() == [("paco:aracaju:cases:2026-11-25:1", 2, "sent")]
    assert usage_report(now=NOW + dt.timedelta(hours=3)) == ReportResult()


def test_stripe_down_leaves_the_report_pending_and_the_next_run_sends_it_once(
    aracaju, aracaju_subscribed, stripe_server
):
    record(aracaju, "sms", "notification:1", local(23, 9), quantity=4)
    usage_aggregate(now=NOW)
    stripe_server.down = True

    failed = usage_report(now=NOW)

    assert failed == ReportResult(failed=1)
    assert _reports() == [("paco:aracaju:sms:2026-11-23:1", 4, "pending")]
    assert "recusou" in UsageReport.objects.get().error
    assert stripe_server.meter_totals == {}

    # when: Stripe is back, with more usage on the same day
    stripe_server.down = False
    record(aracaju, "sms", "notification:2", local(23, 10))
    usage_aggregate(now=NOW)
    result = usage_report(now=NOW)

    assert result == ReportResult(sent=1, resent=1)
    assert stripe_server.meter_totals == {("cus_aracaju", "paco_sms"): 5}
    assert _reports() == [
        ("paco:aracaju:sms:2026-11-23:1", 4, "sent"),
        ("paco:aracaju:sms:2026-11-23:2", 1, "sent"),
    ]
    assert UsageReport.objects.get(sequence=1).error == ""


def test_usage_before_the_stripe_customer_existed_is_never_reported(aracaju, stripe_server):
    # given: a trial with usage, then the customer created on the 22nd at 14:00
    subscribe(aracaju, customer="cus_aracaju", since=local(22, 14))
    record(aracaju, "cases", "case:1", local(21, 9))
    record(aracaju, "cases", "case:2", local(22, 9))
    record(aracaju, "cases", "case:3", local(22, 15))
    record(aracaju, "cases", "case:4", local(23, 9))
    usage_aggregate(now=NOW)

    result = usage_report(now=NOW)

    assert result == ReportResult(sent=2)
    assert [(value, identifier) for _n, _c, value, identifier, _t, _k in _sent(stripe_server)] == [
        ("1", "paco:aracaju:cases:2026-11-22:1"),
        ("1", "paco:aracaju:cases:2026-11-23:1"),
    ]
    assert usage_report(now=NOW) == ReportResult()


def test_a_municipality_without_a_stripe_customer_is_never_reported(aracaju, stripe_server):
    subscribe(aracaju, customer="", since=local(1))
    record(aracaju, "cases", "case:1", local(21, 9))
    usage_aggregate(now=NOW)

    assert usage_report(now=NOW) == ReportResult()
    assert stripe_server.requests == []


def test_days_older_than_stripe_accepts_are_not_reported(aracaju, stripe_server):
    subscribe(aracaju, customer="cus_aracaju", since=local(1, month=10))
    record(aracaju, "cases", "case:1", local(21, 9, month=10))  # 35 days before the 25th of November
    record(aracaju, "cases", "case:2", local(22, 9, month=10))
    usage_aggregate(now=NOW)

    assert usage_report(now=NOW) == ReportResult(sent=1)
    assert [identifier for _n, _c, _v, identifier, _t, _k in _sent(stripe_server)] == [
        "paco:aracaju:cases:2026-10-22:1"
    ]


def test_storage_is_reported_in_whole_gigabytes_only_when_it_changes(
    aracaju, aracaju_subscribed, stripe_server
):
    usage_gauge_set(
        municipality_id=aracaju.pk, metric="storage_gb", value=3 * BYTES_PER_GB + 1, day=dt.date(2026, 11, 24)
    )
    usage_gauge_set(municipality_id=aracaju.pk, metric="storage_gb", value=0, day=dt.date(2026, 11, 23))
    assert usage_report(now=NOW) == ReportResult(sent=1)

    # the same value measured again: nothing; a smaller one the same day: sent with the next sequence
    usage_gauge_set(
        municipality_id=aracaju.pk, metric="storage_gb", value=4 * BYTES_PER_GB, day=dt.date(2026, 11, 24)
    )
    assert usage_report(now=NOW) == ReportResult()
    usage_gauge_set(
        municipality_id=aracaju.pk, metric="storage_gb", value=2 * BYTES_PER_GB, day=dt.date(2026, 11, 24)
    )
    assert usage_report(now=NOW) == ReportResult(sent=1)

    assert [(name, value, identifier) for name, _c, value, identifier, _t, _k in _sent(stripe_server)] == [
        ("paco_storage_gb", "4", "paco:aracaju:storage_gb:2026-11-24:1"),
        ("paco_storage_gb", "2", "paco:aracaju:storage_gb:2026-11-24:2"),
    ]
    assert UsageDaily.objects.get(municipality=aracaju, day=dt.date(2026, 11, 24)).reported_quantity == 2


def test_the_customer_created_for_checkout_starts_metering(aracaju, stripe_server):
    from shared_apps.billing.models import Subscription
    from shared_apps.billing.services import subscription_checkout_start

    subscription_checkout_start(
        municipality=aracaju,
        contact_email="admin@aracaju.se.gov.br",
        success_url="http://aracaju.localhost/ok",
        cancel_url="http://aracaju.localhost/",
    )

    subscription = Subscription.objects.get(municipality=aracaju)
    assert subscription.stripe_customer_id == "cus_test_1"
    assert subscription.metering_since is not None


def test_a_metric_without_a_stripe_meter_is_kept_and_not_reported(
    aracaju, aracaju_subscribed, stripe_server, settings
):
    settings.STRIPE_METER_EVENT_NAMES = {"cases": "paco_cases"}
    record(aracaju, "video_minutes", "call:1", local(24, 9), quantity=30)
    record(aracaju, "cases", "case:1", local(24, 9))
    usage_aggregate(now=NOW)

    assert usage_report(now=NOW) == ReportResult(sent=1)
    assert stripe_server.meter_totals == {("cus_aracaju", "paco_cases"): 1}
    assert UsageDaily.objects.get(municipality=aracaju, metric="video_minutes").quantity == 30
