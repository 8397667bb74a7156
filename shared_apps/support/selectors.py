"""Vendor support's reads: the console's rows (a fixed number of queries for any number of cities),
a city's detail, support sessions and their audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from tenants.models import Municipality

from .enums import AccessMode
from .models import ErrorTally, SupportAccessPolicy, SupportActionLog, SupportAuditEntry, SupportSession


def support_policy_mode(*, municipality: Municipality) -> str:
    policy = SupportAccessPolicy.objects.filter(municipality=municipality).first()
    return policy.mode if policy else AccessMode.APPROVAL


@dataclass(frozen=True)
class ErrorCounts:
    last_24_hours: int
    last_7_days: int


def _error_windows(now: dt.datetime) -> tuple[Q, Q]:
    local = timezone.localtime(now)
    day_ago = local - dt.timedelta(hours=23)  # the current hour and the 23 before it
    in_24_hours = Q(day__gt=day_ago.date()) | Q(day=day_ago.date(), hour__gte=day_ago.hour)
    in_7_days = Q(day__gt=(local - dt.timedelta(days=7)).date())
    return in_24_hours, in_7_days


def error_counts_by_municipality(*, now: dt.datetime | None = None) -> dict[int, ErrorCounts]:
    """Errors per city in the last 24 hours and the last 7 days (one query)."""
    in_24_hours, in_7_days = _error_windows(now or timezone.now())
    rows = (
        ErrorTally.objects.filter(in_7_days)
        .values("municipality_id")
        .annotate(day=Sum("count", filter=in_24_hours), week=Sum("count"))
    )
    return {row["municipality_id"]: ErrorCounts(row["day"] or 0, row["week"] or 0) for row in rows}


def _storage_latest_by_municipality() -> dict[int, tuple[dt.date, int]]:
    """The latest storage measurement (day, bytes) of every city that has one (one query)."""
    try:
        from shared_apps.metering.models import UsageDaily
    except ImportError:  # pragma: no cover - metering not there yet
        return {}
    rows = (
        UsageDaily.objects.filter(metric="storage_gb")
        .order_by("municipality_id", "-day")
        .distinct("municipality_id")
        .values_list("municipality_id", "day", "quantity")
    )
    return {municipality_id: (day, quantity) for municipality_id, day, quantity in rows}


def _usage_by_municipality(municipalities: list[Municipality], *, now: dt.datetime) -> dict[int, Any]:
    """Current-period usage of every city, priced as `metering.selectors.usage_current_period` does
    for one city, in two queries for all of them (events per city window, latest storage)."""
    try:
        from shared_apps.metering import selectors as metering
    except ImportError:  # pragma: no cover - metering not there yet
        return {}
    bulk = getattr(metering, "usage_current_period_many", None)
    if bulk is not None:
        return dict(bulk(municipalities=municipalities, now=now))
    return _usage_many(metering, municipalities, now=now)


def _usage_many(metering: Any, municipalities: list[Municipality], *, now: dt.datetime) -> dict[int, Any]:
    from fractions import Fraction

    from django.conf import settings

    from shared_apps.billing.selectors import plan_for_population, plan_get
    from shared_apps.metering.enums import BYTES_PER_GB, GAUGES, Metric
    from shared_apps.metering.models import UsageEvent

    if not municipalities:
        return {}
    windows: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    for municipality in municipalities:
        subscription = getattr(municipality, "subscription", None)
        windows[municipality.pk] = metering.usage_period_bounds(subscription, now=now)
    in_window = Q()
    for municipality_id, (start, _end) in windows.items():
        in_window |= Q(municipality_id=municipality_id, occurred_at__gte=start, occurred_at__lt=now)
    counted: dict[tuple[int, str], int] = {
        (row["municipality_id"], row["metric"]): int(row["total"] or 0)
        for row in UsageEvent.objects.filter(in_window)
        .values("municipality_id", "metric")
        .annotate(total=Sum("quantity"))
    }
    storage = _storage_latest_by_municipality()
    prices = settings.BILLING_METERED_PRICES_CENTS
    usage: dict[int, Any] = {}
    for municipality in municipalities:
        subscription = getattr(municipality, "subscription", None)
        plan = (plan_get(subscription.plan_code) if subscription else None) or plan_for_population(
            municipality.population
        )
        start, end = windows[municipality.pk]
        elapsed = Fraction(int((min(now, end) - start).total_seconds()) or 1)
        length = Fraction(int((end - start).total_seconds()))
        lines = []
        for metric in Metric:
            if metric in GAUGES:
                latest = storage.get(municipality.pk)
                in_period = latest is not None and timezone.localdate(start) <= latest[
                    0
                ] <= timezone.localdate(now)
                quantity = -(-latest[1] // BYTES_PER_GB) if latest is not None and in_period else 0
                projected_quantity = quantity
            else:
                quantity = counted.get((municipality.pk, metric), 0)
                projected_quantity = metering._rounded(Fraction(quantity) * length / elapsed)
            unit_price = int(prices.get(f"{plan.code}:{metric}", 0))
            amount = quantity * unit_price
            projected_amount = (
                amount if metric in GAUGES else metering._rounded(Fraction(amount) * length / elapsed)
            )
            lines.append(
                metering.UsageLine(
                    metric=metric,
                    label=str(metric.label),
                    quantity=quantity,
                    unit_price_cents=unit_price,
                    amount_cents=amount,
                    projected_quantity=projected_quantity,
                    projected_amount_cents=projected_amount,
                )
            )
        fee = plan.monthly_fee_cents
        usage[municipality.pk] = metering.UsagePeriod(
            start=start,
            end=end,
            now=now,
            plan_code=plan.code,
            lines=lines,
            monthly_fee_cents=fee,
            total_cents=fee + sum(line.amount_cents for line in lines),
            projected_total_cents=fee + sum(line.projected_amount_cents for line in lines),
            is_billed=subscription is not None and getattr(subscription, "metering_since", None) is not None,
        )
    return usage


CONSOLE_METRICS = ("cases", "documents", "emails", "sms")


@dataclass(frozen=True)
class ConsoleRow:
    municipality: Municipality
    hostname: str
    subscription: Any
    usage: Any
    errors: ErrorCounts
    storage_bytes: int | None

    @property
    def usage_quantities(self) -> list[tuple[str, Any]]:
        """(metric, quantity so far) of the console's columns; "—" without usage."""
        quantities = {line.metric: line.quantity for line in self.usage.lines} if self.usage else {}
        return [(metric, quantities.get(metric, "—")) for metric in CONSOLE_METRICS]

    @property
    def storage_gb(self) -> str:
        if self.storage_bytes is None:
            return "—"
        return f"{self.storage_bytes / 1024**3:.2f}".replace(".", ",")


