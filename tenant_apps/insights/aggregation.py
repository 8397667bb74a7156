"""The SQL that turns the case, ombudsman, comms, documents and notification tables into the daily
aggregates of `models.py`. Each statement recomputes whole local days [first, last]: it deletes
those days' rows and inserts them again from the history, so a run is idempotent, and the
incremental job only recomputes the days since its last run.

Days are local (settings.TIME_ZONE); `%(start)s`/`%(end)s` are the instants where the first day
begins and the day after the last begins.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils.module_loading import module_has_submodule

from tenant_apps.workdays.selectors import holiday_dates

# A case's stays: its first unit (the service's, where it starts) from opening until the first
# move, then each move's destination until the next move (or closing). Used for time in each
# unit and for the backlog.
CASE_DAY_SQL = """
INSERT INTO insights_caseday (day, unit_id, service_id, opened, closed, closed_in_time, close_days_sum,
    received, stays_ended, stay_hours_sum, rfi_asked, rfi_answered, rfi_answer_hours_sum,
    satisfaction_count, satisfaction_sum)
SELECT day, unit_id, service_id, sum(opened), sum(closed), sum(closed_in_time), sum(close_days),
    sum(received), sum(stays_ended), sum(stay_hours), sum(rfi_asked), sum(rfi_answered), sum(rfi_hours),
    sum(satisfaction_count), sum(satisfaction_sum)
FROM (
    SELECT (c.opened_at AT TIME ZONE %(tz)s)::date AS day,
        coalesce((SELECT f.from_unit_id FROM cases_casemove f WHERE f.case_id = c.id
            ORDER BY f.created_at, f.id LIMIT 1), c.current_unit_id) AS unit_id, c.service_id,
        1 AS opened, 0 AS closed, 0 AS closed_in_time, 0.0 AS close_days, 0 AS received,
        0 AS stays_ended, 0.0 AS stay_hours, 0 AS rfi_asked, 0 AS rfi_answered, 0.0 AS rfi_hours,
        0 AS satisfaction_count, 0 AS satisfaction_sum
    FROM cases_case c WHERE c.opened_at >= %(start)s AND c.opened_at < %(end)s
  UNION ALL
    SELECT (c.closed_at AT TIME ZONE %(tz)s)::date, c.current_unit_id, c.service_id,
        0, 1, ((c.closed_at AT TIME ZONE %(tz)s)::date <= c.deadline)::int,
        extract(epoch FROM c.closed_at - c.opened_at) / 86400.0, 0,
        1, extract(epoch FROM c.closed_at - coalesce(
            (SELECT max(p.created_at) FROM cases_casemove p WHERE p.case_id = c.id), c.opened_at)) / 3600.0,
        0, 0, 0.0, 0, 0
    FROM cases_case c
    WHERE c.closed_at >= %(start)s AND c.closed_at < %(end)s AND c.status = 'concluido'
  UNION ALL
    SELECT (m.created_at AT TIME ZONE %(tz)s)::date, m.to_unit_id, c.service_id,
        0, 0, 0, 0.0, 1, 0, 0.0, 0, 0, 0.0, 0, 0
    FROM cases_casemove m JOIN cases_case c ON c.id = m.case_id
    WHERE m.created_at >= %(start)s AND m.created_at < %(end)s
  UNION ALL
    SELECT (m.created_at AT TIME ZONE %(tz)s)::date, m.from_unit_id, c.service_id,
        0, 0, 0, 0.0, 0, 1, extract(epoch FROM m.created_at - coalesce(
            (SELECT max(p.created_at) FROM cases_casemove p
             WHERE p.case_id = m.case_id AND (p.created_at, p.id) < (m.created_at, m.id)),
            c.opened_at)) / 3600.0,
        0, 0, 0.0, 0, 0
    FROM cases_casemove m JOIN cases_case c ON c.id = m.case_id
    WHERE m.created_at >= %(start)s AND m.created_at < %(end)s
  UNION ALL
    SELECT (r.created_at AT TIME ZONE %(tz)s)::date, c.current_unit_id, c.service_id,
        0, 0, 0, 0.0, 0, 0, 0.0, 1, 0, 0.0, 0, 0
    FROM cases_informationrequest r JOIN cases_case c ON c.id = r.case_id
    WHERE r.created_at >= %(start)s AND r.created_at < %(end)s
  UNION ALL
    SELECT (r.answered_at AT TIME ZONE %(tz)s)::date, c.current_unit_id, c.service_id,
        0, 0, 0, 0.0, 0, 0, 0.0, 0, 1, extract(epoch FROM r.answered_at - r.created_at) / 3600.0, 0, 0
    FROM cases_informationrequest r JOIN cases_case c ON c.id = r.case_id
    WHERE r.answered_at >= %(start)s AND r.answered_at < %(end)s
  UNION ALL
    SELECT (o.rated_at AT TIME ZONE %(tz)s)::date, c.current_unit_id, c.service_id,
        0, 0, 0, 0.0, 0, 0, 0.0, 0, 0, 0.0, 1, o.satisfaction
    FROM ombudsman_manifestation o JOIN cases_case c ON c.id = o.case_id
    WHERE o.rated_at >= %(start)s AND o.rated_at < %(end)s AND o.satisfaction IS NOT NULL
) facts
GROUP BY day, unit_id, service_id
"""

# days exact up to 60, then by week, 365 meaning a year or more
CLOSE_DURATION_SQL = """
INSERT INTO insights_closeduration (day, unit_id, service_id, days, count)
SELECT day, unit_id, service_id, bucket, count(*) FROM (
    SELECT (c.closed_at AT TIME ZONE %(tz)s)::date AS day, c.current_unit_id AS unit_id, c.service_id,
        CASE WHEN d < 60 THEN d WHEN d >= 365 THEN 365 ELSE 60 + (d - 60) / 7 * 7 END AS bucket
    FROM cases_case c
    CROSS JOIN LATERAL (SELECT floor(extract(epoch FROM c.closed_at - c.opened_at) / 86400)::int AS d) x
    WHERE c.closed_at >= %(start)s AND c.closed_at < %(end)s AND c.status = 'concluido'
) closed
GROUP BY day, unit_id, service_id, bucket
"""

# Open cases at the end of each day, in the unit where they were (from their stays).
BACKLOG_SQL = """
INSERT INTO insights_backlogday (day, unit_id, service_id, open, overdue)
WITH relevant AS (
    SELECT id, service_id, current_unit_id, opened_at, closed_at, deadline FROM cases_case
    WHERE status <> 'concluido' AND opened_at < %(end)s
  UNION ALL
    SELECT id, service_id, current_unit_id, opened_at, closed_at, deadline FROM cases_case
    WHERE status = 'concluido' AND closed_at >= %(start)s AND opened_at < %(end)s
), stays AS (
    SELECT r.service_id, r.deadline, s.unit_id, s.start_at,
        coalesce(lead(s.start_at) OVER (PARTITION BY r.id ORDER BY s.start_at, s.ord), r.closed_at) AS end_at
    FROM relevant r CROSS JOIN LATERAL (
        SELECT coalesce((SELECT f.from_unit_id FROM cases_casemove f WHERE f.case_id = r.id
            ORDER BY f.created_at, f.id LIMIT 1), r.current_unit_id) AS unit_id, r.opened_at AS start_at,
            0::bigint AS ord
        UNION ALL
        SELECT m.to_unit_id, m.created_at, m.id FROM cases_casemove m WHERE m.case_id = r.id
    ) s
)
SELECT d::date, unit_id, service_id, count(*), count(*) FILTER (WHERE deadline < d::date)
FROM stays CROSS JOIN LATERAL generate_series(
    greatest((start_at AT TIME ZONE %(tz)s)::date, %(first)s::date),
    least(coalesce((end_at AT TIME ZONE %(tz)s)::date - 1, %(last)s::date), %(last)s::date),
    interval '1 day') d
