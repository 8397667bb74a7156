import pytest

from tenant_apps.accounts.models import User
from tenant_apps.ombudsman.demo import DEMO_OMBUDSMAN
from tenant_apps.org.enums import Role
from tenant_apps.org.models import OrgUnit
from tests.factories import staff_in


@pytest.fixture
def ombudsman(in_aracaju):
    """Aracaju's demo ombudsman, manager in the CGM (the office that sees protected identities)."""
    return User.objects.get(email=DEMO_OMBUDSMAN["aracaju"]["email"])


@pytest.fixture
def sema(in_aracaju):
    return OrgUnit.objects.get(acronym="SEMA")


@pytest.fixture
def sema_staff(in_aracaju, sema):
    return staff_in(sema, email="sema@aracaju.se.gov.br", full_name="Sandro Sema")


@pytest.fixture
def sema_manager(in_aracaju, sema):
    return staff_in(sema, role=Role.MANAGER, email="gestor.sema@aracaju.se.gov.br", full_name="Gil Sema")


@pytest.fixture
def citizen(in_aracaju):
    return User.objects.get(email="cidadao@exemplo.com.br")
