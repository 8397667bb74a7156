"""Documents: numbering, versions, attachments with verified hashes, search text, PDFs, access log."""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import uuid
from typing import IO, Any

import puremagic
from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Value
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from paco.jobs import enqueue_on_commit
from paco.text import text_fold
from paco.usage import usage_record
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import Viewer, account

from .enums import AccessAction, AccessLevel
from .models import Attachment, Document, DocumentAccessLog, DocumentVersion
from .numbering import sequence_next

logger = logging.getLogger(__name__)

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
# Content a browser would run or render as a page: never accepted, whatever the file is called.
MARKUP_CONTENT_TYPES = {"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"}
MARKUP_SIGNATURES = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml", b"<iframe", b"<body")


class AttachmentIntegrityError(ApplicationError):
    """A stored file no longer matches the SHA-256 recorded when it was stored."""


class DocumentIntegrityError(AttachmentIntegrityError):
    """A rendered PDF no longer matches the SHA-256 recorded when it was rendered."""


def verification_code_new() -> str:
    raw = "".join(secrets.choice(VERIFICATION_ALPHABET) for _position in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _check_access(access_level: str, legal_basis: str) -> None:
    if access_level not in AccessLevel.values:
        raise ApplicationError(_("Nível de acesso inválido."))
    if access_level != AccessLevel.PUBLIC and not legal_basis.strip():
        raise ApplicationError(
            _(
                "Documentos restritos ou sigilosos precisam da hipótese legal"
                " (Lei 12.527/2011, art. 7º, § 1º e arts. 22-24)."
            )
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
    author: User | None = None,
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
    usage_record(metric="documents", key=f"document:{document.pk}")
    return document


@transaction.atomic
def document_version_add(*, document: Document, body: str, author: User | None = None) -> DocumentVersion:
    """Store a new immutable version, reindex the text and render its PDF once the write commits.

    The PDF is rendered by a job after commit, so the person who saved does not wait for it and
    the first reader usually finds it ready; `document_pdf_ensure` renders it on demand when the
    job has not run yet (or failed), and the row lock there makes sure it is rendered only once.
    """
    last = document.versions.order_by("-number").first()
    version = DocumentVersion.objects.create(
        document=document,
        number=(last.number + 1) if last else 1,
        body=body,
        body_sha256=hashlib.sha256(body.encode()).hexdigest(),
        created_by=author,
    )
    _search_vector_update(document, body)
    from .tasks import document_pdf_render_task

    enqueue_on_commit(document_pdf_render_task, version_id=version.pk)
    return version


def _sniff(head: bytes, declared_name: str) -> str:
    try:
        matches = puremagic.magic_string(head, declared_name)
    except puremagic.PureError:
        matches = []
    for match in matches:
        if match.mime_type in ALLOWED_CONTENT_TYPES:
            return str(match.mime_type)
    looks_like_markup = any(match.mime_type in MARKUP_CONTENT_TYPES for match in matches) or any(
        signature in head.lower() for signature in MARKUP_SIGNATURES
    )
    if declared_name.lower().endswith(".txt") and not looks_like_markup:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return "text/plain"
    raise ApplicationError(
        _("O arquivo “%(name)s” não é de um tipo aceito (PDF, imagem, texto, DOCX ou ODT).")
        % {"name": declared_name},
        extra={"field": "file"},
    )


OFFICE_CONTENT_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
}


def _refuse(name: str, reason: str) -> ApplicationError:
    return ApplicationError(
        _("O arquivo “%(name)s” foi recusado: %(reason)s") % {"name": name, "reason": reason},
        extra={"field": "file"},
    )


def _content_check(data: bytes, content_type: str, name: str) -> None:
    """The whole file is what it says (issue 10): text checked whole, PDFs parsed, Office zips opened
    with limits on the unpacked size and the number of entries (a zip bomb is refused)."""
    if content_type == "text/plain":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _refuse(name, _("um arquivo de texto precisa estar em UTF-8.")) from error
        lowered = data.lower()
        if any(signature in lowered for signature in MARKUP_SIGNATURES):
            raise _refuse(name, _("o texto contém marcação HTML."))
    elif content_type == "application/pdf":
        _pdf_check(data, name)
    elif content_type in OFFICE_CONTENT_TYPES:
        _office_check(data, name)


def _pdf_check(data: bytes, name: str) -> None:
    import pypdf

    if not data.startswith(b"%PDF-"):
        raise _refuse(name, _("um PDF precisa começar pelo cabeçalho %PDF."))
    if any(signature in data[:1024].lower() for signature in MARKUP_SIGNATURES):
        # a PDF/HTML polyglot: a browser sniffing the start of the file would see a page
        raise _refuse(name, _("o PDF contém marcação HTML no início."))
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)  # real scanners write small defects
        # an owner password only (common for certidões) opens with the empty password: accepted
        opened = not reader.is_encrypted or bool(reader.decrypt(""))
        pages = len(reader.pages) if opened else 0
    except Exception as error:  # noqa: BLE001 - any parser error means "not a valid PDF"
        raise _refuse(name, _("não é um PDF válido.")) from error
    if not opened:
        raise _refuse(name, _("o PDF está protegido por senha; envie uma cópia sem senha."))
    if pages < 1:
        raise _refuse(name, _("o PDF não tem páginas."))


