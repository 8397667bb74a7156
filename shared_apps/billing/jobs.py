"""Periodic jobs of billing (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from django.conf import settings

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # past-due cities turn read-only after the grace period
        {
            "name": "billing-grace",
            "actor": "shared_apps.billing.tasks.billing_grace_enforce_task",
            "every": "daily",
            "at": settings.BILLING_GRACE_CHECK_AT,
            "per_tenant": False,
        },
        # dunning reminders and trial-ending notices
        {
            "name": "billing-reminders",
            "actor": "shared_apps.billing.tasks.billing_reminders_task",
            "every": "daily",
            "at": settings.BILLING_REMINDERS_AT,
            "per_tenant": False,
        },
    ]
