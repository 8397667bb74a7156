"""Reads on signatures: a document's signatures and signed PDF, their validation, signing blocks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef, Q, QuerySet

from tenant_apps.accounts.models import User
from tenant_apps.documents.models import Document

from . import pades, pki
from .enums import BlockStatus, RequestStatus, SignerStatus
from .govbr import govbr_roots
from .models import CityAuthority, Signature, SignatureRequest, SigningBlock, SigningBlockSigner


def signature_requests_open(*, document: Document) -> list[SignatureRequest]:
    """Signatures asked for and not made yet: in processing (a job signs them) or failed."""
    return list(
        SignatureRequest.objects.filter(document=document)
        .exclude(status=RequestStatus.DONE)
        .select_related("signer")
        .order_by("created_at", "pk")
    )


def signature_request_failed(*, document: Document, signer: User) -> SignatureRequest | None:
    """`signer`'s signature on `document` whose job gave up ("falhou"), if any: they may ask again."""
    return (
        SignatureRequest.objects.filter(document=document, signer=signer, status=RequestStatus.FAILED)
        .order_by("-created_at", "-pk")
        .first()
    )


def signatures_of_document(*, document: Document) -> QuerySet[Signature]:
    return (
        Signature.objects.filter(document=document)
        .select_related("version", "request")
        .order_by("-version__number", "sequence")
    )


def signature_latest(*, document: Document) -> Signature | None:
    """The last PAdES signature of the document's latest signed version (its PDF is the signed one)."""
    return (
        Signature.objects.filter(document=document)
        .exclude(pdf_name="")
        .order_by("-version__number", "-sequence")
        .first()
    )


def signed_pdf_read(*, signature: Signature) -> bytes | None:
    """The PDF as it was after `signature`, or None if it is missing or no longer matches its SHA-256."""
    try:
        with default_storage.open(signature.pdf_name, "rb") as stored:
            data = stored.read()
    except (FileNotFoundError, OSError):
        return None
    return data if hashlib.sha256(data).hexdigest() == signature.pdf_sha256 else None


def trust_roots() -> list[asn1_x509.Certificate]:
    """The city's internal CA (simple and advanced signatures), the configured ICP-Brasil roots and
    the gov.br signing roots."""
    roots = [*pki.icp_roots(), *govbr_roots()]
    authority = CityAuthority.objects.order_by("pk").first()
    if authority is not None:
        roots.append(pki.to_asn1(pki.certificate_from_pem(authority.ca_certificate_pem)))
    return roots


@dataclass(frozen=True)
class VerifiedSignature:
    signature: Signature
    report: pades.SignatureReport | None
    # a simple signature recorded without a PDF (memos before they moved onto this module): valid
    # while the version's text still hashes to what was signed
    recorded_ok: bool = False

    @property
    def is_valid(self) -> bool:
        return self.report.ok if self.report is not None else self.recorded_ok


def _recorded_ok(signature: Signature) -> bool:
    version = signature.version
    return bool(
        signature.body_sha256
        and signature.body_sha256 == version.body_sha256
        and hashlib.sha256(version.body.encode()).hexdigest() == version.body_sha256
    )


def signatures_verified(*, document: Document) -> tuple[list[VerifiedSignature], bool]:
    """Every signature with its validation in the latest signed PDF of its version (older versions
    are reported from their own PDFs), and whether every signed PDF is intact. Signatures recorded
    without a PDF are checked against the hash of the version's text."""
    rows = list(signatures_of_document(document=document))
    embedded = [row for row in rows if row.is_embedded]
    roots = trust_roots() if embedded else []
    crls = pki.icp_crls() if embedded else []
    reports_by_version: dict[int, list[pades.SignatureReport]] = {}
    intact = True
    for row in embedded:
        if row.version_id in reports_by_version:
            continue
        last = max(
            (item for item in embedded if item.version_id == row.version_id), key=lambda item: item.sequence
        )
        data = signed_pdf_read(signature=last)
        if data is None:
            intact = False
            reports_by_version[row.version_id] = []
            continue
        reports_by_version[row.version_id] = pades.pdf_validate(pdf=data, trust_roots=roots, crls=crls)
    result = []
    for row in rows:
        if not row.is_embedded:
            verified = VerifiedSignature(signature=row, report=None, recorded_ok=_recorded_ok(row))
        else:
            # the n-th PAdES signature in the PDF is the n-th embedded row of that version
            index = sum(
                1 for item in embedded if item.version_id == row.version_id and item.sequence < row.sequence
            )
            reports = reports_by_version.get(row.version_id, [])
            verified = VerifiedSignature(
                signature=row, report=reports[index] if len(reports) > index else None
            )
        if not verified.is_valid:
            intact = False
        result.append(verified)
    return result, intact


def block_pending_for_user(*, user: User) -> list[SigningBlock]:
    """Open blocks where it is `user`'s turn to sign (every pending one in parallel blocks; in ordered
    blocks only when every earlier signer has signed)."""
    earlier_pending = SigningBlockSigner.objects.filter(
        block=OuterRef("block"), position__lt=OuterRef("position"), status=SignerStatus.PENDING
    )
    rows = (
        SigningBlockSigner.objects.filter(
            user=user, status=SignerStatus.PENDING, block__status=BlockStatus.OPEN
        )
        .annotate(waiting=Exists(earlier_pending))
        .select_related("block__author")
        .order_by("block__created_at", "block_id")
    )
    return [row.block for row in rows if not (row.block.is_ordered and row.waiting)]


def block_list_for_user(*, user: User) -> QuerySet[SigningBlock]:
    return (
        SigningBlock.objects.filter(Q(author=user) | Q(signers__user=user))
        .select_related("author")
        .distinct()
        .order_by("-created_at", "-id")
    )


def block_get_for_user(*, user: User, block_id: int) -> SigningBlock | None:
    return block_list_for_user(user=user).filter(pk=block_id).first()
