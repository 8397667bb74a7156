"""Demo data of vendor support (`paco_demo.seeding`, public schema): Aracaju's admins have
pre-consented (sessions start at once, still time-boxed, read-only and logged); Gravataí's approve
each session."""

from __future__ import annotations

from paco_demo.cities import DEMO_MUNICIPALITIES
from tenants.models import Municipality

from .models import SupportAccessPolicy
from .services import support_policy_set

DEMO_SUPPORT_ACCESS = {"aracaju": "allowed", "gravatai": "approval"}


def seed(*, municipality: Municipality) -> None:
    spec = next(spec for spec in DEMO_MUNICIPALITIES if spec.slug == municipality.slug)
    if spec.admin is not None and not SupportAccessPolicy.objects.filter(municipality=municipality).exists():
        support_policy_set(
            municipality=municipality,
            mode=DEMO_SUPPORT_ACCESS[municipality.slug],
            changed_by=spec.admin.email,
        )
