"""Periodic jobs of scheduling (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from django.conf import settings

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # the due booking reminders (24 h and 1 h before) of each city, every few minutes
        {
            "name": "scheduling-reminders",
            "actor": "tenant_apps.scheduling.tasks.scheduling_reminders_task",
            "every": "minutes",
            "minutes": settings.SCHEDULING_REMINDER_SWEEP_MINUTES,
            "per_tenant": True,
        },
    ]
