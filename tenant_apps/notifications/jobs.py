"""Periodic jobs of notifications (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from django.conf import settings

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # each staff member's e-mail digest of their unread inbox
        {
            "name": "staff-digest",
            "actor": "tenant_apps.notifications.tasks.notifications_digest_task",
            "every": "daily",
            "at": settings.STAFF_DIGEST_AT,
            "per_tenant": True,
        },
        # the outbox: notifications left queued (a process died after the commit) are sent again
        {
            "name": "notifications-outbox",
            "actor": "tenant_apps.notifications.tasks.notifications_outbox_sweep_task",
            "every": "minutes",
            "minutes": settings.NOTIFICATION_OUTBOX_SWEEP_MINUTES,
            "per_tenant": True,
        },
    ]
