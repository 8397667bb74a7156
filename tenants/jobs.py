"""Periodic jobs of the tenancy layer (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from django.conf import settings

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # keep TENANT_SCHEMA_POOL_SIZE ready schemas of the current template (and drop older ones)
        {
            "name": "schema-pool-fill",
            "actor": "tenants.tasks.schema_pool_fill_task",
            "every": "minutes",
            "minutes": settings.TENANT_SCHEMA_POOL_MINUTES,
            "per_tenant": False,
        },
    ]
