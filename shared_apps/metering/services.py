"""Metering writes: record usage events, aggregate them per day, report them to Stripe Billing meters.

Exactly-once billing rests on three keys:

1. `UsageEvent(municipality, metric, idempotency_key)` is unique: a recording repeated by a
   retried job counts once; it is written in the tenant service's transaction, so a rolled-back
   write is never billed.
2. `UsageDaily` is recomputed from the events (never incremented), so aggregation can run any
   number of times.
3. Every meter event sent to Stripe is first committed as a `pending` `UsageReport` with an
   `identifier` of its own; after a crash (Stripe may or may not have accepted it) the row is
   resent with the same identifier, which Stripe counts once. New usage is reported as the
   difference between the day's quantity and everything already sent or pending.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from shared_apps.billing import stripe_adapter
from shared_apps.billing.models import Subscription

from .enums import BYTES_PER_GB, COUNTERS, GAUGES, Metric, ReportStatus
from .models import UsageDaily, UsageEvent, UsageReport

logger = logging.getLogger(__name__)

# Events inserted by transactions still open when an aggregation ran are picked up by the next
# run: every run looks back at least this far past the newest aggregate it wrote.
_AGGREGATE_MARGIN = dt.timedelta(hours=2)


def _metric(value: str) -> Metric:
    try:
        return Metric(value)
    except ValueError:
        raise ValueError(f"unknown usage metric {value!r}") from None


def usage_event_record(
    *, municipality_id: int, metric: str, key: str, quantity: int, occurred_at: dt.datetime
) -> None:
    """Insert the event unless its key was already recorded (one statement, ON CONFLICT DO NOTHING).

    Runs inside the caller's transaction (paco.usage.usage_record, from a tenant service)."""
    if _metric(metric) in GAUGES:
        raise ValueError(f"{metric} is a gauge: record it with usage_gauge_record")
    if quantity <= 0:
        return
    UsageEvent.objects.bulk_create(
        [
            UsageEvent(
                municipality_id=municipality_id,
                metric=metric,
                idempotency_key=key[:200],
                quantity=quantity,
                occurred_at=occurred_at,
            )
        ],
        ignore_conflicts=True,
    )


def usage_gauge_set(*, municipality_id: int, metric: str, value: int, day: dt.date) -> None:
    """The day's measurement of a gauge (upsert: a later measurement of the same day replaces it).

    One statement, atomic on its own (no atomic block), in the caller's transaction."""
    if _metric(metric) not in GAUGES:
        raise ValueError(f"{metric} is a counter: record it with usage_record")
    UsageDaily.objects.bulk_create(
        [UsageDaily(municipality_id=municipality_id, metric=metric, day=day, quantity=max(value, 0))],
        update_conflicts=True,
        unique_fields=["municipality", "metric", "day"],
        update_fields=["quantity", "updated_at"],
    )


# --- aggregation -----------------------------------------------------------------------------------

_AGGREGATE_SQL = """
WITH touched AS (
    SELECT DISTINCT municipality_id, metric, (occurred_at AT TIME ZONE %(tz)s)::date AS day
    FROM metering_usageevent
    WHERE metric = ANY(%(counters)s) AND {where}
)
INSERT INTO metering_usagedaily
    (created_at, updated_at, municipality_id, metric, day, quantity, reported_quantity)
SELECT %(now)s, %(now)s, touched.municipality_id, touched.metric, touched.day, SUM(event.quantity), 0
FROM touched
JOIN metering_usageevent AS event
    ON event.municipality_id = touched.municipality_id
    AND event.metric = touched.metric
    AND event.occurred_at >= (touched.day::timestamp AT TIME ZONE %(tz)s)
    AND event.occurred_at < ((touched.day + 1)::timestamp AT TIME ZONE %(tz)s)
GROUP BY touched.municipality_id, touched.metric, touched.day
ON CONFLICT (municipality_id, metric, day) DO UPDATE
    SET quantity = EXCLUDED.quantity, updated_at = EXCLUDED.updated_at
    WHERE metering_usagedaily.quantity IS DISTINCT FROM EXCLUDED.quantity
"""


