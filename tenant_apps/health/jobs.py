"""Periodic jobs of health (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from django.conf import settings

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # expired waiting-list offers release their slot and pass it to the next person waiting
        {
            "name": "health-slot-offers",
            "actor": "tenant_apps.health.tasks.health_slot_offers_task",
            "every": "minutes",
            "minutes": settings.SCHEDULING_REMINDER_SWEEP_MINUTES,
            "per_tenant": True,
        },
    ]
