"""Demo data of the Ouvidoria (`paco_demo.seeding`): the office that sees protected identities and
one ombudsman login per city; its two internal services are created on the first manifestation.

Aracaju's office is the Controladoria-Geral (CGM); Gravataí's the Secretaria de Administração,
Modernização e Transparência (SMAMT).
"""

from __future__ import annotations

from paco_demo.cities import DEMO_PASSWORD, demo_staff_ensure
from tenant_apps.org.enums import Role
from tenant_apps.org.models import OrgUnit
from tenants.models import Municipality

from .deadlines import settings_default
from .models import OmbudsmanSettings
from .services import ombudsman_settings_update, system_user

DEMO_OMBUDSMAN: dict[str, dict[str, str]] = {
    "aracaju": {"unit": "CGM", "email": "ouvidoria@aracaju.se.gov.br", "full_name": "Olívia Ouvidora"},
    "gravatai": {"unit": "SMAMT", "email": "ouvidoria@gravatai.rs.gov.br", "full_name": "Otávio Ouvidor"},
}


def seed(*, municipality: Municipality) -> None:
    spec = DEMO_OMBUDSMAN[municipality.slug]
    unit = OrgUnit.objects.get(acronym=spec["unit"])
    if settings_default().pk is None:
        ombudsman_settings_update(settings=OmbudsmanSettings(ombudsman_unit=unit))
    system_user()
    demo_staff_ensure(email=spec["email"], full_name=spec["full_name"], unit=unit, role=Role.MANAGER)


def logins(*, municipality: Municipality) -> list[tuple[str, str, str]]:
    """(who, e-mail, password) printed by `make demo`."""
    return [("ombudsman", DEMO_OMBUDSMAN[municipality.slug]["email"], DEMO_PASSWORD)]
