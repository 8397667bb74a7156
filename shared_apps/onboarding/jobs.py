"""Periodic jobs of onboarding (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from django.conf import settings

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # unconfirmed signups expire, freeing the municipality and the subdomain
        {
            "name": "onboarding-expire",
            "actor": "shared_apps.onboarding.tasks.signups_expire_task",
            "every": "daily",
            "at": settings.ONBOARDING_EXPIRE_AT,
            "per_tenant": False,
        },
        # confirmed signups whose provisioning job was lost (a process died after the commit)
        {
            "name": "onboarding-stalled",
            "actor": "shared_apps.onboarding.tasks.signups_stalled_requeue_task",
            "every": "minutes",
            "minutes": settings.ONBOARDING_STALLED_SWEEP_MINUTES,
            "per_tenant": False,
        },
    ]
