"""The PDF of a version: rendered once, stored with its SHA-256, verified on every read."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pypdf import PdfReader

from tenant_apps.accounts.models import User
from tenant_apps.cases.models import CaseDocument
from tenant_apps.cases.services import case_open
from tenant_apps.catalog.models import Service
from tenant_apps.documents import tasks
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.documents.models import DocumentVersion
from tenant_apps.documents.pdf import document_pdf_context, verification_url
from tenant_apps.documents.services import (
    DocumentIntegrityError,
    document_pdf_ensure,
    document_pdf_read,
    document_version_add,
)
from tenant_apps.documents.uploads import Upload
from tests.documents.conftest import PNG, make_document


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_version_is_rendered_with_the_city_header_number_and_verification_footer(public_document):
    version = public_document.versions.get()

    pdf = document_pdf_read(version=version)

    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    code = public_document.verification_code
    year = public_document.year
    assert f"DOC {public_document.sequence}/{year} - SEPLOG-PROT" in text
    assert "Prefeitura Municipal de Aracaju" in text
    assert "Sergipe (SE)" in text
    assert "Ofício sobre a poda de árvores" in text
    assert "Solicitamos a poda das árvores da Rua Laranjeiras." in text
    assert "Sérgio Servidor" in text
    assert f"Código de verificação: {code}" in text
    assert f"http://aracaju.localhost:8000/verificar/?codigo={code}" in text
    attachment = public_document.attachments.get()
    assert attachment.sha256 in text.replace("\n", "")


def test_the_pdf_context_embeds_the_coat_of_arms_and_a_qr_code_of_the_verification_url(public_document):
    context = document_pdf_context(version=public_document.versions.get())

    assert context["coat_of_arms"].startswith("data:image/svg+xml;base64,")
    assert context["qr_svg"].startswith("<svg")
    assert context["verification_url"] == verification_url(public_document.verification_code)


def test_a_version_is_rendered_once_and_its_hash_recorded(public_document, media_root):
    version = public_document.versions.get()

    name = document_pdf_ensure(version=version)
    again = document_pdf_ensure(version=DocumentVersion.objects.get(pk=version.pk))

    stored = (media_root / "aracaju" / name).read_bytes()
    version.refresh_from_db()
    assert again == name == version.pdf_name
    assert version.pdf_sha256 == hashlib.sha256(stored).hexdigest()
    assert name.startswith(f"documents/{public_document.year}/{public_document.pk}/v1-")
    assert document_pdf_read(version=version) == stored
    assert len(list((media_root / "aracaju" / "documents").rglob("*.pdf"))) == 1


def test_a_tampered_pdf_is_refused_and_not_rendered_again(public_document):
    version = public_document.versions.get()
    name = document_pdf_ensure(version=version)
    default_storage.delete(name)
    default_storage.save(name, ContentFile(b"%PDF-1.7 falsificado"))

    with pytest.raises(DocumentIntegrityError, match="não confere com o registrado"):
        document_pdf_read(version=version)

    version.refresh_from_db()
    assert version.pdf_name == name


def test_each_version_gets_its_own_pdf(public_document):
    second = document_version_add(document=public_document, body="Texto revisado.")

    first_name = document_pdf_ensure(version=public_document.versions.get(number=1))
    second_name = document_pdf_ensure(version=second)

    assert first_name != second_name
    assert "Texto revisado." in _text(document_pdf_read(version=second))


def test_a_new_version_is_rendered_by_a_job_after_commit(
    public_document, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        tasks.document_pdf_render_task, "send_with_options", lambda **options: sent.append(options)
    )

    with django_capture_on_commit_callbacks(execute=True):
        version = document_version_add(document=public_document, body="Versão 2")
    assert [options["kwargs"] for options in sent] == [{"version_id": version.pk}]
    assert sent[0]["schema_name"] == "aracaju"

    tasks.document_pdf_render_task.fn(version_id=version.pk)
    tasks.document_pdf_render_task.fn(version_id=version.pk)  # a retry changes nothing

    version.refresh_from_db()
    assert version.pdf_name.endswith(".pdf")
    assert DocumentVersion.objects.filter(document=public_document).exclude(pdf_name="").count() == 1


def test_the_request_document_of_a_new_case_renders_as_its_receipt(in_aracaju):
    citizen = User.objects.get(email="cidadao@exemplo.com.br")
    case = case_open(
        service=Service.objects.get(code="poda-de-arvore"),
        opened_by=citizen,
        form_data={"endereco": "Rua Laranjeiras, 100, Centro", "motivo": "Galhos na fiação"},
        uploads=[Upload(name="arvore.png", file=io.BytesIO(PNG), label="Foto da árvore")],
    )
    request_document = CaseDocument.objects.get(case=case, document__kind=DocumentKind.REQUEST).document

    text = _text(document_pdf_read(version=request_document.versions.get()))

    assert f"REQ {request_document.sequence}/{request_document.year} - EMSURB" in text
    assert case.nup in text
    assert "Rua Laranjeiras, 100, Centro" in text
    assert "Maria da Silva Santos" in text
    assert "arvore.png" in text
    assert request_document.verification_code in text


def test_markup_in_the_text_is_printed_as_text_and_fetches_nothing(author_unit):
    document = make_document(author_unit, body='<b>negrito</b> <img src="http://169.254.169.254/x.png">\nfim')

    text = _text(document_pdf_read(version=document.versions.get()))

    assert '<b>negrito</b> <img src="http://169.254.169.254/x.png">' in text
    assert "fim" in text
