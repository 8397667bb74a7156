"""The scheduling engine's indicators (the convention of docs/architecture.md, read by
`tenant_apps.insights`): `AppointmentDay` per day, agenda and attendant — bookings made and how far
ahead, appointments by outcome (attended, no-show, cancelled) and the seats the weekly rules opened
(holidays left out, for agendas that close on them; absences are not subtracted) — and the manager
page's chart "agendamentos" per agenda: bookings, attendance, no-show rate, occupancy and the mean
days from booking to appointment. The page reads this aggregate only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from tenant_apps.insights.aggregation import DayAggregate
from tenant_apps.insights.charts import Chart
from tenant_apps.insights.selectors import Period, Scope

from .models import Agenda, AppointmentDay

APPOINTMENT_DAY_SQL = """
INSERT INTO scheduling_appointmentday (day, agenda_id, unit_id, resource_id, booked, lead_days_sum,
    scheduled, attended, no_show, cancelled, offered)
SELECT day, agenda_id, unit_id, resource_id, sum(booked), sum(lead_days), sum(scheduled), sum(attended),
    sum(no_show), sum(cancelled), sum(offered)
FROM (
    SELECT (a.created_at AT TIME ZONE %(tz)s)::date AS day, a.agenda_id, g.unit_id, a.resource_id,
        1 AS booked, extract(epoch FROM a.starts_at - a.created_at) / 86400.0 AS lead_days,
        0 AS scheduled, 0 AS attended, 0 AS no_show, 0 AS cancelled, 0 AS offered
    FROM scheduling_appointment a JOIN scheduling_agenda g ON g.id = a.agenda_id
    WHERE a.created_at >= %(start)s AND a.created_at < %(end)s
  UNION ALL
    SELECT (a.starts_at AT TIME ZONE %(tz)s)::date, a.agenda_id, g.unit_id, a.resource_id, 0, 0.0,
        (a.status <> 'cancelado')::int, (a.status = 'realizado')::int, (a.status = 'nao_compareceu')::int,
        (a.status = 'cancelado')::int, 0
    FROM scheduling_appointment a JOIN scheduling_agenda g ON g.id = a.agenda_id
    WHERE a.starts_at >= %(start)s AND a.starts_at < %(end)s
  UNION ALL
    SELECT d::date, r.agenda_id, g.unit_id, r.resource_id, 0, 0.0, 0, 0, 0, 0,
        r.capacity * CASE WHEN w.minutes >= w.duration
            THEN floor((w.minutes - w.duration) / (w.duration + g.buffer_minutes))::int + 1 ELSE 0 END
    FROM scheduling_availabilityrule r
    JOIN scheduling_agenda g ON g.id = r.agenda_id
    JOIN scheduling_agendaresource l ON l.agenda_id = r.agenda_id AND l.resource_id = r.resource_id
    LEFT JOIN scheduling_slotkind k ON k.id = r.slot_kind_id
    CROSS JOIN LATERAL (
        SELECT extract(epoch FROM r.end_time - r.start_time) / 60 AS minutes,
            coalesce(k.duration_minutes, g.slot_minutes) AS duration
    ) w
    CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
    WHERE extract(isodow FROM d) - 1 = r.weekday
      AND (r.valid_from IS NULL OR r.valid_from <= d::date)
      AND (r.valid_until IS NULL OR r.valid_until >= d::date)
      AND NOT (g.closes_on_holidays AND d::date = ANY(%(holidays)s::date[]))
) facts
GROUP BY day, agenda_id, unit_id, resource_id
"""


def day_aggregates() -> list[DayAggregate]:
    return [{"table": "scheduling_appointmentday", "sql": APPOINTMENT_DAY_SQL}]


def _rate(numerator: float, denominator: float) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def agenda_figures(scope: Scope, period: Period, *, purpose: str | None = None) -> list[dict[str, Any]]:
    """Per agenda of the scope's units (the aggregate only): bookings, outcomes, occupancy."""
    rows = scope.filter(AppointmentDay.objects.filter(day__range=(period.first, period.last)))
    if purpose is not None:
        rows = rows.filter(agenda__purpose=purpose)
    totals = (
        rows.values("agenda_id")
        .annotate(
            booked=Sum("booked"),
            lead=Sum("lead_days_sum"),
            scheduled=Sum("scheduled"),
            attended=Sum("attended"),
            no_show=Sum("no_show"),
            cancelled=Sum("cancelled"),
            offered=Sum("offered"),
        )
        .order_by()
    )
    agendas = Agenda.objects.in_bulk([row["agenda_id"] for row in totals])
    result: list[dict[str, Any]] = []
    for row in totals:
        agenda = agendas.get(row["agenda_id"])
        if agenda is None:
            continue
        finished = (row["attended"] or 0) + (row["no_show"] or 0)
        result.append(
            {
                "agenda": agenda,
                "booked": row["booked"] or 0,
                "scheduled": row["scheduled"] or 0,
                "attended": row["attended"] or 0,
                "no_show": row["no_show"] or 0,
                "cancelled": row["cancelled"] or 0,
                "offered": row["offered"] or 0,
                "no_show_rate": _rate(row["no_show"] or 0, finished),
                "occupancy": _rate(row["scheduled"] or 0, row["offered"] or 0),
                "lead_days": round(row["lead"] / row["booked"], 1) if row["booked"] else None,
            }
        )
    result.sort(key=lambda item: item["agenda"].name)
    return result


def _appointments_chart(scope: Scope, period: Period) -> Chart:
    return Chart(
        "agendamentos",
        _("Agendamentos por agenda"),
        [
            _("Agenda"),
            _("Agendados no período"),
            _("Atendidos"),
            _("Faltas"),
            _("Faltas (%)"),
            _("Ocupação (%)"),
            _("Dias entre marcar e ser atendido (média)"),
        ],
        [
            [
                row["agenda"].name,
                row["booked"],
                row["attended"],
                row["no_show"],
                row["no_show_rate"],
                row["occupancy"],
                row["lead_days"],
            ]
            for row in agenda_figures(scope, period)
        ],
        value_columns=(1, 2, 3),
    )


def charts() -> dict[str, Callable[[Scope, Period], Chart]]:
    return {"agendamentos": _appointments_chart}
