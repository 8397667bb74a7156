"""Reads of documents: who may read which document, integrity checks, access logs.

Access follows Lei 12.527/2011 (LAI): a público document is open to anyone; a restrito one
(art. 31, personal information) to the staff of its author unit and to whoever has a legitimate
part in the process that holds it; a sigiloso one (arts. 23-24) only to the staff of its author
unit and, explicitly, to the parties of its process.

Documents know nothing about processes (cases import documents, never the other way), so the
modules that put documents into processes register a *read grant* hook here and say how a person
relates to a document; a caller that already knows can pass `extra_allowed` / `is_party`.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.files.storage import default_storage
from django.db.models import QuerySet, Sum

from paco.errors import NotFound
from tenant_apps.accounts.selectors import user_is_staff
from tenant_apps.accounts.types import Viewer
from tenant_apps.org.enums import Role
from tenant_apps.org.selectors import membership_list_current

from .enums import AccessLevel
from .models import Attachment, Document, DocumentAccessLog, DocumentVersion

ACCESS_LOG_PAGE_SIZE = 200


class ReadGrant(enum.IntEnum):
    """How a person relates to a document through a process, as told by a registered hook."""

    NONE = 0
    RELATED = 1  # sees a process that holds the document (unit it passed through, share): restrito
    PARTY = 2  # a party of that process (the requester): restrito and sigiloso


ReadGrantHook = Callable[[Any, Document], ReadGrant]
_read_grant_hooks: list[ReadGrantHook] = []


def document_read_grant_register(hook: ReadGrantHook) -> None:
    """Register `hook(user, document) -> ReadGrant` (e.g. from an app's `AppConfig.ready`)."""
    if hook not in _read_grant_hooks:
        _read_grant_hooks.append(hook)


def document_read_grant_unregister(hook: ReadGrantHook) -> None:
    if hook in _read_grant_hooks:
        _read_grant_hooks.remove(hook)


@dataclass(frozen=True)
class VerificationNote:
    """What a module says about a document on the public verification page (e.g. a permit's status)."""

    level: str  # "success", "warning" or "danger" (the gov.br message kinds)
    text: str


class VerificationNoteHook(Protocol):
    """`hook(*, document) -> VerificationNote | None`, called by keyword."""

    def __call__(self, *, document: Document) -> VerificationNote | None: ...


_verification_note_hooks: list[VerificationNoteHook] = []


def document_verification_note_register(hook: VerificationNoteHook) -> None:
    """Register `hook(*, document) -> VerificationNote | None` (from an app's `AppConfig.ready`)."""
    if hook not in _verification_note_hooks:
        _verification_note_hooks.append(hook)


def document_verification_notes(*, document: Document) -> list[VerificationNote]:
    return [note for hook in _verification_note_hooks if (note := hook(document=document)) is not None]


def _read_grant(user: Viewer, document: Document) -> ReadGrant:
    best = ReadGrant.NONE
    for hook in _read_grant_hooks:
        best = max(best, ReadGrant(hook(user, document)))
        if best == ReadGrant.PARTY:
            break
    return best


def user_is_author_unit_staff(user: Viewer, document: Document) -> bool:
    if not user_is_staff(user):
        return False
    return membership_list_current(user_id=user.pk).filter(unit_id=document.unit_id).exists()


def user_is_author_unit_manager(user: Viewer, document: Document) -> bool:
    if not user_is_staff(user):
        return False
    return (
        membership_list_current(user_id=user.pk)
        .filter(unit_id=document.unit_id, role__in=(Role.MANAGER, Role.ADMIN))
        .exists()
    )


def document_user_can_read(
    user: Viewer, document: Document, *, extra_allowed: bool = False, is_party: bool = False
) -> bool:
    """Whether `user` may read `document` (its text, PDF and attachments).

    `extra_allowed`: the caller knows the person sees a process holding the document (enough for
    restrito). `is_party`: the caller knows the person is a party of that process (enough for
    sigiloso as well). Registered hooks are asked only when the cheaper rules did not decide.
    """
    if document.access_level == AccessLevel.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user_is_author_unit_staff(user, document):
        return True
    if is_party:
        return True
    if document.access_level == AccessLevel.RESTRICTED and extra_allowed:
        return True
    grant = _read_grant(user, document)
    if document.access_level == AccessLevel.RESTRICTED:
        return grant >= ReadGrant.RELATED
    return grant >= ReadGrant.PARTY


def document_get(*, document_id: int) -> Document:
    document = Document.objects.select_related("unit", "author").filter(pk=document_id).first()
    if document is None:
        raise NotFound
    return document


def document_get_by_code(*, code: str) -> Document | None:
    """The document with this verification code (already normalized), in the current tenant only."""
    if not code:
        return None
    return Document.objects.select_related("unit", "author").filter(verification_code=code).first()


def verification_code_normalize(raw: str) -> str:
    """`abcd efgh-jklm`, `ABCDEFGHJKLM` -> `ABCD-EFGH-JKLM`; anything else -> "" (not a code)."""
    compact = "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())
    if len(compact) != 12:
        return ""
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"


def document_version_latest(*, document: Document) -> DocumentVersion:
    version = document.versions.select_related("created_by").order_by("-number").first()
    if version is None:
        raise NotFound
    return version


def document_version_get(*, document: Document, number: int) -> DocumentVersion:
    version = document.versions.select_related("created_by").filter(number=number).first()
    if version is None:
        raise NotFound
    return version


def document_versions(*, document: Document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("created_by").order_by("-number")


def document_attachments(*, document: Document) -> QuerySet[Attachment]:
    return document.attachments.order_by("created_at", "id")


def document_attachment_get(*, document: Document, attachment_id: int) -> Attachment:
    attachment = document.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound
    return attachment


def document_access_log_list(*, document: Document) -> QuerySet[DocumentAccessLog]:
    return (
        DocumentAccessLog.objects.filter(document=document)
        .select_related("user")
        .order_by("-created_at", "-id")[:ACCESS_LOG_PAGE_SIZE]
    )


@dataclass(frozen=True)
class Integrity:
    body_intact: bool
    pdf_rendered: bool
    pdf_intact: bool | None  # None: not rendered yet

    @property
    def intact(self) -> bool:
        return self.body_intact and self.pdf_intact is not False


def document_version_integrity(*, version: DocumentVersion) -> Integrity:
    """Recompute the SHA-256 of the text and of the stored PDF and compare with the recorded ones."""
    body_intact = hashlib.sha256(version.body.encode()).hexdigest() == version.body_sha256
    if not version.pdf_name:
        return Integrity(body_intact=body_intact, pdf_rendered=False, pdf_intact=None)
    try:
        with default_storage.open(version.pdf_name, "rb") as stored:
            digest = hashlib.sha256(stored.read()).hexdigest()
    except (FileNotFoundError, OSError):
        return Integrity(body_intact=body_intact, pdf_rendered=True, pdf_intact=False)
    return Integrity(body_intact=body_intact, pdf_rendered=True, pdf_intact=digest == version.pdf_sha256)


def storage_bytes_total() -> int:
    """Bytes the municipality stores (uploaded attachments, the only files whose size is kept;
    rendered PDFs are regenerable and not counted): the metered storage, measured daily."""
    return int(Attachment.objects.aggregate(total=Sum("size"))["total"] or 0)