def support_console_rows(*, now: dt.datetime | None = None) -> list[ConsoleRow]:
    """Every city with its status, plan, subscription, usage, last activity, errors and storage."""
    from django.conf import settings

    municipalities = list(
        Municipality.objects.exclude(schema_name="public")
        .select_related("subscription")
        .prefetch_related("domains")
        .order_by("name")
    )
    now = now or timezone.now()
    errors = error_counts_by_municipality(now=now)
    storage = _storage_latest_by_municipality()
    usage = _usage_by_municipality(municipalities, now=now)
    rows = []
    for municipality in municipalities:
        primary = next((domain.domain for domain in municipality.domains.all() if domain.is_primary), None)
        rows.append(
            ConsoleRow(
                municipality=municipality,
                hostname=primary or f"{municipality.slug}.{settings.TENANT_DOMAIN_SUFFIX}",
                subscription=getattr(municipality, "subscription", None),
                usage=usage.get(municipality.pk),
                errors=errors.get(municipality.pk, ErrorCounts(0, 0)),
                storage_bytes=storage[municipality.pk][1] if municipality.pk in storage else None,
            )
        )
    return rows


def support_action_list(*, municipality: Municipality) -> QuerySet[SupportActionLog]:
    return SupportActionLog.objects.filter(municipality=municipality).order_by("-at", "-id")


def support_session_list(*, municipality: Municipality) -> QuerySet[SupportSession]:
    """A city's support sessions, newest first, each with its audit lines (two queries)."""
    return (
        SupportSession.objects.filter(municipality=municipality)
        .prefetch_related(Prefetch("audit_entries", queryset=SupportAuditEntry.objects.order_by("at", "id")))
        .order_by("-requested_at", "-id")
    )


def support_session_get(*, municipality: Municipality, session_id: int) -> SupportSession | None:
    return support_session_list(municipality=municipality).filter(pk=session_id).first()