GROUP BY 1, 2, 3
"""

NEIGHBOURHOOD_SQL = """
INSERT INTO insights_neighbourhoodday (day, service_id, neighbourhood, opened)
SELECT (c.opened_at AT TIME ZONE %(tz)s)::date, c.service_id, coalesce(n.name, ''), count(*)
FROM cases_case c
LEFT JOIN insights_neighbourhood n ON lower(n.name) = lower(trim(c.form_data ->> 'bairro'))
WHERE c.opened_at >= %(start)s AND c.opened_at < %(end)s
GROUP BY 1, 2, 3
"""

OMBUDSMAN_SQL = """
INSERT INTO insights_ombudsmanday (day, unit_id, kind, received, received_identified, received_protected,
    received_anonymous, answered, answered_in_time, answer_days_sum, extended, appeals, appeals_second,
    appeals_granted, resolved, satisfaction_count, satisfaction_sum)
SELECT day, unit_id, kind, sum(received), sum(identified), sum(protected), sum(anonymous), sum(answered),
    sum(in_time), sum(answer_days), sum(extended), sum(appeals), sum(appeals_second), sum(granted),
    sum(resolved), sum(satisfaction_count), sum(satisfaction_sum)
FROM (
    SELECT (c.opened_at AT TIME ZONE %(tz)s)::date AS day,
        coalesce((SELECT f.from_unit_id FROM cases_casemove f WHERE f.case_id = c.id
            ORDER BY f.created_at, f.id LIMIT 1), c.current_unit_id) AS unit_id, o.kind,
        1 AS received, (o.identity_mode = 'identificado')::int AS identified,
        (o.identity_mode = 'sigilo')::int AS protected, (o.identity_mode = 'anonimo')::int AS anonymous,
        0 AS answered, 0 AS in_time, 0.0 AS answer_days, 0 AS extended, 0 AS appeals,
        0 AS appeals_second, 0 AS granted, 0 AS resolved, 0 AS satisfaction_count, 0 AS satisfaction_sum
    FROM ombudsman_manifestation o JOIN cases_case c ON c.id = o.case_id
    WHERE c.opened_at >= %(start)s AND c.opened_at < %(end)s
  UNION ALL
    SELECT (c.closed_at AT TIME ZONE %(tz)s)::date, c.current_unit_id, o.kind, 0, 0, 0, 0, 1,
        coalesce(o.is_answered_in_time, (c.closed_at AT TIME ZONE %(tz)s)::date <= c.deadline)::int,
        extract(epoch FROM c.closed_at - c.opened_at) / 86400.0, 0, 0, 0, 0,
        coalesce(o.is_resolved, false)::int, 0, 0
    FROM ombudsman_manifestation o JOIN cases_case c ON c.id = o.case_id
    WHERE c.closed_at >= %(start)s AND c.closed_at < %(end)s AND c.status = 'concluido'
  UNION ALL
    SELECT (o.extended_at AT TIME ZONE %(tz)s)::date, c.current_unit_id, o.kind,
        0, 0, 0, 0, 0, 0, 0.0, 1, 0, 0, 0, 0, 0, 0
    FROM ombudsman_manifestation o JOIN cases_case c ON c.id = o.case_id
    WHERE o.extended_at >= %(start)s AND o.extended_at < %(end)s
  UNION ALL
    SELECT (a.created_at AT TIME ZONE %(tz)s)::date, c.current_unit_id, o.kind,
        0, 0, 0, 0, 0, 0, 0.0, 0, 1, (a.instance = 2)::int, 0, 0, 0, 0
    FROM ombudsman_appeal a JOIN ombudsman_manifestation o ON o.id = a.manifestation_id
    JOIN cases_case c ON c.id = o.case_id
    WHERE a.created_at >= %(start)s AND a.created_at < %(end)s
  UNION ALL
    SELECT (a.decided_at AT TIME ZONE %(tz)s)::date, c.current_unit_id, o.kind,
        0, 0, 0, 0, 0, 0, 0.0, 0, 0, 0, 1, 0, 0, 0
    FROM ombudsman_appeal a JOIN ombudsman_manifestation o ON o.id = a.manifestation_id
    JOIN cases_case c ON c.id = o.case_id
    WHERE a.decided_at >= %(start)s AND a.decided_at < %(end)s AND a.is_granted
  UNION ALL
    SELECT (o.rated_at AT TIME ZONE %(tz)s)::date, c.current_unit_id, o.kind,
        0, 0, 0, 0, 0, 0, 0.0, 0, 0, 0, 0, 0, 1, o.satisfaction
    FROM ombudsman_manifestation o JOIN cases_case c ON c.id = o.case_id
    WHERE o.rated_at >= %(start)s AND o.rated_at < %(end)s AND o.satisfaction IS NOT NULL
) facts
GROUP BY day, unit_id, kind
"""

# Circulars are few: each recent one (sent on or after `start`) is recomputed whole.
CIRCULAR_SQL = """
INSERT INTO insights_circularfigure (circular_id, day, unit_id, recipients, opened, acknowledged,
    ack_hours_sum, ack_hours_median)
