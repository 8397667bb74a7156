from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from paco_demo import cities as demo
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case
from tenant_apps.cases.services import (
    case_answer_information,
    case_close,
    case_forward,
    case_open,
    case_request_information,
)
from tenant_apps.catalog.models import Service
from tenant_apps.org.enums import Role
from tenant_apps.org.models import Membership, OrgUnit


def staff_of(slug: str) -> User:
    return User.objects.get(email=demo.DEMO_STAFF[slug]["email"])


def citizen() -> User:
    return User.objects.get(email=demo.DEMO_CITIZEN["email"])


def unit(acronym: str) -> OrgUnit:
    return OrgUnit.objects.get(acronym=acronym)


def manager_of(acronym: str, email: str) -> User:
    user = User.objects.create_user(
        email, demo.DEMO_PASSWORD, full_name=f"Gestor {acronym}", kind=UserKind.STAFF
    )
    Membership.objects.create(user=user, unit=unit(acronym), role=Role.MANAGER)
    TOTPDevice.objects.create(user=user, name="default", confirmed=True, key=demo.DEMO_TOTP_KEY_HEX)
    return user


def case_story(*, form_extra: dict[str, Any] | None = None, answer: str = "Poda feita.") -> Case:
    """Aracaju: the citizen asks for a tree pruning (EMSURB); the clerk asks for information, the
    citizen answers, the clerk forwards it to SEPLOG-PROT and closes it there."""
    staff = staff_of("aracaju")
    case = case_open(
        service=Service.objects.get(code="poda-de-arvore"),
        opened_by=citizen(),
        form_data={"endereco": "Rua de Teste, 10", "motivo": "Outro", **(form_extra or {})},
        notify_citizen=False,
        notify_unit=False,
    )
    case_request_information(case=case, actor=staff, question="Qual o número da casa?")
    case_answer_information(case=case, citizen=citizen(), answer="Número 10.")
    case.refresh_from_db()
    case_forward(case=case, actor=staff, to_unit=unit("SEPLOG-PROT"))
    case.refresh_from_db()
    return case_close(case=case, actor=staff, answer=answer)


@pytest.fixture
def story(in_aracaju):
    return case_story()
