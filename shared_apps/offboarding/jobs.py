"""Periodic jobs of offboarding (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from django.conf import settings

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # delete the cities whose grace period ended (never without a ready export)
        {
            "name": "offboarding-deletions",
            "actor": "shared_apps.offboarding.tasks.offboarding_deletions_task",
            "every": "daily",
            "at": settings.OFFBOARDING_DELETION_AT,
            "per_tenant": False,
        },
    ]
