"""Periodic jobs of the indicators (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from django.conf import settings

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # the daily aggregates, from the last run's day to today (incremental, idempotent)
        {
            "name": "insights-aggregate",
            "actor": "tenant_apps.insights.tasks.insights_aggregate_task",
            "every": "minutes",
            "minutes": settings.INSIGHTS_AGGREGATE_MINUTES,
            "per_tenant": True,
        },
    ]
