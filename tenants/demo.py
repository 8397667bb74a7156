"""Demo data of the tenancy layer (`paco_demo.seeding`, in `public`): each demo city has one own
domain waiting for verification (`servicos.<slug>.<uf>.gov.br`), so the admin's page at
/admin-municipal/dominio/ shows the DNS records to create. It stays pending: a verified domain
would become the primary host and every demo URL (`<slug>.localhost:8000`) would redirect to a
name that does not resolve on this machine.
"""

from __future__ import annotations

from .models import CustomDomain, Municipality
from .services import custom_domain_add


def seed(*, municipality: Municipality) -> None:
    hostname = f"servicos.{municipality.slug}.{municipality.state.lower()}.gov.br"
    if not CustomDomain.objects.filter(hostname=hostname).exists():
        custom_domain_add(municipality=municipality, hostname=hostname)