def usage_aggregate(*, days: Iterable[dt.date] | None = None, now: dt.datetime | None = None) -> int:
    """Recompute the daily totals of the counters from the events, in one GROUP BY upsert.

    `days`: recompute those days (local dates); by default, the days of the events recorded since
    the newest aggregate changed (less a margin for transactions still open then). Idempotent: a
    total that did not change is not written. Returns the number of daily rows written.
    """
    now = now or timezone.now()
    params: dict[str, Any] = {
        "tz": settings.TIME_ZONE,
        "now": now,
        "counters": sorted(str(metric) for metric in COUNTERS),
    }
    if days is not None:
        chosen = sorted(set(days))
        if not chosen:
            return 0
        params.update(days=chosen, first=_day_bounds(chosen[0])[0], last=_day_bounds(chosen[-1])[1])
        where = (
            "occurred_at >= %(first)s AND occurred_at < %(last)s"
            " AND (occurred_at AT TIME ZONE %(tz)s)::date = ANY(%(days)s::date[])"
        )
    else:
        newest = UsageDaily.objects.filter(metric__in=COUNTERS).aggregate(newest=Max("updated_at"))["newest"]
        params["since"] = (
            min(newest, now) - _AGGREGATE_MARGIN if newest else dt.datetime.min.replace(tzinfo=dt.UTC)
        )
        where = "created_at >= %(since)s"
    with connection.cursor() as cursor:
        cursor.execute(_AGGREGATE_SQL.format(where=where), params)
        return int(cursor.rowcount)


# --- reporting to Stripe ---------------------------------------------------------------------------


@dataclass
class ReportResult:
    sent: int = 0  # new meter events accepted by Stripe
    resent: int = 0  # pending ones (a crash or an outage before) accepted on this run
    failed: int = 0  # calls Stripe refused or did not answer: the rows stay pending


def _event_name(metric: str) -> str:
    return str(settings.STRIPE_METER_EVENT_NAMES[metric])


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _timestamp(day: dt.date, now: dt.datetime) -> dt.datetime:
    """The last second of the day, or now for today (Stripe refuses events in the future)."""
    _start, end = _day_bounds(day)
    return min(end - dt.timedelta(seconds=1), now)


def _gigabytes(size: int) -> int:
    return math.ceil(size / BYTES_PER_GB)


def _reportable(daily: UsageDaily, since: dt.datetime) -> int:
    """The day's quantity in Stripe's units, without what happened before `metering_since`."""
    if daily.metric in GAUGES:
        return _gigabytes(daily.quantity)
    start, end = _day_bounds(daily.day)
    if start < since:
        total = UsageEvent.objects.filter(
            municipality_id=daily.municipality_id,
            metric=daily.metric,
            occurred_at__gte=since,
            occurred_at__lt=end,
        ).aggregate(total=Sum("quantity"))["total"]
        return int(total or 0)
    return daily.quantity


def _report_reserve(
    *, daily_id: int, subscription: Subscription, since: dt.datetime, now: dt.datetime
) -> UsageReport | None:
    """A pending report of what Stripe has not been told about the day, committed on return.

    The daily row is locked (skip_locked): a second worker skips it instead of computing the same
    difference. Counters report the difference; gauges the day's value when it changed."""
    with transaction.atomic():
        daily = UsageDaily.objects.select_for_update(skip_locked=True).filter(pk=daily_id).first()
        if daily is None:
            return None
        reports = UsageReport.objects.filter(
            municipality_id=daily.municipality_id, metric=daily.metric, day=daily.day
        )
        reportable = _reportable(daily, since)
        if daily.metric in GAUGES:
            last = reports.order_by("-sequence").first()
            if reportable == (last.quantity if last is not None else 0):
                return None
            quantity = reportable
        else:
            told = reports.aggregate(total=Sum("quantity"))["total"] or 0
            quantity = reportable - told
            if quantity <= 0:
                return None
        sequence = (reports.aggregate(last=Max("sequence"))["last"] or 0) + 1
        schema_name = subscription.municipality.schema_name
        return UsageReport.objects.create(
            municipality_id=daily.municipality_id,
            metric=daily.metric,
            day=daily.day,
            sequence=sequence,
            quantity=quantity,
            identifier=f"paco:{schema_name}:{daily.metric}:{daily.day.isoformat()}:{sequence}",
            timestamp=_timestamp(daily.day, now),
            stripe_customer_id=subscription.stripe_customer_id,
        )


