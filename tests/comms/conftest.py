import io
import uuid

import pytest

from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.org.enums import OrgUnitKind, Role
from tenant_apps.org.models import Membership, OrgUnit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png() -> io.BytesIO:
    return io.BytesIO(PNG)


def person(email: str, name: str, unit: OrgUnit | None = None, role: str = Role.STAFF) -> User:
    user = User.objects.create_user(email, "x", full_name=name, kind=UserKind.STAFF)
    if unit is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


class Org:
    """A small tree: RAIZ > FILHA > NETA, and OUTRA apart, with one person (or two) in each."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:6]
        self.root = OrgUnit.objects.create(
            code="91001", acronym="T-RAIZ", name="Raiz de teste", kind=OrgUnitKind.SECRETARIA
        )
        self.child = OrgUnit.objects.create(
            code="91002", acronym="T-FILHA", name="Filha", kind=OrgUnitKind.SETOR, parent=self.root
        )
        self.grandchild = OrgUnit.objects.create(
            code="91003", acronym="T-NETA", name="Neta", kind=OrgUnitKind.SETOR, parent=self.child
        )
        self.other = OrgUnit.objects.create(
            code="91004", acronym="T-OUTRA", name="Outra", kind=OrgUnitKind.SECRETARIA
        )
        self.manager = person(f"gestora-{tag}@teste.gov.br", "Gina Gestora", self.root, Role.MANAGER)
        self.root_staff = person(f"rui-{tag}@teste.gov.br", "Rui Raiz", self.root)
        self.child_staff = person(f"fabi-{tag}@teste.gov.br", "Fabi Filha", self.child)
        self.grandchild_staff = person(f"nelo-{tag}@teste.gov.br", "Nelo Neto", self.grandchild)
        self.other_staff = person(f"otto-{tag}@teste.gov.br", "Otto Outro", self.other)
        self.other_manager = person(f"olga-{tag}@teste.gov.br", "Olga Outra", self.other, Role.MANAGER)
        self.outsider = person(f"xavier-{tag}@teste.gov.br", "Xavier Sem Lotação")


@pytest.fixture
def org(in_aracaju) -> Org:
    return Org()
