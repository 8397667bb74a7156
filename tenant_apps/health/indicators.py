"""Health's indicators (the convention of docs/architecture.md, read by `tenant_apps.insights`):
`WaitingDay` per day and specialty (who joined a waiting list, who got a slot through it, who left),
and the manager page's chart "saude" per unit and specialty — appointments, attendance, no-show
rate and occupancy from the scheduling engine's `AppointmentDay` of the health agendas, and the
waiting list's length at the end of the period. The page reads the aggregates only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db.models import Sum
from django.utils.translation import gettext as _

from tenant_apps.insights.aggregation import DayAggregate
from tenant_apps.insights.charts import Chart
from tenant_apps.insights.selectors import Period, Scope
from tenant_apps.scheduling.models import AppointmentDay

from .models import Schedule, WaitingDay

WAITING_DAY_SQL = """
INSERT INTO health_waitingday (day, specialty_id, joined, served, departed)
SELECT day, specialty_id, sum(joined), sum(served), sum(departed) FROM (
    SELECT (w.created_at AT TIME ZONE %(tz)s)::date AS day, w.specialty_id,
        1 AS joined, 0 AS served, 0 AS departed
    FROM health_waitinglistentry w WHERE w.created_at >= %(start)s AND w.created_at < %(end)s
  UNION ALL
    SELECT (w.updated_at AT TIME ZONE %(tz)s)::date, w.specialty_id, 0,
        (w.status = 'booked')::int, (w.status = 'left')::int
    FROM health_waitinglistentry w
    WHERE w.status IN ('booked', 'left') AND w.updated_at >= %(start)s AND w.updated_at < %(end)s
) facts
GROUP BY day, specialty_id
"""


def day_aggregates() -> list[DayAggregate]:
    return [{"table": "health_waitingday", "sql": WAITING_DAY_SQL}]


def _rate(numerator: float, denominator: float) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def waiting_lengths(day: object) -> dict[int, int]:
    """Per specialty, how many were waiting at the end of `day` (the running sum of the aggregate)."""
    totals = (
        WaitingDay.objects.filter(day__lte=day)
        .values("specialty_id")
        .annotate(joined=Sum("joined"), served=Sum("served"), departed=Sum("departed"))
        .order_by()
    )
    return {
        row["specialty_id"]: max(0, (row["joined"] or 0) - (row["served"] or 0) - (row["departed"] or 0))
        for row in totals
    }


def _health_chart(scope: Scope, period: Period) -> Chart:
    schedules = {
        schedule.agenda_id: schedule
        for schedule in Schedule.objects.select_related("unit", "specialty").order_by()
    }
    rows = (
        scope.filter(AppointmentDay.objects.filter(day__range=(period.first, period.last)))
        .filter(agenda_id__in=list(schedules))
        .values("agenda_id")
        .annotate(
            scheduled=Sum("scheduled"),
            attended=Sum("attended"),
            no_show=Sum("no_show"),
            offered=Sum("offered"),
        )
        .order_by()
    )
    grouped: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        schedule = schedules[row["agenda_id"]]
        key = (schedule.unit.name, schedule.specialty.name, schedule.specialty_id)
        for index, name in enumerate(("scheduled", "attended", "no_show", "offered")):
            grouped[key][index] += row[name] or 0
    waiting = waiting_lengths(period.last)
    return Chart(
        "saude",
        _("Saúde: consultas por unidade e especialidade"),
        [
            _("Unidade e especialidade"),
            _("Consultas"),
            _("Atendidas"),
            _("Faltas"),
            _("Faltas (%)"),
            _("Ocupação (%)"),
            _("Lista de espera da especialidade"),
        ],
        [
            [
                f"{unit} — {specialty}",
                scheduled,
                attended,
                no_show,
                _rate(no_show, attended + no_show),
                _rate(scheduled, offered),
                waiting.get(specialty_id, 0),
            ]
            for (unit, specialty, specialty_id), (scheduled, attended, no_show, offered) in sorted(
                grouped.items()
            )
        ],
        value_columns=(1, 2, 3),
    )


def charts() -> dict[str, Callable[[Scope, Period], Chart]]:
    return {"saude": _health_chart}
