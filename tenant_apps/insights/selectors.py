"""Reads of the indicators: who sees which units, and the figures of a period (aggregates only)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tenant_apps.accounts.types import Viewer
from tenant_apps.catalog.models import Service
from tenant_apps.org.enums import Role
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import membership_list_current
from tenants.models import Municipality

from .enums import PaperKind
from .models import (
    BacklogDay,
    CaseDay,
    CircularFigure,
    CloseDuration,
    InsightsSettings,
    OmbudsmanDay,
    PaperDay,
)


def insights_settings() -> InsightsSettings:
    """The city's row, or the defaults when it has none."""
    return InsightsSettings.objects.select_related("city_wide_unit").first() or InsightsSettings()


# ---------------------------------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    """The units whose figures a person may see; `unit_ids is None` means the whole city."""

    unit_ids: frozenset[int] | None
    label: str

    @property
    def is_city(self) -> bool:
        return self.unit_ids is None

    def filter(self, queryset: QuerySet[Any], lookup: str = "unit_id") -> QuerySet[Any]:
        if self.unit_ids is None:
            return queryset
        return queryset.filter(**{f"{lookup}__in": self.unit_ids})


def _descendants(root_ids: Iterable[int]) -> set[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for unit_id, parent_id in OrgUnit.objects.values_list("id", "parent_id"):
        children[parent_id].append(unit_id)
    seen: set[int] = set()
    stack = list(root_ids)
    while stack:
        unit_id = stack.pop()
        if unit_id in seen:
            continue
        seen.add(unit_id)
        stack.extend(children.get(unit_id, []))
    return seen


def scope_for(user: Viewer) -> Scope | None:
    """The municipal admin and the managers of the mayor's office (settings' `city_wide_unit`) see
    the city; a unit manager (a secretary is the manager of a secretariat) sees their units and
    every unit below them; anyone else sees nothing (None)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_servidor", False):
        return None
    memberships = list(membership_list_current(user_id=user.pk))
    city_wide_unit_id = insights_settings().city_wide_unit_id
    if any(
        m.role == Role.ADMIN or (m.role == Role.MANAGER and m.unit_id == city_wide_unit_id)
        for m in memberships
    ):
        return Scope(unit_ids=None, label="cidade")
    managed = [m for m in memberships if m.role == Role.MANAGER]
    if not managed:
        return None
    return Scope(
        unit_ids=frozenset(_descendants(m.unit_id for m in managed)),
        label=", ".join(m.unit.acronym for m in managed),
    )


def scope_narrow(scope: Scope, unit_id: int | None) -> Scope:
    """One unit of the scope (with its sub-units); a unit outside it is ignored."""
    if unit_id is None or (scope.unit_ids is not None and unit_id not in scope.unit_ids):
        return scope
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        return scope
    ids = _descendants([unit_id])
    if scope.unit_ids is not None:
        ids &= set(scope.unit_ids)
    return Scope(unit_ids=frozenset(ids), label=unit.acronym)


def scope_units(scope: Scope) -> list[OrgUnit]:
    return list(scope.filter(OrgUnit.objects.all(), "id").order_by("acronym"))


# -------------------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        return Period(self.first - dt.timedelta(days=self.days), self.first - dt.timedelta(days=1))


def period_default(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(today - dt.timedelta(days=29), today)


# -------------------------------------------------------------------------------------- figures


def percentile(histogram: dict[int, int], fraction: float) -> int | None:
    """The smallest value with at least `fraction` of the counts at or below it."""
    total = sum(histogram.values())
    if not total:
        return None
    needed = fraction * total
    running = 0
    for value in sorted(histogram):
        running += histogram[value]
        if running >= needed:
            return value
    return max(histogram)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class Figures:
    opened: int = 0
    closed: int = 0
    closed_in_time: int = 0
    close_days_sum: float = 0.0
    received: int = 0
    rfi_asked: int = 0
    rfi_answered: int = 0
    rfi_answer_hours_sum: float = 0.0
    satisfaction_count: int = 0
    satisfaction_sum: int = 0
    backlog: int = 0
    overdue: int = 0
    median_days: int | None = None
    p90_days: int | None = None

    @property
    def in_time_rate(self) -> float | None:
        return _ratio(self.closed_in_time, self.closed)

    @property
    def mean_close_days(self) -> float | None:
        return _ratio(self.close_days_sum, self.closed)

    @property
    def rfi_mean_hours(self) -> float | None:
        return _ratio(self.rfi_answer_hours_sum, self.rfi_answered)

    @property
    def satisfaction_mean(self) -> float | None:
        return _ratio(self.satisfaction_sum, self.satisfaction_count)


_SUMS = (
    "opened",
    "closed",
    "closed_in_time",
    "close_days_sum",
    "received",
    "rfi_asked",
    "rfi_answered",
    "rfi_answer_hours_sum",
    "satisfaction_count",
    "satisfaction_sum",
)


def _case_days(scope: Scope, period: Period, service_id: int | None = None) -> QuerySet[CaseDay]:
    rows = scope.filter(CaseDay.objects.filter(day__range=(period.first, period.last)))
    return rows.filter(service_id=service_id) if service_id else rows


def _histogram(scope: Scope, period: Period, service_id: int | None = None) -> dict[int, int]:
    rows = scope.filter(CloseDuration.objects.filter(day__range=(period.first, period.last)))
    if service_id:
        rows = rows.filter(service_id=service_id)
    return dict(rows.values("days").annotate(total=Sum("count")).values_list("days", "total"))


def _backlog(scope: Scope, day: dt.date, service_id: int | None = None) -> tuple[int, int]:
    rows = scope.filter(BacklogDay.objects.filter(day=day))
    if service_id:
        rows = rows.filter(service_id=service_id)
    totals = rows.aggregate(open=Sum("open"), overdue=Sum("overdue"))
    return int(totals["open"] or 0), int(totals["overdue"] or 0)


def figures(scope: Scope, period: Period, service_id: int | None = None) -> Figures:
    """The headline figures of a period (5 small queries over the aggregates)."""
    totals = _case_days(scope, period, service_id).aggregate(**{name: Sum(name) for name in _SUMS})
    result = Figures(**{name: totals[name] or 0 for name in _SUMS})
    histogram = _histogram(scope, period, service_id)
    result.median_days = percentile(histogram, 0.5)
    result.p90_days = percentile(histogram, 0.9)
    result.backlog, result.overdue = _backlog(scope, min(period.last, timezone.localdate()), service_id)
    return result


@dataclass
class UnitStay:
    unit: OrgUnit
    received: int
    stays: int
    mean_hours: float | None
    backlog: int


def unit_stays(scope: Scope, period: Period) -> list[UnitStay]:
    """Time spent in each unit (stays that ended in the period), the slowest first: the bottlenecks."""
    rows = (
        _case_days(scope, period)
        .values("unit_id")
        .annotate(received=Sum("received"), stays=Sum("stays_ended"), hours=Sum("stay_hours_sum"))
    )
    backlog = dict(
        scope.filter(BacklogDay.objects.filter(day=min(period.last, timezone.localdate())))
        .values("unit_id")
        .annotate(total=Sum("open"))
        .values_list("unit_id", "total")
    )
    units = OrgUnit.objects.in_bulk([row["unit_id"] for row in rows] + list(backlog))
    result = []
    seen = set()
    for row in rows:
        unit = units.get(row["unit_id"])
        if unit is None:
            continue
        seen.add(unit.pk)
        result.append(
            UnitStay(
                unit=unit,
                received=row["received"] or 0,
                stays=row["stays"] or 0,
                mean_hours=_ratio(row["hours"] or 0, row["stays"] or 0),
                backlog=int(backlog.get(unit.pk, 0)),
            )
        )
    for unit_id, total in backlog.items():
        if unit_id not in seen and unit_id in units:
            result.append(UnitStay(unit=units[unit_id], received=0, stays=0, mean_hours=None, backlog=total))
    result.sort(key=lambda item: (-(item.mean_hours or 0), -item.backlog, item.unit.acronym))
    return result


def bottlenecks(stays: list[UnitStay], *, minimum: int = 3, top: int = 3) -> list[UnitStay]:
    """The units where cases wait longest (with at least `minimum` stays, so one case is no trend)."""
    return [item for item in stays if item.stays >= minimum and item.mean_hours is not None][:top]


@dataclass
class ServiceRow:
    service: Service
    opened: int
    closed: int
    closed_in_time: int
    median_days: int | None
    p90_days: int | None
    satisfaction_mean: float | None

    @property
    def in_time_rate(self) -> float | None:
        return _ratio(self.closed_in_time, self.closed)


def service_rows(scope: Scope, period: Period) -> list[ServiceRow]:
    rows = (
        _case_days(scope, period)
        .values("service_id")
        .annotate(
            opened=Sum("opened"),
            closed=Sum("closed"),
            in_time=Sum("closed_in_time"),
            sat_count=Sum("satisfaction_count"),
            sat_sum=Sum("satisfaction_sum"),
        )
    )
    histograms: dict[int, dict[int, int]] = defaultdict(dict)
    for service_id, days, total in (
        scope.filter(CloseDuration.objects.filter(day__range=(period.first, period.last)))
        .values("service_id", "days")
        .annotate(total=Sum("count"))
        .values_list("service_id", "days", "total")
    ):
        histograms[service_id][days] = total
    services = Service.objects.in_bulk([row["service_id"] for row in rows])
    result = [
        ServiceRow(
            service=services[row["service_id"]],
            opened=row["opened"] or 0,
            closed=row["closed"] or 0,
            closed_in_time=row["in_time"] or 0,
            median_days=percentile(histograms[row["service_id"]], 0.5),
            p90_days=percentile(histograms[row["service_id"]], 0.9),
            satisfaction_mean=_ratio(row["sat_sum"] or 0, row["sat_count"] or 0),
        )
        for row in rows
        if row["service_id"] in services and (row["opened"] or row["closed"])
    ]
    result.sort(key=lambda item: (-item.opened, item.service.name))
    return result


def series(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Opened and closed per day (periods up to 62 days) or per month."""
    rows = _case_days(scope, period)
    if period.days <= 62:
        by_day: dict[dt.date, tuple[int, int]] = {
            day: (opened or 0, closed or 0)
            for day, opened, closed in rows.values("day")
            .annotate(opened=Sum("opened"), closed=Sum("closed"))
            .values_list("day", "opened", "closed")
        }
        return [
            {
                "label": day.strftime("%d/%m"),
                "opened": by_day.get(day, (0, 0))[0],
                "closed": by_day.get(day, (0, 0))[1],
            }
            for day in (period.first + dt.timedelta(days=n) for n in range(period.days))
        ]
    return [
        {"label": row["month"].strftime("%m/%Y"), "opened": row["opened"] or 0, "closed": row["closed"] or 0}
        for row in rows.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(opened=Sum("opened"), closed=Sum("closed"))
        .order_by("month")
    ]


@dataclass
class CircularRow:
    unit: OrgUnit
    circulars: int
    recipients: int
    opened: int
    acknowledged: int
    ack_hours_sum: float

    @property
    def read_rate(self) -> float | None:
        return _ratio(self.opened, self.recipients)

    @property
    def ack_rate(self) -> float | None:
        return _ratio(self.acknowledged, self.recipients)

    @property
    def ack_mean_hours(self) -> float | None:
        return _ratio(self.ack_hours_sum, self.acknowledged)


def circular_rows(scope: Scope, period: Period) -> list[CircularRow]:
    rows = (
        scope.filter(CircularFigure.objects.filter(day__range=(period.first, period.last)))
        .values("unit_id")
        .annotate(
            circulars=Count("id"),
            recipients=Sum("recipients"),
            opened=Sum("opened"),
            acknowledged=Sum("acknowledged"),
            hours=Sum("ack_hours_sum"),
        )
    )
    units = OrgUnit.objects.in_bulk([row["unit_id"] for row in rows])
    return sorted(
        (
            CircularRow(
                unit=units[row["unit_id"]],
                circulars=row["circulars"],
                recipients=row["recipients"] or 0,
                opened=row["opened"] or 0,
                acknowledged=row["acknowledged"] or 0,
                ack_hours_sum=row["hours"] or 0.0,
            )
            for row in rows
            if row["unit_id"] in units
        ),
        key=lambda item: item.unit.acronym,
    )


# ------------------------------------------------------------------------------------ ombudsman


@dataclass
class OmbudsmanRow:
    kind: str
    received: int = 0
    received_identified: int = 0
    received_protected: int = 0
    received_anonymous: int = 0
    answered: int = 0
    answered_in_time: int = 0
    answer_days_sum: float = 0.0
    extended: int = 0
    appeals: int = 0
    appeals_second: int = 0
    appeals_granted: int = 0
    resolved: int = 0
    satisfaction_count: int = 0
    satisfaction_sum: int = 0

    @property
    def mean_answer_days(self) -> float | None:
        return _ratio(self.answer_days_sum, self.answered)

    @property
    def satisfaction_mean(self) -> float | None:
        return _ratio(self.satisfaction_sum, self.satisfaction_count)

    @property
    def in_time_rate(self) -> float | None:
        return _ratio(self.answered_in_time, self.answered)


OMBUDSMAN_SUMS = (
    "received",
    "received_identified",
    "received_protected",
    "received_anonymous",
    "answered",
    "answered_in_time",
    "answer_days_sum",
    "extended",
    "appeals",
    "appeals_second",
    "appeals_granted",
    "resolved",
    "satisfaction_count",
    "satisfaction_sum",
)


def ombudsman_rows(scope: Scope, period: Period) -> list[OmbudsmanRow]:
    """Per kind of manifestation (LAI requests are the kind `acesso_informacao`)."""
    rows = (
        scope.filter(OmbudsmanDay.objects.filter(day__range=(period.first, period.last)))
        .values("kind")
        .annotate(**{f"t_{name}": Sum(name) for name in OMBUDSMAN_SUMS})
        .order_by("kind")
    )
    return [
        OmbudsmanRow(kind=row["kind"], **{name: row[f"t_{name}"] or 0 for name in OMBUDSMAN_SUMS})
        for row in rows
    ]


def ombudsman_monthly(period: Period, *, kinds: Iterable[str] | None = None) -> list[dict[str, Any]]:
    rows = OmbudsmanDay.objects.filter(day__range=(period.first, period.last))
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    return [
        dict(row)
        for row in rows.annotate(month=TruncMonth("day"))
        .values("month", "kind")
        .annotate(**{name: Sum(name) for name in OMBUDSMAN_SUMS})
        .order_by("month", "kind")
    ]


# ---------------------------------------------------------------------------------------- paper


@dataclass
class PaperFigures:
    pages: int
    items: int
    cost: Decimal
    by_kind: dict[str, int] = field(default_factory=dict)
    by_month: list[dict[str, Any]] = field(default_factory=list)


def paper_saved(scope: Scope | None = None, period: Period | None = None) -> PaperFigures:
    """Pages not printed (and their cost at the city's price per page); the whole history when no
    period is given. Notifications belong to no unit: they count for the city's scope only."""
    rows = PaperDay.objects.all()
    if period is not None:
        rows = rows.filter(day__range=(period.first, period.last))
    if scope is not None and scope.unit_ids is not None:
        rows = rows.filter(unit_id__in=scope.unit_ids)
    by_kind: dict[str, int] = defaultdict(int)
    by_month: dict[dt.date, int] = defaultdict(int)
    items = pages = 0
    for month, kind, month_items, month_pages in (
        rows.annotate(month=TruncMonth("day"))
        .values("month", "kind")
        .annotate(items=Sum("items"), pages=Sum("pages"))
        .values_list("month", "kind", "items", "pages")
    ):
        by_kind[kind] += int(month_pages or 0)
        by_month[month] += int(month_pages or 0)
        items += int(month_items or 0)
        pages += int(month_pages or 0)
    months = [{"month": month, "pages": by_month[month]} for month in sorted(by_month)]
    return PaperFigures(
        pages=pages,
        items=items,
        cost=(insights_settings().cost_per_page * pages).quantize(Decimal("0.01")),
        by_kind={kind.value: int(by_kind.get(kind.value) or 0) for kind in PaperKind},
        by_month=months,
    )


def paper_saved_since_start() -> PaperFigures:
    return paper_saved()


_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def city_figures_by_schema(*, schemas: list[str], today: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """For the control plane (settings SUPPORT_CITY_FIGURES): every city's paper saved since it
    started (pages and R$ at its own price) and the median days to close of the last 30 days, in
    two queries however many cities (each city's aggregate tables, schema by schema)."""
    names = [schema for schema in schemas if _SCHEMA_NAME.match(schema)]
    if not names:
        return {}
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=29)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(s || '.insights_paperday') IS NOT NULL FROM unnest(%s::text[]) s", [names]
        )
        names = [name for name, (present,) in zip(names, cursor.fetchall(), strict=True) if present]
        if not names:
            return {}
        paper_sql = " UNION ALL ".join(
            f"SELECT '{name}', (SELECT coalesce(sum(pages), 0) FROM \"{name}\".insights_paperday),"  # noqa: S608
            f' (SELECT cost_per_page FROM "{name}".insights_insightssettings LIMIT 1),'
            f' (SELECT shares_comparison FROM "{name}".insights_insightssettings LIMIT 1)'
            for name in names
        )
        cursor.execute(paper_sql)
        result: dict[str, dict[str, Any]] = {}
        for name, pages, cost, shares in cursor.fetchall():
            price = cost if cost is not None else InsightsSettings._meta.get_field("cost_per_page").default
            result[name] = {
                "paper_pages": int(pages),
                "paper_cost": (Decimal(price) * int(pages)).quantize(Decimal("0.01")),
                "median_days": None,
                "shares_comparison": bool(shares),
            }
        durations_sql = " UNION ALL ".join(
            f"SELECT '{name}', days, sum(count) FROM \"{name}\".insights_closeduration"  # noqa: S608
            f" WHERE day BETWEEN %s AND %s GROUP BY days"
            for name in names
        )
        cursor.execute(durations_sql, [since, today] * len(names))
        histograms: dict[str, dict[int, int]] = defaultdict(dict)
        for name, days, count in cursor.fetchall():
            histograms[name][days] = int(count)
    for name, histogram in histograms.items():
        result[name]["median_days"] = percentile(histogram, 0.5)
    return result


