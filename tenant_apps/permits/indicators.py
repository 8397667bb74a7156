"""Indicators of permits (read by tenant_apps.insights; docs/architecture.md): daily aggregates of
requests and issued permits per kind and risk level, with the days from request to issuance as a
histogram (p50/p90 exact to the day), and of opinions per unit (where requests wait)."""

from __future__ import annotations

from tenant_apps.insights.aggregation import DayAggregate

PERMIT_DAY_SQL = """
INSERT INTO permits_permitday (day, kind_code, risk_level, days, requested, issued, auto_issued)
SELECT day, kind_code, risk_level, days, sum(requested), sum(issued), sum(auto_issued)
FROM (
    SELECT (r.created_at AT TIME ZONE %(tz)s)::date AS day, s.code AS kind_code, r.risk_level,
        -1 AS days, 1 AS requested, 0 AS issued, 0 AS auto_issued
    FROM permits_permitrequest r
    JOIN permits_permitkind k ON k.id = r.kind_id JOIN catalog_service s ON s.id = k.service_id
    WHERE r.created_at >= %(start)s AND r.created_at < %(end)s
  UNION ALL
    SELECT (p.issued_at AT TIME ZONE %(tz)s)::date, s.code, r.risk_level,
        floor(extract(epoch FROM p.issued_at - r.created_at) / 86400)::int, 0, 1,
        (p.mode IN ('automatico', 'dispensa'))::int
    FROM permits_permit p JOIN permits_permitrequest r ON r.id = p.request_id
    JOIN permits_permitkind k ON k.id = r.kind_id JOIN catalog_service s ON s.id = k.service_id
    WHERE p.issued_at >= %(start)s AND p.issued_at < %(end)s
) facts
GROUP BY day, kind_code, risk_level, days
"""

OPINION_DAY_SQL = """
INSERT INTO permits_opinionday (day, unit_id, decided, wait_days_sum)
SELECT (o.decided_at AT TIME ZONE %(tz)s)::date, o.unit_id, count(*),
    sum(extract(epoch FROM o.decided_at - o.started_at) / 86400.0)
FROM permits_opinion o
WHERE o.decided_at >= %(start)s AND o.decided_at < %(end)s AND o.started_at IS NOT NULL
GROUP BY 1, 2
"""


def day_aggregates() -> list[DayAggregate]:
    return [
        {"table": "permits_permitday", "sql": PERMIT_DAY_SQL},
        {"table": "permits_opinionday", "sql": OPINION_DAY_SQL},
    ]
