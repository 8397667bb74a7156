"""The demo city a bench section measures in: provisioned once, seeded with the demo's data."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

# the control plane's support choices and Open311's publications are not what a bench measures
BENCH_SKIP = frozenset({"shared_apps.support", "tenant_apps.open311"})


def bench_city(*, spec: Any, skip: Collection[str] = BENCH_SKIP) -> Any:
    """`spec`'s city (a `paco_demo.cities` spec), provisioned if missing, with its demo data."""
    from paco_demo.seeding import demo_city_seed
    from tenants.models import Municipality
    from tenants.services import municipality_provision

    municipality = Municipality.objects.filter(slug=spec.slug).first() or municipality_provision(spec=spec)
    demo_city_seed(municipality, skip=skip)
    return municipality