POPULATION_TIERS = (20_000, 100_000, 500_000)  # up to 20 mil, 100 mil, 500 mil, and above
COMPARISON_MINIMUM_CITIES = 3  # fewer would let a city recognise the others


def population_tier(population: int | None) -> int:
    return sum(1 for limit in POPULATION_TIERS if (population or 0) > limit)


@dataclass
class TierComparison:
    cities: int
    median_days: int | None
    paper_pages_median: int


def tier_comparison(*, municipality: Any) -> TierComparison | None:
    """With the city's consent (settings' `shares_comparison`), the median of the medians of the
    other consenting cities of the same population tier, anonymised: only when there are at least
    COMPARISON_MINIMUM_CITIES of them, and never their names."""
    if municipality is None or not insights_settings().shares_comparison:
        return None
    tier = population_tier(getattr(municipality, "population", None))
    others = [
        city.schema_name
        for city in Municipality.objects.exclude(pk=municipality.pk).exclude(schema_name="public")
        if population_tier(city.population) == tier
    ]
    consenting = [
        figures for figures in city_figures_by_schema(schemas=others).values() if figures["shares_comparison"]
    ]
    if len(consenting) < COMPARISON_MINIMUM_CITIES:
        return None
    medians = sorted(item["median_days"] for item in consenting if item["median_days"] is not None)
    pages = sorted(item["paper_pages"] for item in consenting)
    return TierComparison(
        cities=len(consenting),
        median_days=medians[len(medians) // 2] if medians else None,
        paper_pages_median=pages[len(pages) // 2],
    )


def city_summary() -> dict[str, Any]:
    """What the control plane's support console shows of a city (settings SUPPORT_CITY_FIGURES)."""
    city = Scope(unit_ids=None, label="cidade")
    period = period_default()
    paper = paper_saved()
    result = figures(city, period)
    return {
        "paper_pages": paper.pages,
        "paper_cost": paper.cost,
        "median_days_to_close": result.median_days,
        "closed_last_30_days": result.closed,
        "shares_comparison": insights_settings().shares_comparison,
    }
