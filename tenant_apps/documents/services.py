"""Documents: numbering, versions, attachments with verified hashes, search text."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
import uuid
from typing import IO, Any

import puremagic
from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Value
from django.utils import timezone

from paco.errors import ApplicationError

from .enums import AccessLevel
from .models import Attachment, Document, DocumentVersion
from .numbering import sequence_next

VERIFICATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by people
ALLOWED_CONTENT_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/tiff": ".tif",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.oasis.opendocument.text": ".odt",
}


class AttachmentIntegrityError(ApplicationError):
    pass


def text_fold(text: str) -> str:
    """Lower-case and strip accents, so "Poda de árvore" and "poda de arvore" match.

    Done in Python because PostgreSQL's `unaccent` extension is not available everywhere (the
    embedded server lacks it); documents and queries are folded the same way.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def verification_code_new() -> str:
    raw = "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _check_access(access_level: str, legal_basis: str) -> None:
    if access_level not in AccessLevel.values:
        raise ApplicationError("Nível de acesso inválido.")
    if access_level != AccessLevel.PUBLIC and not legal_basis.strip():
        raise ApplicationError(
            "Documentos restritos ou sigilosos precisam da hipótese legal (Lei 12.527/2011, art. 7º, § 1º e arts. 22-24)."
        )


def _search_vector_update(document: Document, body: str) -> None:
    folded = text_fold(f"{document.title} {body}")
    Document.objects.filter(pk=document.pk).update(
        search_vector=SearchVector(Value(folded), config="portuguese")
    )


@transaction.atomic
def document_create(
    *,
    kind: str,
    unit: Any,
    title: str,
    body: str,
    author: Any = None,
    access_level: str = AccessLevel.PUBLIC,
    legal_basis: str = "",
) -> Document:
    """Number the document in its unit and year (gapless), store version 1 and index its text."""
    _check_access(access_level, legal_basis)
    year = timezone.localdate().year
    document = Document.objects.create(
        kind=kind,
        unit=unit,
        year=year,
        sequence=sequence_next(f"doc:{kind}:{unit.code}:{year}"),
        title=title.strip()[:300],
        access_level=access_level,
        legal_basis=legal_basis.strip(),
        author=author,
        verification_code=verification_code_new(),
    )
    document_version_add(document=document, body=body, author=author)
    return document


@transaction.atomic
def document_version_add(*, document: Document, body: str, author: Any = None) -> DocumentVersion:
    last = document.versions.order_by("-number").first()
    version = DocumentVersion.objects.create(
        document=document,
        number=(last.number + 1) if last else 1,
        body=body,
        body_sha256=hashlib.sha256(body.encode()).hexdigest(),
        created_by=author,
    )
    _search_vector_update(document, body)
    return version


def _sniff(head: bytes, declared_name: str) -> str:
    try:
        matches = puremagic.magic_string(head, declared_name)
    except puremagic.PureError:
        matches = []
    for match in matches:
        if match.mime_type in ALLOWED_CONTENT_TYPES:
            return str(match.mime_type)
    if declared_name.lower().endswith(".txt"):
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return "text/plain"
    raise ApplicationError(
        f"O arquivo “{declared_name}” não é de um tipo aceito (PDF, imagem, texto, DOCX ou ODT).",
        extra={"field": "file"},
    )


@transaction.atomic
def attachment_store(
    *,
    file: IO[bytes],
    name: str,
    uploaded_by: Any = None,
    document: Document | None = None,
    label: str = "",
    max_bytes: int | None = None,
) -> Attachment:
    """Store an upload in the tenant's storage after checking its size and real type (by content)."""
    limit = max_bytes or settings.ATTACHMENT_MAX_BYTES
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ApplicationError(
            f"O arquivo “{name}” passa do limite de {limit // (1024 * 1024)} MB.", extra={"field": "file"}
        )
    if not data:
        raise ApplicationError(f"O arquivo “{name}” está vazio.", extra={"field": "file"})
    content_type = _sniff(data[:8192], name)
    digest = hashlib.sha256(data).hexdigest()
    storage_name = default_storage.save(
        f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ALLOWED_CONTENT_TYPES[content_type]}",
        ContentFile(data),
    )
    return Attachment.objects.create(
        document=document,
        storage_name=storage_name,
        original_name=name[:255],
        content_type=content_type,
        size=len(data),
        sha256=digest,
        label=label,
        uploaded_by=uploaded_by,
    )


def attachment_read(attachment: Attachment) -> bytes:
    """The file's bytes, refused if they no longer match the SHA-256 recorded at upload."""
    with default_storage.open(attachment.storage_name, "rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise AttachmentIntegrityError(
            f"O arquivo “{attachment.original_name}” não confere com o registrado (SHA-256 diferente)."
        )
    return data
