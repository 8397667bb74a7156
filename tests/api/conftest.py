"""People of Aracaju around one EMSURB case, and API clients logged in as each of them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context
from rest_framework.authtoken.models import Token

from paco_demo import cities as demo
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case
from tenant_apps.cases.services import case_open, nup_digits
from tenant_apps.catalog.models import Service
from tenant_apps.documents.uploads import Upload
from tenant_apps.org.enums import Role
from tenant_apps.org.models import Membership, OrgUnit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORM = {"endereco": "Rua Laranjeiras, 100, Centro", "motivo": "Galhos na fiação"}
ARACAJU_HOST = "aracaju.localhost"


def png(name: str = "arvore.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def session_client(user: User, municipality: Any, *, verified: bool = True) -> Client:
    """A browser session on the city's host; staff with the second factor passed unless told."""
    host = f"{municipality.slug}.localhost"
    client = Client(HTTP_HOST=host)
    with tenant_context(municipality):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if verified and device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return client


def token_client(user: User, municipality: Any, *, host: str | None = None) -> Client:
    with tenant_context(municipality):
        token, _created = Token.objects.get_or_create(user=user)
    return Client(HTTP_HOST=host or f"{municipality.slug}.localhost", HTTP_AUTHORIZATION=f"Token {token.key}")


def staff_create(email: str, full_name: str, acronym: str, role: str = Role.STAFF) -> User:
    user = User.objects.create_user(email, "x", full_name=full_name, kind=UserKind.STAFF)
    Membership.objects.create(user=user, unit=OrgUnit.objects.get(acronym=acronym), role=role)
    TOTPDevice.objects.create(user=user, name="default", confirmed=True, key=demo.DEMO_TOTP_KEY_HEX)
    return user


def case_state(case: Case) -> dict[str, Any]:
    """Everything an action could change on a case, to prove a refused request changed nothing."""
    fresh = Case.objects.annotate(
        event_count=Count("events", distinct=True),
        move_count=Count("moves", distinct=True),
        dispatch_count=Count("dispatches", distinct=True),
        document_count=Count("case_documents", distinct=True),
        question_count=Count("information_requests", distinct=True),
    ).get(pk=case.pk)
    return {
        "status": fresh.status,
        "current_unit": fresh.current_unit_id,
        "assigned_to": fresh.assigned_to_id,
        "deadline": fresh.deadline,
        "paused_since": fresh.paused_since,
        "closed_at": fresh.closed_at,
        "final_answer": fresh.final_answer,
        "last_event_at": fresh.last_event_at,
        "updated_at": fresh.updated_at,
        "counts": (
            fresh.event_count,
            fresh.move_count,
            fresh.dispatch_count,
            fresh.document_count,
            fresh.question_count,
        ),
        "answers": list(fresh.information_requests.values_list("answer", "answered_at")),
    }


def local_iso(moment: Any) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


@pytest.fixture
def citizen(in_aracaju) -> User:
    return User.objects.get(email=demo.DEMO_CITIZEN["email"])


@pytest.fixture
def other_citizen(in_aracaju) -> User:
    return User.objects.create_user(
        "joana@exemplo.com.br", "x", full_name="Joana Vizinha", cpf="11144477735", kind=UserKind.CITIZEN
    )


@pytest.fixture
def unit_staff(in_aracaju) -> User:
    """Staff of EMSURB, where 'Poda de árvore' lands."""
    return staff_create("edna@aracaju.se.gov.br", "Edna Emsurb", "EMSURB")


@pytest.fixture
def other_staff(in_aracaju) -> User:
    return staff_create("sandro@aracaju.se.gov.br", "Sandro Sema", "SEMA")


@pytest.fixture
def manager(in_aracaju) -> User:
    return staff_create("mauro@aracaju.se.gov.br", "Mauro Gestor", "EMSURB", Role.MANAGER)


@pytest.fixture
def admin(in_aracaju) -> User:
    """The municipal admin, whose role is in SEPLOG (not in EMSURB)."""
    return User.objects.get(email=demo.ARACAJU.admin.email)  # type: ignore[union-attr]


@pytest.fixture
def poda(in_aracaju) -> Service:
    return Service.objects.get(code="poda-de-arvore")


@pytest.fixture
def case(citizen, poda, unit_staff, other_staff, manager, other_citizen) -> Case:
    """A citizen's EMSURB case, with every role of the matrix already in place."""
    return case_open(
        service=poda,
        opened_by=citizen,
        form_data=FORM,
        subject="Árvore com galhos na fiação",
        uploads=[Upload(name="arvore.png", file=io.BytesIO(PNG), label="Foto da árvore")],
    )


@pytest.fixture
def digits(case) -> str:
    return nup_digits(nup=case.nup)


@pytest.fixture
def clients(aracaju, citizen, other_citizen, unit_staff, other_staff, manager, admin) -> dict[str, Client]:
    return {
        "anonymous": Client(HTTP_HOST=ARACAJU_HOST),
        "owner": session_client(citizen, aracaju),
        "other_citizen": session_client(other_citizen, aracaju),
        "unit_staff": session_client(unit_staff, aracaju),
        "other_staff": session_client(other_staff, aracaju),
        "manager": session_client(manager, aracaju),
        "admin": session_client(admin, aracaju),
    }
