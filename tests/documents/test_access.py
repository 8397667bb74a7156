"""Who reads what: the access rule per role, the staff pages, and the access log of restricted documents."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context

from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case, CaseDocument
from tenant_apps.cases.services import case_open
from tenant_apps.catalog.models import Service
from tenant_apps.documents.enums import AccessAction, AccessLevel, DocumentKind
from tenant_apps.documents.models import DocumentAccessLog
from tenant_apps.documents.selectors import (
    ReadGrant,
    document_read_grant_register,
    document_read_grant_unregister,
    document_user_can_read,
)
from tenant_apps.documents.services import document_access_log_record
from tenant_apps.documents.uploads import Upload
from tenant_apps.org.models import OrgUnit
from tests.documents.conftest import PNG, client_as
from tests.factories import UserFactory, staff_in

ARACAJU = "aracaju.localhost"
PEOPLE = ("anonymous", "citizen", "staff", "other_unit", "manager", "admin")
OK, REDIRECT, NOT_FOUND = 200, 302, 404

# Pages of a document authored by the unit of "staff" and "manager" (SEPLOG-PROT); "admin" works
# in SEPLOG (its parent) and "other_unit" in SEMA: neither belongs to the author unit.
READ_PAGE = {
    AccessLevel.PUBLIC: {
        "anonymous": REDIRECT,
        "citizen": REDIRECT,
        "staff": OK,
        "other_unit": OK,
        "manager": OK,
        "admin": OK,
    },
    AccessLevel.RESTRICTED: {
        "anonymous": REDIRECT,
        "citizen": REDIRECT,
        "staff": OK,
        "other_unit": NOT_FOUND,
        "manager": OK,
        "admin": NOT_FOUND,
    },
    AccessLevel.SECRET: {
        "anonymous": REDIRECT,
        "citizen": REDIRECT,
        "staff": OK,
        "other_unit": NOT_FOUND,
        "manager": OK,
        "admin": NOT_FOUND,
    },
}
LOGGED_ACTION = {OK: AccessAction.VIEW, NOT_FOUND: AccessAction.DENIED}
DOCUMENT_FIXTURES = {
    AccessLevel.PUBLIC: "public_document",
    AccessLevel.RESTRICTED: "restricted_document",
    AccessLevel.SECRET: "secret_document",
}


def _person(role: str) -> User | None:
    emails = {
        "citizen": "cidadao@exemplo.com.br",
        "staff": "servidor@aracaju.se.gov.br",
        "other_unit": "outra.unidade@aracaju.se.gov.br",
        "manager": "gestor@aracaju.gov.br",
        "admin": "admin@aracaju.se.gov.br",
    }
    return User.objects.get(email=emails[role]) if role in emails else None


def _logs(document) -> list[tuple[str, str]]:
    return list(
        DocumentAccessLog.objects.filter(document=document)
        .order_by("id")
        .values_list("user__email", "action")
    )


@pytest.mark.parametrize("level", list(READ_PAGE))
@pytest.mark.parametrize("role", PEOPLE)
def test_the_document_page_follows_the_access_rule_and_logs_restricted_reads(
    request, aracaju, other_unit_staff, level, role
):
    document = request.getfixturevalue(DOCUMENT_FIXTURES[level])

    response = client_as(role, aracaju).get(f"/staff/documentos/{document.pk}/", HTTP_HOST=ARACAJU)

    expected = READ_PAGE[level][role]
    assert response.status_code == expected
    with tenant_context(aracaju):
        person = _person(role)
        assert document_user_can_read(person, document) is (expected == OK or level == AccessLevel.PUBLIC)
        logged = _logs(document)
    if level == AccessLevel.PUBLIC or expected == REDIRECT:
        assert logged == []
    else:
        assert logged == [(person.email, LOGGED_ACTION[expected])]
    if expected == OK:
        html = response.content.decode()
        assert document.title in html
        assert document.verification_code in html
        assert f"/staff/documentos/{document.pk}/anexos/" in html
    if expected == NOT_FOUND:
        assert document.title not in response.content.decode()


def test_anonymous_visitors_and_citizens_read_only_public_documents(
    in_aracaju, public_document, restricted_document, secret_document
):
    from django.contrib.auth.models import AnonymousUser

    for person in (AnonymousUser(), None, _person("citizen")):
        readable = [
            document_user_can_read(person, document)
            for document in (public_document, restricted_document, secret_document)
        ]
        assert readable == [True, False, False]


def test_the_caller_may_vouch_for_restricted_but_only_parties_read_secret(
    in_aracaju, other_unit_staff, restricted_document, secret_document
):
    assert document_user_can_read(other_unit_staff, restricted_document, extra_allowed=True) is True
    assert document_user_can_read(other_unit_staff, secret_document, extra_allowed=True) is False
    assert document_user_can_read(other_unit_staff, secret_document, is_party=True) is True
    assert document_user_can_read(None, restricted_document, extra_allowed=True) is False


def _case_grant(user, document) -> ReadGrant:
    """What the Protocolo registers: parties of a case holding the document, and who sees the case."""
    from tenant_apps.cases.selectors import case_queryset_visible

    if not getattr(user, "is_authenticated", False):
        return ReadGrant.NONE
    if CaseDocument.objects.filter(document=document, case__citizen=user).exists():
        return ReadGrant.PARTY
    if case_queryset_visible(user).filter(case_documents__document=document).exists():
        return ReadGrant.RELATED
    return ReadGrant.NONE


@pytest.fixture
def case_hook():
    document_read_grant_register(_case_grant)
    document_read_grant_register(_case_grant)  # registering twice keeps one
    yield _case_grant
    document_read_grant_unregister(_case_grant)


def test_a_registered_hook_lets_the_case_owner_and_the_case_units_read(
    in_aracaju, case_hook, other_unit_staff
):
    citizen = User.objects.get(email="cidadao@exemplo.com.br")
    someone_else = UserFactory(email="outro@exemplo.com.br", full_name="Outra Pessoa")
    case = case_open(
        service=Service.objects.get(code="poda-de-arvore"),
        opened_by=citizen,
        form_data={"endereco": "Rua Laranjeiras, 100, Centro", "motivo": "Galhos na fiação"},
        uploads=[Upload(name="arvore.png", file=io.BytesIO(PNG), label="Foto da árvore")],
    )
    request_document = CaseDocument.objects.get(case=case, document__kind=DocumentKind.REQUEST).document
    emsurb_staff = staff_in(
        OrgUnit.objects.get(acronym="EMSURB"), email="e@aracaju.se.gov.br", full_name="Edna"
    )

    assert request_document.access_level == AccessLevel.RESTRICTED
    assert document_user_can_read(citizen, request_document) is True
    assert document_user_can_read(someone_else, request_document) is False
    assert document_user_can_read(emsurb_staff, request_document) is True  # author unit
    assert document_user_can_read(other_unit_staff, request_document) is False  # SEMA never saw the case

    Case.objects.filter(pk=case.pk).update(current_unit=OrgUnit.objects.get(acronym="SEMA"))
    assert document_user_can_read(other_unit_staff, request_document) is True


def test_a_hook_grants_secret_documents_only_to_parties(in_aracaju, secret_document, other_unit_staff):
    grants = {}

    def hook(user, document):
        return grants.get(user.pk, ReadGrant.NONE)

    document_read_grant_register(hook)
    try:
        grants[other_unit_staff.pk] = ReadGrant.RELATED
        assert document_user_can_read(other_unit_staff, secret_document) is False
        grants[other_unit_staff.pk] = ReadGrant.PARTY
        assert document_user_can_read(other_unit_staff, secret_document) is True
    finally:
        document_read_grant_unregister(hook)
    assert document_user_can_read(other_unit_staff, secret_document) is False


@pytest.mark.parametrize("role", PEOPLE)
def test_pdf_and_attachment_downloads_follow_the_rule_and_are_logged(
    aracaju, other_unit_staff, secret_document, role
):
    with tenant_context(aracaju):
        attachment = secret_document.attachments.get()
    client = client_as(role, aracaju)

    pdf = client.get(
        f"/staff/documentos/{secret_document.pk}/pdf/", HTTP_HOST=ARACAJU, REMOTE_ADDR="198.51.100.4"
    )
    download = client.get(
        f"/staff/documentos/{secret_document.pk}/anexos/{attachment.pk}/",
        HTTP_HOST=ARACAJU,
        REMOTE_ADDR="198.51.100.4",
    )

    expected = READ_PAGE[AccessLevel.SECRET][role]
    assert (pdf.status_code, download.status_code) == (expected, expected)
    with tenant_context(aracaju):
        person = _person(role)
        entries = list(
            DocumentAccessLog.objects.filter(document=secret_document)
            .order_by("id")
            .values_list("user__email", "action", "ip_address")
        )
    if expected == OK:
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
        assert "no-store" in pdf["Cache-Control"]
        assert download.content == PNG
        assert download["Content-Type"] == "image/png"
        assert download["Content-Disposition"] == 'attachment; filename="foto-1.png"'
        assert download["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert entries == [(person.email, "download", "198.51.100.4")] * 2
    elif expected == NOT_FOUND:
        assert entries == [(person.email, "denied", "198.51.100.4")] * 2
    else:
        assert entries == []


def test_an_attachment_of_another_document_is_not_found(aracaju, public_document, secret_document):
    with tenant_context(aracaju):
        secret_attachment = secret_document.attachments.get()

    response = client_as("admin", aracaju).get(
        f"/staff/documentos/{public_document.pk}/anexos/{secret_attachment.pk}/", HTTP_HOST=ARACAJU
    )

    assert response.status_code == 404


def test_a_tampered_attachment_is_refused_with_a_409(aracaju, restricted_document):
    with tenant_context(aracaju):
        attachment = restricted_document.attachments.get()
        default_storage.delete(attachment.storage_name)
        default_storage.save(attachment.storage_name, ContentFile(b"MZ executavel trocado"))

    response = client_as("staff", aracaju).get(
        f"/staff/documentos/{restricted_document.pk}/anexos/{attachment.pk}/", HTTP_HOST=ARACAJU
    )

    assert response.status_code == 409
    assert (
        "O arquivo “foto-1.png” não confere com o registrado (SHA-256 diferente)."
        in response.content.decode()
    )
    assert b"MZ executavel" not in response.content
    with tenant_context(aracaju):
        assert not DocumentAccessLog.objects.filter(document=restricted_document, action="download").exists()


def test_a_missing_document_is_a_404(aracaju):
    response = client_as("staff", aracaju).get("/staff/documentos/999999/", HTTP_HOST=ARACAJU)

    assert response.status_code == 404


ACCESS_LOG_PAGE = {
    "anonymous": REDIRECT,
    "citizen": REDIRECT,
    "staff": NOT_FOUND,
    "other_unit": NOT_FOUND,
    "manager": OK,
    "admin": NOT_FOUND,
}


@pytest.mark.parametrize("role", PEOPLE)
def test_only_the_author_units_managers_see_the_access_log(
    aracaju, other_unit_staff, restricted_document, role
):
    with tenant_context(aracaju):
        staff = User.objects.get(email="servidor@aracaju.se.gov.br")
        document_access_log_record(
            document=restricted_document, user=staff, action=AccessAction.DOWNLOAD, ip_address="192.0.2.10"
        )
        document_access_log_record(
            document=restricted_document, user=other_unit_staff, action=AccessAction.DENIED
        )

    response = client_as(role, aracaju).get(
        f"/staff/documentos/{restricted_document.pk}/acessos/", HTTP_HOST=ARACAJU
    )

    assert response.status_code == ACCESS_LOG_PAGE[role]
    if response.status_code == OK:
        html = response.content.decode()
        assert "Sérgio Servidor" in html
        assert "192.0.2.10" in html
        assert "Download" in html
        assert "Otávio Outra Unidade" in html
        assert "Acesso negado" in html


def test_reads_of_public_documents_and_by_anonymous_visitors_are_not_logged(
    in_aracaju, public_document, secret_document
):
    from django.contrib.auth.models import AnonymousUser

    staff = User.objects.get(email="servidor@aracaju.se.gov.br")

    assert document_access_log_record(document=public_document, user=staff, action=AccessAction.VIEW) is None
    assert (
        document_access_log_record(document=secret_document, user=AnonymousUser(), action=AccessAction.VIEW)
        is None
    )
    entry = document_access_log_record(
        document=secret_document, user=staff, action=AccessAction.VIEW, ip_address=""
    )
    assert (entry.user, entry.action, entry.ip_address) == (staff, "view", None)
    assert DocumentAccessLog.objects.count() == 1