SELECT ci.id, (ci.created_at AT TIME ZONE %(tz)s)::date, ci.sender_unit_id, count(r.id),
    count(r.opened_at), count(r.acknowledged_at),
    coalesce(sum(extract(epoch FROM r.acknowledged_at - ci.created_at) / 3600.0), 0),
    percentile_cont(0.5) WITHIN GROUP (
        ORDER BY extract(epoch FROM r.acknowledged_at - ci.created_at) / 3600.0)
FROM comms_circular ci LEFT JOIN comms_circularreceipt r ON r.circular_id = ci.id
WHERE ci.created_at >= %(start)s AND ci.created_at < %(end)s
GROUP BY ci.id
"""

# A document's pages: one per 3,000 characters of its first version (an A4 page of text), at least one.
PAPER_SQL = """
INSERT INTO insights_paperday (day, unit_id, kind, items, pages)
SELECT day, unit_id, kind, count(*), sum(pages) FROM (
    SELECT (d.created_at AT TIME ZONE %(tz)s)::date AS day, d.unit_id,
        CASE d.kind WHEN 'MEMO' THEN 'memorando' WHEN 'CIRC' THEN 'circular' ELSE 'documento' END AS kind,
        greatest(1, ceil(coalesce(length(v.body), 0) / 3000.0))::bigint * CASE d.kind
            WHEN 'MEMO' THEN greatest(2, (SELECT count(*) FROM comms_memo m
                JOIN comms_memorecipient mr ON mr.memo_id = m.id WHERE m.document_id = d.id))
            WHEN 'CIRC' THEN greatest(1, coalesce(
                (SELECT ci.recipient_count FROM comms_circular ci WHERE ci.document_id = d.id), 1))
            ELSE 1 END AS pages
    FROM documents_document d
    LEFT JOIN documents_documentversion v ON v.document_id = d.id AND v.number = 1
    WHERE d.created_at >= %(start)s AND d.created_at < %(end)s
  UNION ALL
    SELECT (n.created_at AT TIME ZONE %(tz)s)::date, NULL, 'notificacao', 1
    FROM notifications_notification n
    WHERE n.created_at >= %(start)s AND n.created_at < %(end)s
      AND n.channel IN ('email', 'sms') AND n.status NOT IN ('failed', 'queued')
) born_digital
GROUP BY day, unit_id, kind
"""

DAY_TABLES = (
    ("insights_caseday", CASE_DAY_SQL),
    ("insights_closeduration", CLOSE_DURATION_SQL),
    ("insights_backlogday", BACKLOG_SQL),
    ("insights_neighbourhoodday", NEIGHBOURHOOD_SQL),
    ("insights_ombudsmanday", OMBUDSMAN_SQL),
    ("insights_paperday", PAPER_SQL),
)


class DayAggregate(TypedDict):
    """Another module's daily aggregate (its `indicators.py`): its own table with a `day` column,
    and the INSERT ... SELECT that recomputes the days %(first)s..%(last)s (instants %(start)s and
    %(end)s, zone %(tz)s; %(holidays)s, the city's holidays among those days, a date array). Rows
    are deleted and recomputed by day like this module's."""

    table: str
    sql: str


INDICATORS_MODULE = "indicators"


def registered_day_aggregates() -> list[DayAggregate]:
    """Every installed app's `indicators.day_aggregates()`, in INSTALLED_APPS order."""
    found: list[DayAggregate] = []
    for config in apps.get_app_configs():
        if config.name != "tenant_apps.insights" and module_has_submodule(config.module, INDICATORS_MODULE):
            module = import_module(f"{config.name}.{INDICATORS_MODULE}")
            found.extend(getattr(module, "day_aggregates", list)())
    return found


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, ZoneInfo(settings.TIME_ZONE))


