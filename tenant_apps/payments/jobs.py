"""Periodic jobs of payments (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from django.conf import settings

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # unpaid guides past their due date become "vencida" (a late Pix is still accepted)
        {
            "name": "payments-guides-expire",
            "actor": "tenant_apps.payments.tasks.guides_expire_task",
            "every": "daily",
            "at": settings.PAYMENTS_EXPIRE_AT,
            "per_tenant": True,
        },
    ]
