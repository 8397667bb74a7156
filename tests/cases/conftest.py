import io

import pytest

from tenant_apps.accounts.models import User
from tenant_apps.catalog.models import Service
from tenant_apps.documents.uploads import Upload
from tenant_apps.org.models import OrgUnit
from tests.factories import staff_in

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
    return staff_in(
        OrgUnit.objects.get(acronym="EMSURB"), email="emsurb@aracaju.se.gov.br", full_name="Edna Emsurb"
    )


@pytest.fixture
def sema_staff(in_aracaju):
    return staff_in(
        OrgUnit.objects.get(acronym="SEMA"), email="sema@aracaju.se.gov.br", full_name="Sandro Sema"
    )