def days_recompute(*, first: dt.date, last: dt.date) -> None:
    """Delete and recompute every aggregate of the days first..last (call inside a transaction)."""
    params: dict[str, Any] = {
        "tz": settings.TIME_ZONE,
        "start": day_start(first),
        "end": day_start(last + dt.timedelta(days=1)),
        "first": first,
        "last": last,
        "holidays": sorted(
            day
            for year in range(first.year, last.year + 1)
            for day in holiday_dates(year)
            if first <= day <= last
        ),
    }
    tables = [*DAY_TABLES, *((entry["table"], entry["sql"]) for entry in registered_day_aggregates())]
    with connection.cursor() as cursor:
        for table, sql in tables:
            cursor.execute(f"DELETE FROM {table} WHERE day BETWEEN %s AND %s", [first, last])  # noqa: S608
            cursor.execute(sql, params)
    circulars_recompute(first=first, last=last)


def circulars_recompute(*, first: dt.date, last: dt.date) -> None:
    """Recompute the figures of the circulars sent on days first..last (receipts keep changing)."""
    params: dict[str, Any] = {
        "tz": settings.TIME_ZONE,
        "start": day_start(first),
        "end": day_start(last + dt.timedelta(days=1)),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM insights_circularfigure WHERE circular_id IN"
            " (SELECT id FROM comms_circular WHERE created_at >= %(start)s AND created_at < %(end)s)",
            params,
        )
        cursor.execute(CIRCULAR_SQL, params)


def days_forget_before(*, first: dt.date) -> None:
    """Drop the aggregates of days before the history starts (a rebuild owes nothing to them)."""
    tables = [*DAY_TABLES, *((entry["table"], entry["sql"]) for entry in registered_day_aggregates())]
    with connection.cursor() as cursor:
        for table, _sql in tables:
            cursor.execute(f"DELETE FROM {table} WHERE day < %s", [first])  # noqa: S608
        cursor.execute("DELETE FROM insights_circularfigure WHERE day < %s", [first])


def history_first_day() -> dt.date | None:
    """The local day of the oldest case, document or notification (where a rebuild starts)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (least((SELECT min(opened_at) FROM cases_case), (SELECT min(created_at) FROM"
            " documents_document), (SELECT min(created_at) FROM notifications_notification))"
            " AT TIME ZONE %s)::date",
            [settings.TIME_ZONE],
        )
        row = cursor.fetchone()
    return row[0] if row else None
