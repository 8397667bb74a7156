"""Issue 10, finding 8 (uploads): text checked whole, PDFs parsed, Office zips opened with limits."""

from __future__ import annotations

import io

import pytest

from paco.errors import ApplicationError
from tenant_apps.documents.models import Attachment
from tenant_apps.documents.services import attachment_store
from tests.factories import pdf_bytes
from tests.security.hostile import _zip, corpus

SMALL_BOMB_LIMIT = 4 * 1024 * 1024  # the small bomb unpacks to 8 MiB


@pytest.mark.parametrize(("name", "content", "why"), corpus(small=True), ids=lambda value: str(value)[:20])
def test_every_hostile_upload_is_refused_and_nothing_is_stored(
    in_aracaju, media_root, settings, name, content, why
):
    settings.ATTACHMENT_OFFICE_MAX_UNPACKED_BYTES = SMALL_BOMB_LIMIT
    before = Attachment.objects.count()

    with pytest.raises(ApplicationError) as refused:
        attachment_store(file=io.BytesIO(content), name=name)

    assert name in refused.value.message, why
    assert Attachment.objects.count() == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("oficio.pdf", pdf_bytes()),
        ("ata.txt", "Ata da reunião: tudo certo.\n".encode() * 1000),
        ("parecer.docx", _zip({"word/document.xml": b"<w:document/>"})),
    ],
)
def test_ordinary_files_are_still_accepted(in_aracaju, media_root, name, content):
    attachment = attachment_store(file=io.BytesIO(content), name=name)
    assert attachment.size == len(content)
