"""Metering reads: a municipality's usage in the current billing period and its projected bill."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.billing.models import Subscription
from shared_apps.billing.selectors import plan_for_population, plan_get
from tenants.models import Municipality

from .enums import BYTES_PER_GB, GAUGES, Metric
from .models import UsageDaily, UsageEvent


def cents_display(cents: int) -> str:
    """R$ 1.234,56"""
    reais, centavos = divmod(cents, 100)
    return f"R$ {reais:,}".replace(",", ".") + f",{centavos:02d}"


def _rounded(value: Fraction) -> int:
    """Half up (money and quantities shown to people)."""
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


@dataclass(frozen=True)
class UsageLine:
    metric: str
    label: str
    quantity: int  # GB for storage
    unit_price_cents: int
    amount_cents: int
    projected_quantity: int
    projected_amount_cents: int

    @property
    def unit_price_display(self) -> str:
        return cents_display(self.unit_price_cents)

    @property
    def amount_display(self) -> str:
        return cents_display(self.amount_cents)

    @property
    def projected_amount_display(self) -> str:
        return cents_display(self.projected_amount_cents)


@dataclass(frozen=True)
class UsagePeriod:
    start: dt.datetime
    end: dt.datetime
    now: dt.datetime
    plan_code: str
    lines: list[UsageLine]
    monthly_fee_cents: int
    total_cents: int  # fee + usage so far
    projected_total_cents: int  # fee + usage extrapolated to the end of the period
    is_billed: bool  # False during a trial without a Stripe customer: usage is shown, not charged

    @property
    def last_moment(self) -> dt.datetime:
        """The period's last instant (`end` is exclusive), for "de 01/11 a 30/11"."""
        return self.end - dt.timedelta(microseconds=1)

    @property
    def monthly_fee_display(self) -> str:
        return cents_display(self.monthly_fee_cents)

    @property
    def total_display(self) -> str:
        return cents_display(self.total_cents)

    @property
    def projected_total_display(self) -> str:
        return cents_display(self.projected_total_cents)

    @property
    def billing_note(self) -> str:
        return "" if self.is_billed else _("não cobrado na avaliação")


def _calendar_month(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()  # America/Sao_Paulo
    local = timezone.localtime(now, zone)
    start = dt.datetime(local.year, local.month, 1, tzinfo=zone)
    following = dt.datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=zone)
    return start, following


def usage_period_bounds(
    subscription: Subscription | None, *, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """The subscription's current billing period, else the calendar month (America/Sao_Paulo)."""
    if (
        subscription is not None
        and subscription.current_period_start is not None
        and subscription.current_period_end is not None
        and subscription.current_period_start <= now < subscription.current_period_end
    ):
        return subscription.current_period_start, subscription.current_period_end
    return _calendar_month(now)


def _period_priced(
    *,
    municipality: Municipality,
    subscription: Subscription | None,
    bounds: tuple[dt.datetime, dt.datetime],
    counted: dict[str, int],
    storage_bytes: int | None,
    now: dt.datetime,
) -> UsagePeriod:
    plan = (plan_get(subscription.plan_code) if subscription else None) or plan_for_population(
        municipality.population
    )
    start, end = bounds
    elapsed = Fraction(int((min(now, end) - start).total_seconds()) or 1)
    length = Fraction(int((end - start).total_seconds()))
    prices = settings.BILLING_METERED_PRICES_CENTS
    lines = []
    for metric in Metric:
        if metric in GAUGES:
            quantity = -(-storage_bytes // BYTES_PER_GB) if storage_bytes else 0
            projected_quantity = quantity
        else:
            quantity = int(counted.get(metric, 0))
            projected_quantity = _rounded(Fraction(quantity) * length / elapsed)
        unit_price = int(prices.get(f"{plan.code}:{metric}", 0))
        amount = quantity * unit_price
        projected_amount = amount if metric in GAUGES else _rounded(Fraction(amount) * length / elapsed)
        lines.append(
            UsageLine(
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
    return UsagePeriod(
        start=start,
        end=end,
        now=now,
        plan_code=plan.code,
        lines=lines,
        monthly_fee_cents=fee,
        total_cents=fee + sum(line.amount_cents for line in lines),
        projected_total_cents=fee + sum(line.projected_amount_cents for line in lines),
        is_billed=subscription is not None and subscription.metering_since is not None,
    )


def usage_current_period_many(
    *, municipalities: list[Municipality], now: dt.datetime | None = None
) -> dict[int, UsagePeriod]:
    """`usage_current_period` of many municipalities (by id), in three queries whatever their number:
    subscriptions, the events of each one's period, the latest storage measurements."""
    now = now or timezone.now()
    if not municipalities:
        return {}
    ids = [municipality.pk for municipality in municipalities]
    subscriptions = {row.municipality_id: row for row in Subscription.objects.filter(municipality_id__in=ids)}
    bounds = {pk: usage_period_bounds(subscriptions.get(pk), now=now) for pk in ids}
    in_period = Q()
    for pk, (start, _end) in bounds.items():
        in_period |= Q(municipality_id=pk, occurred_at__gte=start, occurred_at__lt=now)
    counted: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for municipality_id, metric, total in (
        UsageEvent.objects.filter(in_period)
        .values_list("municipality_id", "metric")
        .annotate(total=Sum("quantity"))
        .values_list("municipality_id", "metric", "total")
    ):
        counted[municipality_id][metric] = int(total or 0)
    storage: dict[int, int] = {}
    for municipality_id, day, quantity in (
        UsageDaily.objects.filter(
            municipality_id__in=ids, metric__in=GAUGES, day__lte=timezone.localdate(now)
        )
        .order_by("municipality_id", "-day")
        .distinct("municipality_id")
        .values_list("municipality_id", "day", "quantity")
    ):
        if day >= timezone.localdate(bounds[municipality_id][0]):
            storage[municipality_id] = quantity
    return {
        municipality.pk: _period_priced(
            municipality=municipality,
            subscription=subscriptions.get(municipality.pk),
            bounds=bounds[municipality.pk],
            counted=counted[municipality.pk],
            storage_bytes=storage.get(municipality.pk),
            now=now,
        )
        for municipality in municipalities
    }


def usage_current_period(*, municipality: Municipality, now: dt.datetime | None = None) -> UsagePeriod:
    """Usage of the current period so far, read live from the events, priced for display with
    BILLING_METERED_PRICES_CENTS; counters are projected linearly over the period's elapsed time,
    the storage gauge (its latest measurement, whole GB rounded up) is taken as is."""
    return usage_current_period_many(municipalities=[municipality], now=now)[municipality.pk]
