"""Periodic jobs of the ombudsman office (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from django.conf import settings

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # overdue ombudsman items and LAI requests escalate to the unit's managers
        {
            "name": "ombudsman-escalate",
            "actor": "tenant_apps.ombudsman.tasks.ombudsman_escalate_task",
            "every": "daily",
            "at": settings.OMBUDSMAN_ESCALATE_AT,
            "per_tenant": True,
        },
    ]
