"""Periodic jobs of documents (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from django.conf import settings

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # the bytes each city stores, measured for the bill
        {
            "name": "metering-storage",
            "actor": "tenant_apps.documents.tasks.documents_storage_measure_task",
            "every": "daily",
            "at": settings.METERING_STORAGE_MEASURE_AT,
            "per_tenant": True,
        },
    ]