def _office_check(data: bytes, name: str) -> None:
    import zipfile

    limit = settings.ATTACHMENT_OFFICE_MAX_UNPACKED_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > settings.ATTACHMENT_OFFICE_MAX_ENTRIES:
                raise _refuse(name, _("o documento tem itens demais."))
            unpacked = 0
            for entry in entries:
                with archive.open(entry) as stream:
                    while chunk := stream.read(1024 * 1024):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            raise _refuse(
                                name,
                                _("o documento descompactado passa de %(limit)s.")
                                % {"limit": filesizeformat(limit)},
                            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as error:
        raise _refuse(name, _("não é um documento DOCX/ODT válido.")) from error


@transaction.atomic
def attachment_store(
    *,
    file: IO[bytes],
    name: str,
    uploaded_by: User | None = None,
    document: Document | None = None,
    label: str = "",
    max_bytes: int | None = None,
) -> Attachment:
    """Store an upload in the tenant's storage after checking its size and real type (by content)."""
    limit = max_bytes or settings.ATTACHMENT_MAX_BYTES
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ApplicationError(
            _("O arquivo “%(name)s” passa do limite de %(limit)s.")
            % {"name": name, "limit": filesizeformat(limit)},
            extra={"field": "file"},
        )
    if not data:
        raise ApplicationError(
            _("O arquivo “%(name)s” está vazio.") % {"name": name}, extra={"field": "file"}
        )
    content_type = _sniff(data[:8192], name)
    _content_check(data, content_type, name)
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


def attachment_read(*, attachment: Attachment) -> bytes:
    """The file's bytes, refused if they no longer match the SHA-256 recorded at upload."""
    with default_storage.open(attachment.storage_name, "rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        logger.error("attachment %s (%s) failed its SHA-256 check", attachment.pk, attachment.storage_name)
        raise AttachmentIntegrityError(
            _("O arquivo “%(name)s” não confere com o registrado (SHA-256 diferente).")
            % {"name": attachment.original_name}
        )
    return data


def document_pdf_ensure(*, version: DocumentVersion) -> str:
    """The storage name of the version's PDF, rendering and recording it the first time only.

    The version row is locked while rendering, so two first readers (or a reader and the job)
    never render twice; later calls return the recorded file, whose bytes are checked against
    the recorded SHA-256 on every read (`document_pdf_read`) and never silently re-rendered.
    """
    if version.pdf_name:
        return version.pdf_name
    from .pdf import document_pdf_render

    with transaction.atomic():
        locked = (
            DocumentVersion.objects.select_for_update(of=("self",))
            .select_related("document__unit", "document__author")
            .get(pk=version.pk)
        )
        if not locked.pdf_name:
            pdf = document_pdf_render(version=locked)
            document = locked.document
            locked.pdf_name = default_storage.save(
                f"documents/{document.year}/{document.pk}/v{locked.number}-{uuid.uuid4().hex[:8]}.pdf",
                ContentFile(pdf),
            )
            locked.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            locked.save(update_fields=["pdf_name", "pdf_sha256", "updated_at"])
    version.pdf_name, version.pdf_sha256 = locked.pdf_name, locked.pdf_sha256
    return locked.pdf_name


def document_pdf_read(*, version: DocumentVersion) -> bytes:
    """The version's PDF bytes (rendered on first use), refused if they no longer match their SHA-256."""
    name = document_pdf_ensure(version=version)
    try:
        with default_storage.open(name, "rb") as stored:
            data = stored.read()
    except (FileNotFoundError, OSError):
        data = b""
    if hashlib.sha256(data).hexdigest() != version.pdf_sha256:
        logger.error("PDF of document version %s (%s) failed its SHA-256 check", version.pk, name)
        raise DocumentIntegrityError(
            _(
                "O PDF do documento %(number)s não confere com o registrado (SHA-256 diferente)."
                " A equipe técnica foi avisada."
            )
            % {"number": version.document.number}
        )
    return data


@transaction.atomic
def document_access_log_record(
    *, document: Document, user: Viewer, action: str, ip_address: str | None = None
) -> DocumentAccessLog | None:
    """Record a person's read (or refused read) of a restrito or sigiloso document.

    Lei 12.527/2011, art. 31 § 2º and Lei 13.709/2018 (LGPD), art. 37: whoever handles personal
    or secret information answers for its use, so every access is kept (who, what, when, from
    where). Público documents and anonymous visitors (who never get past the login) leave none.
    """
    if document.access_level == AccessLevel.PUBLIC:
        return None
    if not getattr(user, "is_authenticated", False):
        return None
    if action not in AccessAction.values:
        raise ValueError(f"unknown access action {action!r}")
    return DocumentAccessLog.objects.create(
        document=document, user=account(user), action=action, ip_address=ip_address or None
    )
