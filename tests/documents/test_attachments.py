"""Attachments: stored in the tenant's storage, typed by content, verified by SHA-256 on every read."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context

from paco.errors import ApplicationError
from tenant_apps.documents.models import Attachment
from tenant_apps.documents.services import AttachmentIntegrityError, attachment_read, attachment_store
from tests.documents.conftest import PNG
from tests.factories import pdf_bytes

PDF = pdf_bytes()
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def _tamper(name: str, data: bytes) -> None:
    default_storage.delete(name)
    assert default_storage.save(name, ContentFile(data)) == name


def test_an_attachment_is_stored_under_the_tenant_with_its_sha256(media_root, in_aracaju):
    attachment = attachment_store(file=io.BytesIO(PDF), name="oficio.pdf", label="Ofício")

    assert (attachment.content_type, attachment.size, attachment.original_name) == (
        "application/pdf",
        len(PDF),
        "oficio.pdf",
    )
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.storage_name.startswith("attachments/")
    assert attachment.storage_name.endswith(".pdf")
    assert (media_root / "aracaju" / attachment.storage_name).read_bytes() == PDF
    assert attachment_read(attachment=attachment) == PDF


def test_a_tampered_file_is_refused(in_aracaju):
    attachment = attachment_store(file=io.BytesIO(PNG), name="foto.png")

    _tamper(attachment.storage_name, PNG + b"alterado")

    with pytest.raises(AttachmentIntegrityError, match="não confere com o registrado"):
        attachment_read(attachment=attachment)


def test_another_tenant_cannot_read_the_file(in_aracaju, gravatai):
    attachment = attachment_store(file=io.BytesIO(PNG), name="foto.png")

    with tenant_context(gravatai), pytest.raises(FileNotFoundError):
        attachment_read(attachment=attachment)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (ELF, "relatorio.pdf"),
        (HTML, "relatorio.pdf"),
        (HTML, "nota.txt"),
        (b"MZ\x90\x00" + b"\x00" * 60, "a.png"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(in_aracaju, content, name):
    with pytest.raises(ApplicationError) as refused:
        attachment_store(file=io.BytesIO(content), name=name)

    assert refused.value.message == (
        f"O arquivo “{name}” não é de um tipo aceito (PDF, imagem, texto, DOCX ou ODT)."
    )
    assert refused.value.extra == {"field": "file"}
    assert not Attachment.objects.exists()


def test_plain_text_is_accepted(in_aracaju):
    attachment = attachment_store(file=io.BytesIO("Relação de árvores\n".encode()), name="lista.txt")

    assert attachment.content_type == "text/plain"


def test_the_size_limit_comes_from_settings(in_aracaju, settings):
    settings.ATTACHMENT_MAX_BYTES = 64

    with pytest.raises(ApplicationError) as refused:
        attachment_store(file=io.BytesIO(PNG), name="foto.png")

    assert refused.value.message == "O arquivo “foto.png” passa do limite de 64\xa0bytes."
    assert not Attachment.objects.exists()
    assert attachment_store(file=io.BytesIO(PNG[:64]), name="foto.png").size == 64


def test_an_empty_file_is_refused(in_aracaju):
    with pytest.raises(ApplicationError, match="O arquivo “vazio.pdf” está vazio."):
        attachment_store(file=io.BytesIO(b""), name="vazio.pdf")
