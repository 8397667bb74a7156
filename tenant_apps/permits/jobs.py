"""Periodic jobs of permits (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from django.conf import settings

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # Lei 13.874/2019, art. 3º, IX: requests past their decision deadline are approved
        {
            "name": "permits-tacit-approval",
            "actor": "tenant_apps.permits.tasks.permits_tacit_approval_task",
            "every": "daily",
            "at": settings.PERMITS_TACIT_APPROVAL_AT,
            "per_tenant": True,
        },
        {
            "name": "permits-renewal-reminder",
            "actor": "tenant_apps.permits.tasks.permits_renewal_reminder_task",
            "every": "daily",
            "at": settings.PERMITS_RENEWAL_REMINDER_AT,
            "per_tenant": True,
        },
        # requests whose pre-analysis job was lost (broker down at the commit, retries spent) would
        # stay "Em pré-análise" forever: queued again once they waited PERMITS_PREANALYSIS_STALLED_MINUTES
        {
            "name": "permits-preanalysis-stalled",
            "actor": "tenant_apps.permits.tasks.permits_preanalysis_stalled_task",
            "every": "minutes",
            "minutes": settings.PERMITS_PREANALYSIS_STALLED_MINUTES,
            "per_tenant": True,
        },
    ]