def _report_mark_sent(report: UsageReport) -> None:
    report.status = ReportStatus.SENT
    report.sent_at = timezone.now()
    report.error = ""
    report.save(update_fields=["status", "sent_at", "error", "updated_at"])
    daily = UsageDaily.objects.filter(
        municipality_id=report.municipality_id, metric=report.metric, day=report.day
    )
    if report.metric in GAUGES:
        daily.update(reported_quantity=report.quantity)
    else:
        daily.update(reported_quantity=F("reported_quantity") + report.quantity)


def _report_send(*, report_id: int) -> bool | None:
    """Send one pending report to Stripe and mark it sent; None when another worker holds it.

    The row stays locked during the call, so two workers never send it at the same time; if the
    process dies before the mark commits, the row is still pending and the next run resends it
    with the same identifier."""
    with transaction.atomic():
        report = (
            UsageReport.objects.select_for_update(skip_locked=True)
            .filter(pk=report_id, status=ReportStatus.PENDING)
            .first()
        )
        if report is None:
            return None
        try:
            stripe_adapter.meter_event_create(
                event_name=_event_name(report.metric),
                customer_id=report.stripe_customer_id,
                value=report.quantity,
                timestamp=report.timestamp,
                identifier=report.identifier,
            )
        except stripe_adapter.BillingProviderError as error:
            report.error = f"{timezone.now().isoformat()} {error.message}"[:2000]
            report.save(update_fields=["error", "updated_at"])
            logger.warning("metering: Stripe did not take %s: %s", report.identifier, error.message)
            return False
        _report_mark_sent(report)
        return True


def _municipality_report(subscription: Subscription, *, now: dt.datetime, result: ReportResult) -> None:
    since = subscription.metering_since
    assert since is not None  # noqa: S101 - filtered by the caller
    today = timezone.localdate(now)
    oldest = max(
        today - dt.timedelta(days=settings.METERING_REPORT_WINDOW_DAYS - 1), timezone.localdate(since)
    )
    municipality_id = subscription.municipality_id
    pending = UsageReport.objects.filter(
        municipality_id=municipality_id, status=ReportStatus.PENDING, day__gte=oldest, day__lte=today
    ).order_by("day", "metric", "sequence")
    for report_id in list(pending.values_list("pk", flat=True)):
        outcome = _report_send(report_id=report_id)
        if outcome is False:
            result.failed += 1
            return  # Stripe is unreachable or refusing: the next run resends
        result.resent += int(bool(outcome))
    # a metric without a Stripe meter configured (STRIPE_METER_EVENT_NAMES) is kept, not reported
    days = UsageDaily.objects.filter(
        municipality_id=municipality_id,
        metric__in=list(settings.STRIPE_METER_EVENT_NAMES),
        day__gte=oldest,
        day__lte=today,
    )
    for daily_id in list(days.order_by("day", "metric").values_list("pk", flat=True)):
        report = _report_reserve(daily_id=daily_id, subscription=subscription, since=since, now=now)
        if report is None:
            continue
        outcome = _report_send(report_id=report.pk)
        if outcome is False:
            result.failed += 1
            return
        result.sent += int(bool(outcome))


def usage_report(*, now: dt.datetime | None = None) -> ReportResult:
    """Report to Stripe Billing meters what each subscribed municipality used and Stripe has not
    been told yet, over the days Stripe still accepts (METERING_REPORT_WINDOW_DAYS) and from the
    moment its Stripe customer exists (`Subscription.metering_since`: trial usage before it is
    shown, never billed).

    Not atomic on purpose: each pending row is committed before its Stripe call and marked sent
    after it, so any re-run, concurrent or after a crash, sends every unit exactly once.
    """
    now = now or timezone.now()
    result = ReportResult()
    subscriptions = (
        Subscription.objects.select_related("municipality")
        .exclude(stripe_customer_id="")
        .filter(metering_since__isnull=False)
        .order_by("pk")
    )
    for subscription in subscriptions:
        _municipality_report(subscription, now=now, result=result)
    logger.info("metering: %s", result)
    return result
