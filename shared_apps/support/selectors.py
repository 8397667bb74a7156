"""Vendor support's reads: the console's rows (a fixed number of queries for any number of cities),
a city's detail, support sessions and their audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.billing.selectors import plan_get
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
    from shared_apps.metering.models import UsageDaily

    rows = (
        UsageDaily.objects.filter(metric="storage_gb")
        .order_by("municipality_id", "-day")
        .distinct("municipality_id")
        .values_list("municipality_id", "day", "quantity")
    )
    return {municipality_id: (day, quantity) for municipality_id, day, quantity in rows}


def _usage_by_municipality(municipalities: list[Municipality], *, now: dt.datetime) -> dict[int, Any]:
    """Current-period usage and projected bill of every city (metering's bulk selector)."""
    from shared_apps.metering.selectors import usage_current_period_many

    return dict(usage_current_period_many(municipalities=municipalities, now=now))


CONSOLE_METRICS = ("cases", "documents", "emails", "sms")


@dataclass(frozen=True)
class ConsoleRow:
    municipality: Municipality
    hostname: str
    subscription: Any
    usage: Any
    errors: ErrorCounts
    storage_bytes: int | None
    # paper saved and median days to close (settings SUPPORT_CITY_FIGURES, the insights module's)
    figures: dict[str, Any] | None = None

    @property
    def usage_quantities(self) -> list[tuple[str, Any]]:
        """(metric, quantity so far) of the console's columns; "—" without usage."""
        quantities = {line.metric: line.quantity for line in self.usage.lines} if self.usage else {}
        return [(metric, quantities.get(metric, "—")) for metric in CONSOLE_METRICS]

    @property
    def plan_name(self) -> str:
        """The plan's name ("Grande porte"), from the subscription or, without one, the metering."""
        code = getattr(self.subscription, "plan_code", "") or getattr(self.usage, "plan_code", "")
        plan = plan_get(code) if code else None
        return plan.name if plan else (code or "—")

    @property
    def bill_text(self) -> str:
        """What is due and when: nothing during a trial, else the projected bill at the period's end."""
        if not self.usage:
            return "—"
        closes = timezone.localtime(self.usage.last_moment).strftime("%d/%m")
        if not self.usage.is_billed:
            trial_end = getattr(self.subscription, "trial_end", None)
            until = (
                _(" até %(date)s") % {"date": timezone.localtime(trial_end).strftime("%d/%m")}
                if trial_end
                else ""
            )
            return _("Em avaliação%(until)s: nada a pagar (uso até agora %(total)s)") % {
                "until": until,
                "total": self.usage.total_display,
            }
        return _("%(projected)s previstos no fechamento, %(date)s (até agora %(total)s)") % {
            "projected": self.usage.projected_total_display,
            "date": closes,
            "total": self.usage.total_display,
        }

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
    figures = _city_figures([municipality.schema_name for municipality in municipalities])
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
                figures=figures.get(municipality.schema_name),
            )
        )
    return rows


def _city_figures(schemas: list[str]) -> dict[str, dict[str, Any]]:
    """Each city's indicators from the function named in settings (one query for every city)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    path = getattr(settings, "SUPPORT_CITY_FIGURES", "")
    return import_string(path)(schemas=schemas) if path and schemas else {}


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
