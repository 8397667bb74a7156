import io

import pytest

from tenant_apps.accounts.models import User
from tenant_apps.catalog.models import Service
from tenant_apps.documents.uploads import Upload
from tenant_apps.org.enums import Role
from tenant_apps.org.models import Membership, OrgUnit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png_upload(label: str = "Foto da árvore", name: str = "arvore.png") -> Upload:
    return Upload(name=name, file=io.BytesIO(PNG), label=label)


@pytest.fixture
def citizen(in_aracaju):
    return User.objects.get(email="cidadao@exemplo.com.br")


@pytest.fixture
def poda(in_aracaju):
    return Service.objects.get(code="poda-de-arvore")


@pytest.fixture
def emsurb_staff(in_aracaju):
    """A staff member of EMSURB, where 'Poda de árvore' lands."""
    user = User.objects.create_user("emsurb@aracaju.se.gov.br", "x", full_name="Edna Emsurb", kind="staff")
    Membership.objects.create(user=user, unit=OrgUnit.objects.get(acronym="EMSURB"), role=Role.STAFF)
    return user


@pytest.fixture
def sema_staff(in_aracaju):
    user = User.objects.create_user("sema@aracaju.se.gov.br", "x", full_name="Sandro Sema", kind="staff")
    Membership.objects.create(user=user, unit=OrgUnit.objects.get(acronym="SEMA"), role=Role.STAFF)
    return user
