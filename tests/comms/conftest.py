import io
import uuid

import pytest

from tenant_apps.accounts.models import User
from tenant_apps.org.enums import OrgUnitKind, Role
from tenant_apps.org.models import OrgUnit
from tests.factories import MembershipFactory, OrgUnitFactory, StaffFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png() -> io.BytesIO:
    return io.BytesIO(PNG)


def person(email: str, name: str, unit: OrgUnit | None = None, role: str = Role.STAFF) -> User:
    user = StaffFactory(email=email, full_name=name)
    if unit is not None:
        MembershipFactory(user=user, unit=unit, role=role)
    return user


class Org:
    """A small tree: RAIZ > FILHA > NETA, and OUTRA apart, with one person (or two) in each."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:6]
        self.root = OrgUnitFactory(acronym="T-RAIZ", name="Raiz de teste", kind=OrgUnitKind.SECRETARIA)
        self.child = OrgUnitFactory(acronym="T-FILHA", name="Filha", parent=self.root)
        self.grandchild = OrgUnitFactory(acronym="T-NETA", name="Neta", parent=self.child)
        self.other = OrgUnitFactory(acronym="T-OUTRA", name="Outra", kind=OrgUnitKind.SECRETARIA)
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


def memo_signed(memo):
    """Run now what the signature job runs after commit (the tests' transaction never commits)."""
    from tenant_apps.signatures.services import signature_request_run

    for request in memo.document.signature_requests.all():
        signature_request_run(request_id=request.pk)
    return memo
