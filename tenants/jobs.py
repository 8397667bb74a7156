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
        # look again for the DNS TXT record of every city's pending own domain (tenants.services)
        {
            "name": "custom-domains-verify",
            "actor": "tenants.tasks.custom_domains_verify_task",
            "every": "minutes",
            "minutes": settings.CUSTOM_DOMAIN_CHECK_MINUTES,
            "per_tenant": False,
        },
    ]
