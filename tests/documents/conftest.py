"""Documents of Aracaju's units, people in every role, and a storage folder of the test's own."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from paco_demo import cities as demo
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.documents.enums import AccessLevel, DocumentKind
from tenant_apps.documents.models import Document
from tenant_apps.documents.services import attachment_store, document_create
from tenant_apps.org.enums import Role
from tenant_apps.org.models import Membership, OrgUnit
from tenants.branding import COAT_OF_ARMS_NAME, coat_of_arms_svg
from tests.conftest import _force_login, client_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LEGAL_BASIS = "Informação pessoal (Lei 12.527/2011, art. 31)"
OTHER_UNIT_EMAIL = "outra.unidade@aracaju.se.gov.br"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any, aracaju: Any, gravatai: Any) -> Any:
    """Files of these tests go to a temporary folder, with each city's coat of arms in it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for municipality in (aracaju, gravatai):
        with tenant_context(municipality):
            svg = coat_of_arms_svg(
                name=municipality.name,
                state=municipality.state,
                primary_color=municipality.primary_color,
                secondary_color=municipality.secondary_color,
            )
            default_storage.save(municipality.coat_of_arms or COAT_OF_ARMS_NAME, ContentFile(svg.encode()))
    return settings.MEDIA_ROOT


@pytest.fixture
def author_unit(in_aracaju: Any) -> OrgUnit:
    """The unit of Aracaju's demo staff member and manager (SEPLOG-PROT)."""
    return OrgUnit.objects.get(acronym=demo.DEMO_STAFF["aracaju"]["unit"])


@pytest.fixture
def staff(in_aracaju: Any) -> User:
    return User.objects.get(email=demo.DEMO_STAFF["aracaju"]["email"])


@pytest.fixture
def other_unit_staff(in_aracaju: Any) -> User:
    """A staff member of SEMA, a unit that authored none of the documents."""
    user = User.objects.create_user(
        OTHER_UNIT_EMAIL, demo.DEMO_PASSWORD, full_name="Otávio Outra Unidade", kind=UserKind.STAFF
    )
    Membership.objects.create(user=user, unit=OrgUnit.objects.get(acronym="SEMA"), role=Role.STAFF)
    TOTPDevice.objects.create(user=user, name="default", confirmed=True, key=demo.DEMO_TOTP_KEY_HEX)
    return user


def make_document(
    unit: OrgUnit,
    *,
    access_level: str = AccessLevel.PUBLIC,
    title: str = "Ofício sobre a poda de árvores",
    body: str = "Solicitamos a poda das árvores da Rua Laranjeiras.\nUrgente.",
    author: Any = None,
    kind: str = DocumentKind.OTHER,
    attachments: int = 0,
) -> Document:
    document = document_create(
        kind=kind,
        unit=unit,
        title=title,
        body=body,
        author=author,
        access_level=access_level,
        legal_basis="" if access_level == AccessLevel.PUBLIC else LEGAL_BASIS,
    )
    for index in range(attachments):
        attachment_store(file=io.BytesIO(PNG), name=f"foto-{index + 1}.png", document=document, label="Foto")
    return document


@pytest.fixture
def public_document(author_unit: OrgUnit, staff: User) -> Document:
    return make_document(author_unit, author=staff, attachments=1)


@pytest.fixture
def restricted_document(author_unit: OrgUnit, staff: User) -> Document:
    return make_document(
        author_unit,
        access_level=AccessLevel.RESTRICTED,
        title="Parecer sobre o servidor",
        body="Dados pessoais do servidor.",
        author=staff,
        attachments=1,
    )


@pytest.fixture
def secret_document(author_unit: OrgUnit, staff: User) -> Document:
    return make_document(
        author_unit,
        access_level=AccessLevel.SECRET,
        title="Investigação sigilosa",
        body="Apuração em andamento.",
        author=staff,
        attachments=1,
    )


def client_as(role: str, municipality: Any) -> Client:
    """`client_for` plus "other_unit": a staff member of a unit that authored nothing (SEMA)."""
    if role != "other_unit":
        return client_for(role, municipality)
    host = f"{municipality.slug}.localhost"
    client = Client(HTTP_HOST=host)
    with tenant_context(municipality):
        _force_login(client, User.objects.get(email=OTHER_UNIT_EMAIL), host)
    return client
