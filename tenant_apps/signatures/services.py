"""Writes on signatures: the city's internal CA, the minimum level per document kind, signing a
document (PAdES, three levels), and signing blocks.

The API other modules use (permits, memos, dispatches):
- `signature_sign(document=..., signer=..., level=..., otp_token=..., pkcs12_data=..., pkcs12_password=...)`
- `signature_system_seal(document=..., system_user=...)` (automated acts: the city's seal, advanced level)
- `signing_block_create(title=..., author=..., documents=[...], signers=[...], is_ordered=...)`
- `signing_block_sign_all(signer=..., blocks=[...], otp_token=...)`, `signing_block_refuse(...)`.

Levels (Lei 14.063/2020, art. 4º): I simple: the signed-in person, the time and the content's hash;
II advanced: bound to the signer, confirmed at the moment of signing with their second factor (TOTP),
any later change detectable (the PAdES signature with the city's internal CA key); III qualified:
the signer's own ICP-Brasil certificate (MP 2.200-2/2001), an A1 file and its password used for this
signing only and never stored. The minimum per document kind is enforced in `_level_check`
(Lei 14.063/2020, art. 5º: each entity sets the minimum level per kind of act).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import match_token

from paco.errors import ApplicationError
from paco.jobs import enqueue_on_commit
from paco.schemas import current_tenant
from tenant_apps.accounts.models import User
from tenant_apps.documents.models import Document, DocumentVersion
from tenant_apps.documents.services import document_pdf_read
from tenant_apps.notifications.services import notification_queue_bulk
from tenant_apps.org.selectors import user_unit_ids

from . import govbr, pades, pki
from .enums import LEVEL_RANK, BlockStatus, RequestStatus, SignatureLevel, SignerStatus
from .models import (
    CityAuthority,
    KindPolicy,
    Signature,
    SignatureRequest,
    SigningBlock,
    SigningBlockDocument,
    SigningBlockSigner,
)
from .tasks import SIGNATURE_JOB_ATTEMPTS, signature_request_task

logger = logging.getLogger(__name__)

REFUSAL_MAX_CHARS = 1000


class SignatureError(ApplicationError):
    """A signature that cannot be made (level, second factor, certificate, changed document)."""


# --- the city's authority -------------------------------------------------------------------------


def authority_ensure() -> CityAuthority:
    """The city's internal CA and document-signing certificate, created on first use (and at
    provisioning, `provisioning.authority_seed`); the row lock makes two first users create one."""
    existing = CityAuthority.objects.order_by("pk").first()
    if existing is not None:
        return existing
    with transaction.atomic():
        # a transaction-level advisory lock: two first signers never create two authorities
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':signatures-ca'))")
        existing = CityAuthority.objects.order_by("pk").first()
        if existing is not None:
            return existing
        tenant = current_tenant()
        material = pki.authority_material_new(city_name=getattr(tenant, "display_name", "") or "Prefeitura")
        return CityAuthority.objects.create(
            ca_certificate_pem=material.ca_certificate_pem,
            ca_key_encrypted_pem=material.ca_key_encrypted_pem,
            signing_certificate_pem=material.signing_certificate_pem,
            signing_key_encrypted_pem=material.signing_key_encrypted_pem,
        )


# --- policy -----------------------------------------------------------------------------------------


@transaction.atomic
def kind_policy_set(*, kind: str, minimum_level: str) -> KindPolicy:
    if minimum_level not in SignatureLevel.values:
        raise ApplicationError(_("Nível de assinatura inválido."), extra={"field": "minimum_level"})
    policy, _created = KindPolicy.objects.update_or_create(
        kind=kind, defaults={"minimum_level": minimum_level}
    )
    return policy


def kind_minimum_level(*, kind: str) -> str:
    policy = KindPolicy.objects.filter(kind=kind).first()
    return policy.minimum_level if policy else SignatureLevel.SIMPLE


def _level_check(*, document: Document, level: str) -> None:
    """Lei 14.063/2020, art. 4º (the levels) and art. 5º (the minimum set per kind of document)."""
    if level not in SignatureLevel.values:
        raise SignatureError(_("Nível de assinatura inválido."), extra={"field": "level"})
    minimum = kind_minimum_level(kind=document.kind)
    if LEVEL_RANK[SignatureLevel(level)] < LEVEL_RANK[SignatureLevel(minimum)]:
        raise SignatureError(
            _(
                "Este tipo de documento (%(kind)s) exige assinatura %(minimum)s ou superior"
                " (Lei 14.063/2020, art. 4º e 5º; política da prefeitura)."
            )
            % {"kind": document.get_kind_display(), "minimum": SignatureLevel(minimum).label.lower()},
            extra={"field": "level"},
        )


def _otp_check(*, signer: User, otp_token: str) -> None:
    """Advanced level: the second factor, confirmed at the moment of signing (art. 4º, II)."""
    token = "".join(ch for ch in (otp_token or "") if ch.isdigit())
    if not token or match_token(signer, token) is None:
        raise SignatureError(
            _(
                "Código do segundo fator inválido ou já usado."
                " Digite o código atual do seu aplicativo autenticador."
            ),
            extra={"field": "otp_token"},
        )


# --- signing --------------------------------------------------------------------------------------


def user_may_sign(*, user: User, document: Document) -> bool:
    """Staff of the document's unit, or a pending signer of an open block holding it."""
    if not getattr(user, "is_servidor", False):
        return False
    if document.unit_id in user_unit_ids(user):
        return True
    return SigningBlockSigner.objects.filter(
        user=user,
        status=SignerStatus.PENDING,
        block__status=BlockStatus.OPEN,
        block__items__document=document,
    ).exists()


def _latest_signed_pdf(version: DocumentVersion) -> bytes | None:
    """The PDF after the version's last PAdES signature (rows recorded without a PDF are skipped)."""
    last = Signature.objects.filter(version=version).exclude(pdf_name="").order_by("-sequence").first()
    if last is None:
        return None
    with default_storage.open(last.pdf_name, "rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != last.pdf_sha256:
        logger.error("signed PDF %s failed its SHA-256 check", last.pdf_name)
        raise SignatureError(_("O PDF assinado não confere com o registrado (SHA-256 diferente)."))
    return data


def _cpf_masked(cpf: str | None) -> str:
    digits = "".join(ch for ch in (cpf or "") if ch.isdigit())
    return f"***.{digits[3:6]}.{digits[6:9]}-**" if len(digits) == 11 else ""


def _recorded_embed(*, document: Document, version: DocumentVersion, rows: list[Signature]) -> None:
    """Simple signatures recorded without a PDF (memos signed before they moved onto this module,
    `comms` migration 0002) are embedded when the version's PDF is next generated with a signature:
    each becomes a PAdES signature of the city's document-signing key, in their order, the first one
    certifying the PDF, its reason naming the signer and when they signed; the rows keep their
    signer, level and time and gain the PDF."""
    recorded = [row for row in rows if not row.pdf_name]
    if not recorded or len(recorded) != len(rows):
        return
    authority = authority_ensure()
    key = pki.key_decrypt(authority.signing_key_encrypted_pem)
    certificate = pki.certificate_from_pem(authority.signing_certificate_pem)
    chain = [pki.to_asn1(pki.certificate_from_pem(authority.ca_certificate_pem))]
    tenant = current_tenant()
    pdf = document_pdf_read(version=version)
    for index, row in enumerate(recorded):
        pdf = pades.pdf_sign(
            pdf=pdf,
            key=key,
            certificate=pki.to_asn1(certificate),
            chain=chain,
            signer_name=row.signer_name,
            reason=_(
                "Assinatura eletrônica simples (Lei 14.063/2020, art. 4º, I) de %(name)s, registrada em"
                " %(when)s e incluída no PDF depois"
            )
            % {"name": row.signer_name, "when": timezone.localtime(row.signed_at).strftime("%d/%m/%Y %H:%M")},
            location=f"{getattr(tenant, 'display_name', '')} ({getattr(tenant, 'state', '')})",
        )
        row.pdf_name = default_storage.save(
            f"signatures/{document.year}/{document.pk}/v{version.number}-{row.sequence}-{uuid.uuid4().hex[:8]}.pdf",
            ContentFile(pdf),
        )
        row.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        row.is_certification = index == 0
        row.certificate_subject = pki.name_text(certificate.subject)
        row.certificate_issuer = pki.name_text(certificate.issuer)
        row.save(
            update_fields=[
                "pdf_name",
                "pdf_sha256",
                "is_certification",
                "certificate_subject",
                "certificate_issuer",
                "updated_at",
            ]
        )


def _sign_locked(
    *,
    document: Document,
    version: DocumentVersion,
    signer: User,
    level: str,
    credential: pki.A1Credential | None,
    timestamper: Any = None,
    govbr_session: GovBrSession | None = None,
) -> Signature:
    rows = list(Signature.objects.filter(version=version).order_by("sequence"))
    if any(row.signer_id == signer.pk for row in rows):
        raise SignatureError(
            _("Você já assinou a versão %(number)s deste documento.") % {"number": version.number}
        )
    _recorded_embed(document=document, version=version, rows=rows)
    base = _latest_signed_pdf(version) or document_pdf_read(version=version)
    tenant = current_tenant()
    cpf_masked = _cpf_masked(signer.cpf)
    level_label = str(SignatureLevel(level).label)
    reason = _("Assinatura eletrônica %(level)s (Lei 14.063/2020, art. 4º) de %(name)s%(cpf)s") % {
        "level": level_label.lower(),
        "name": signer.full_name,
        "cpf": f", CPF {cpf_masked}" if cpf_masked else "",
    }
    if govbr_session is not None:
        # gov.br assinatura: the service signs the SHA-256 of the PDF's byte range with the person's
        # gov.br certificate and we embed its PKCS#7 (Lei 14.063/2020, art. 4º, II)
        certificate = govbr_session.certificate
        signed = govbr.govbr_pdf_sign(
            pdf=base,
            client=govbr_session.client,
            access_token=govbr_session.access_token,
            signer_name=signer.full_name,
            reason=reason,
            field_name=f"{pades.FIELD_PREFIX}{pades.existing_signature_count(base) + 1}",
            certificate=govbr_session.asn1_certificate,
            certify=pades.existing_signature_count(base) == 0,
        )
    else:
        if credential is not None:
            key, certificate, chain = credential.key, credential.certificate, credential.chain
        else:
            authority = authority_ensure()
            key = pki.key_decrypt(authority.signing_key_encrypted_pem)
            certificate = pki.certificate_from_pem(authority.signing_certificate_pem)
            chain = [pki.certificate_from_pem(authority.ca_certificate_pem)]
        signed = pades.pdf_sign(
            pdf=base,
            key=key,
            certificate=pki.to_asn1(certificate),
            chain=[pki.to_asn1(item) for item in chain],
            signer_name=signer.full_name,
            reason=reason,
            location=f"{getattr(tenant, 'display_name', '')} ({getattr(tenant, 'state', '')})",
            timestamper=timestamper,
        )
    sequence = Signature.objects.filter(version=version).count() + 1
    # DocMDP certification belongs to the first signature embedded in the PDF
    is_first_embedded = not Signature.objects.filter(version=version).exclude(pdf_name="").exists()
    name = default_storage.save(
        f"signatures/{document.year}/{document.pk}/v{version.number}-{sequence}-{uuid.uuid4().hex[:8]}.pdf",
        ContentFile(signed),
    )
    try:
        with transaction.atomic():
            return Signature.objects.create(
                document=document,
                version=version,
                sequence=sequence,
                signer=signer,
                signer_name=signer.full_name,
                signer_cpf_masked=cpf_masked,
                level=level,
                signed_at=timezone.now(),
                certificate_subject=pki.name_text(certificate.subject),
                certificate_issuer=pki.name_text(certificate.issuer),
                is_certification=is_first_embedded,
                has_timestamp=govbr_session is None and (bool(timestamper) or bool(_tsa_configured())),
                body_sha256=version.body_sha256,
                pdf_name=name,
                pdf_sha256=hashlib.sha256(signed).hexdigest(),
            )
    except IntegrityError as error:
        default_storage.delete(name)
        raise SignatureError(_("Outra assinatura foi feita ao mesmo tempo; tente de novo.")) from error


def _tsa_configured() -> bool:
    return bool(settings.SIGNATURES_TSA_URL)


def _lock_latest(*, document: Document, expected_version: int | None) -> tuple[Document, DocumentVersion]:
    locked = Document.objects.select_for_update().select_related("unit").get(pk=document.pk)
    version = DocumentVersion.objects.filter(document=locked).order_by("-number").first()
    if version is None:
        raise SignatureError(_("O documento não tem texto para assinar."))
    if expected_version is not None and version.number != expected_version:
        raise SignatureError(
            _(
                "O documento foi alterado por outra pessoa (agora está na versão %(number)s)."
                " Releia o texto e assine de novo."
            )
            % {"number": version.number}
        )
    return locked, version


@transaction.atomic
def signature_sign(
    *,
    document: Document,
    signer: User,
    level: str,
    otp_token: str = "",
    pkcs12_data: bytes = b"",
    pkcs12_password: str = "",
    expected_version: int | None = None,
    timestamper: Any = None,
) -> Signature:
    """Sign the latest version of `document` as `signer` (who is always the person signed in).

    The document row is locked, so two signers queue up; `expected_version` is the version the
    signer read: if someone changed the document meanwhile, nothing is signed. On any refusal
    nothing is written (the A1 file and password are used in memory only and never stored).
    """
    if not user_may_sign(user=signer, document=document):
        raise SignatureError(_("Você não pode assinar este documento."))
    _level_check(document=document, level=level)
    locked, version = _lock_latest(document=document, expected_version=expected_version)
    credential = None
    if level == SignatureLevel.ADVANCED:
        _otp_check(signer=signer, otp_token=otp_token)
    elif level == SignatureLevel.QUALIFIED:
        credential = pki.pkcs12_open(data=pkcs12_data, password=pkcs12_password)
        pki.icp_credential_check(credential=credential, signer_cpf=signer.cpf or "")
    return _sign_locked(
        document=locked,
        version=version,
        signer=signer,
        level=level,
        credential=credential,
        timestamper=timestamper,
    )


# --- signatures made by a job after commit ----------------------------------------------------------
# Rendering the PDF and signing it takes seconds under load; a memo is sent at once and its signed PDF
# follows. Everything a refusal depends on is checked when the signature is asked for (who may sign,
# the kind's minimum level, the second factor at that moment, Lei 14.063/2020 art. 4º, II); the job
# only renders and signs. A failed attempt is recorded and retried; after the last, "falhou".


@transaction.atomic
def signature_request_queue(
    *, document: Document, signer: User, level: str, otp_token: str = ""
) -> SignatureRequest:
    """Ask for `signer`'s signature on the latest version of `document`, made by a job once the
    current transaction commits. Nothing is queued when a check fails (the reason is raised)."""
    if not user_may_sign(user=signer, document=document):
        raise SignatureError(_("Você não pode assinar este documento."))
    if level == SignatureLevel.QUALIFIED:
        raise SignatureError(_("A assinatura qualificada é feita na hora, com o seu certificado A1."))
    _level_check(document=document, level=level)
    version = DocumentVersion.objects.filter(document=document).order_by("-number").first()
    if version is None:
        raise SignatureError(_("O documento não tem texto para assinar."))
    existing = SignatureRequest.objects.filter(version=version, signer=signer).first()
    if existing is not None:
        return existing
    if Signature.objects.filter(version=version, signer=signer).exists():
        raise SignatureError(
            _("Você já assinou a versão %(number)s deste documento.") % {"number": version.number}
        )
    if level == SignatureLevel.ADVANCED:
        _otp_check(signer=signer, otp_token=otp_token)
    request = SignatureRequest.objects.create(document=document, version=version, signer=signer, level=level)
    enqueue_on_commit(signature_request_task, request_id=request.pk)
    return request


class SignatureJobRetry(Exception):  # noqa: N818 - dramatiq retries the job when it is raised
    """This attempt failed and was recorded; the job is retried later."""


def signature_request_run(*, request_id: int) -> SignatureRequest | None:
    """The job: render and sign what was asked (idempotent: a done request, or a signature already
    there, signs nothing again). A failure is recorded with a message a person can read, then raised
    to be retried (SignatureJobRetry) until the last attempt, which leaves the request "falhou"."""
    retry = False
    with transaction.atomic():
        request = (
            SignatureRequest.objects.select_for_update(of=("self",))
            .select_related("version", "signer")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.status == RequestStatus.DONE:
            return request
        try:
            with transaction.atomic():
                document = (
                    Document.objects.select_for_update().select_related("unit").get(pk=request.document_id)
                )
                signature = Signature.objects.filter(version=request.version, signer=request.signer).first()
                if signature is None:
                    signature = _sign_locked(
                        document=document,
                        version=request.version,
                        signer=request.signer,
                        level=request.level,
                        credential=None,
                    )
        except Exception as error:  # noqa: BLE001 - recorded, visible, and retried
            logger.exception("signature request %s failed", request.pk)
            request.attempts += 1
            request.last_error = (
                error.message
                if isinstance(error, ApplicationError)
                else _("Erro ao gerar o PDF assinado (%(kind)s).") % {"kind": type(error).__name__}
            )[:500]
            request.status = (
                RequestStatus.FAILED if request.attempts >= SIGNATURE_JOB_ATTEMPTS else RequestStatus.PENDING
            )
            request.save(update_fields=["attempts", "last_error", "status", "updated_at"])
            retry = request.status == RequestStatus.PENDING
        else:
            request.status = RequestStatus.DONE
            request.signature = signature
            request.save(update_fields=["status", "signature", "updated_at"])
    if retry:
        raise SignatureJobRetry(f"signature request {request_id}: attempt {request.attempts} failed")
    return request


@transaction.atomic
def signature_request_retry(*, request: SignatureRequest, actor: User) -> SignatureRequest:
    """The signer asks again for a signature whose job gave up: a fresh set of attempts."""
    locked = SignatureRequest.objects.select_for_update().get(pk=request.pk)
    if locked.signer_id != actor.pk:
        raise SignatureError(_("Só quem assina pode pedir de novo esta assinatura."))
    if locked.status != RequestStatus.FAILED:
        return locked
    locked.status = RequestStatus.PENDING
    locked.attempts = 0
    locked.save(update_fields=["status", "attempts", "updated_at"])
    enqueue_on_commit(signature_request_task, request_id=locked.pk)
    return locked


# --- gov.br assinatura --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GovBrSession:
    """One gov.br authorisation: the `sign` scope signs one hash, `signature_session` up to 100."""

    client: govbr.GovBrSignClient
    access_token: str
    asn1_certificate: Any
    certificate: x509.Certificate
    hashes_allowed: int


def govbr_session_open(*, signer: User, code: str, redirect_uri: str, session: bool) -> GovBrSession:
    """Exchange the authorisation code for a token and read the person's gov.br certificate, which must
    be the signer's own (the CPF in it is the signed-in person's: nobody signs for another)."""
    client = govbr.GovBrSignClient.from_settings()
    token = client.token(code=code, redirect_uri=redirect_uri)
    asn1_certificate = client.public_certificate(access_token=token)
    certificate = x509.load_der_x509_certificate(asn1_certificate.dump())
    own = "".join(ch for ch in (signer.cpf or "") if ch.isdigit())
    if not own:
        raise SignatureError(
            _("Seu cadastro não tem CPF; peça à administração que o registre para assinar com gov.br.")
        )
    if _govbr_cpf(certificate) != own:
        raise SignatureError(
            _("A conta gov.br usada não é a sua (o CPF do certificado é de outra pessoa). Nada foi assinado.")
        )
    return GovBrSession(
        client=client,
        access_token=token,
        asn1_certificate=asn1_certificate,
        certificate=certificate,
        hashes_allowed=govbr.SESSION_MAX_HASHES if session else 1,
    )


def _govbr_cpf(certificate: x509.Certificate) -> str:
    """The CPF of a gov.br certificate: the ICP-Brasil otherName, or the end of its common name
    ("NOME:CPF", as gov.br issues them)."""
    found = pki.icp_cpf(certificate)
    if found:
        return found
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    text = str(names[0].value) if names else ""
    return "".join(ch for ch in text.rsplit(":", 1)[-1] if ch.isdigit()) if ":" in text else ""


def _govbr_level_check(*, document: Document) -> None:
    _level_check(document=document, level=SignatureLevel.ADVANCED)


@transaction.atomic
def signature_sign_govbr(
    *, document: Document, signer: User, govbr_session: GovBrSession, expected_version: int | None = None
) -> Signature:
    """An advanced signature (Lei 14.063/2020, art. 4º, II) made by gov.br assinatura on the latest
    version of `document`; nothing is written when gov.br refuses (a bronze account is told how to
    raise its level)."""
    if not user_may_sign(user=signer, document=document):
        raise SignatureError(_("Você não pode assinar este documento."))
    _govbr_level_check(document=document)
    locked, version = _lock_latest(document=document, expected_version=expected_version)
    return _sign_locked(
        document=locked,
        version=version,
        signer=signer,
        level=SignatureLevel.ADVANCED,
        credential=None,
        govbr_session=govbr_session,
    )


@transaction.atomic
def signature_sign_govbr_citizen(
    *, document: Document, citizen: User, govbr_session: GovBrSession, expected_version: int | None = None
) -> Signature:
    """A citizen's advanced signature by gov.br assinatura (Lei 14.063/2020, art. 4º, II) on a document
    they wrote themselves for their own case (their request, a declaration, a document they attached;
    the case page offers only those). The certificate's CPF was checked to be the citizen's when the
    gov.br session was opened; a bronze account is refused there, with how to raise its level."""
    if getattr(citizen, "is_servidor", False) or document.author_id != citizen.pk:
        raise SignatureError(_("Você só pode assinar com gov.br os documentos que você mesmo enviou."))
    _govbr_level_check(document=document)
    locked, version = _lock_latest(document=document, expected_version=expected_version)
    return _sign_locked(
        document=locked,
        version=version,
        signer=citizen,
        level=SignatureLevel.ADVANCED,
        credential=None,
        govbr_session=govbr_session,
    )


def citizen_signed_version_ids(*, citizen: User, documents: Sequence[Document]) -> set[int]:
    """The documents (of `documents`) whose latest version `citizen` has signed."""
    signed = set()
    for document in documents:
        latest = DocumentVersion.objects.filter(document=document).order_by("-number").first()
        if latest is not None and Signature.objects.filter(version=latest, signer=citizen).exists():
            signed.add(document.pk)
    return signed


def govbr_block_document_count(*, blocks: Sequence[SigningBlock]) -> int:
    return SigningBlockDocument.objects.filter(block__in=list(blocks)).count()


@transaction.atomic
def signature_system_seal(*, document: Document, system_user: User) -> Signature:
    """Seal a document issued by an automated act of the city (a permit issued with no human analysis,
    Decreto 10.178/2019, art. 3º, II; a tacit approval, Lei 13.874/2019, art. 3º, IX) with the city's
    own document-signing key: an institutional electronic seal at the advanced level (Lei 14.063/2020,
    art. 4º, II: bound univocally to the signatory, the city, under its exclusive control; any later
    change detectable). No person signs, so no second factor is asked; only a module's system account
    (inactive, never logs in) may seal, and a kind whose minimum is qualified is refused."""
    if system_user.is_active or not system_user.is_servidor:
        raise SignatureError(_("Só a conta de sistema de um módulo aplica o selo da prefeitura."))
    if not user_may_sign(user=system_user, document=document):
        raise SignatureError(_("Você não pode assinar este documento."))
    _level_check(document=document, level=SignatureLevel.ADVANCED)
    locked, version = _lock_latest(document=document, expected_version=None)
    return _sign_locked(
        document=locked, version=version, signer=system_user, level=SignatureLevel.ADVANCED, credential=None
    )


# --- signing blocks ---------------------------------------------------------------------------------


def _block_link(block: SigningBlock) -> str:
    return reverse("signatures:block_detail", kwargs={"block_id": block.pk})


def _notify(
    *, template_key: str, recipients: Sequence[User], block: SigningBlock, extra: dict[str, Any]
) -> None:
    tenant = current_tenant()
    notification_queue_bulk(
        template_key=template_key,
        context={
            "block_title": block.title,
            "author_name": block.author.full_name,
            "municipality_name": getattr(tenant, "display_name", ""),
            **extra,
        },
        recipients=list(recipients),
        link_url=_block_link(block),
        subject_kind="signing_block",
        subject_id=block.pk,
    )


def _current_signers(block: SigningBlock) -> list[SigningBlockSigner]:
    pending = [
        row
        for row in block.signers.select_related("user").order_by("position")
        if row.status == SignerStatus.PENDING
    ]
    if block.is_ordered:
        return pending[:1]
    return pending


@transaction.atomic
def signing_block_create(
    *,
    title: str,
    author: User,
    documents: Sequence[Document],
    signers: Sequence[User],
    is_ordered: bool = False,
    level: str = SignatureLevel.ADVANCED,
) -> SigningBlock:
    """A signing block (as in SEI): the documents (their current versions) and the signers, in order
    or in parallel; the first signer (or all, in parallel) is notified."""
    if not title.strip():
        raise ApplicationError(_("Dê um título ao bloco."), extra={"field": "title"})
    if not documents:
        raise ApplicationError(_("Escolha pelo menos um documento."), extra={"field": "documents"})
    if not signers:
        raise ApplicationError(_("Escolha pelo menos um signatário."), extra={"field": "signers"})
    if level not in SignatureLevel.values:
        raise ApplicationError(_("Nível de assinatura inválido."), extra={"field": "level"})
    units = set(user_unit_ids(author))
    for document in documents:
        if document.unit_id not in units:
            raise ApplicationError(
                _("O documento %(number)s não é da sua unidade.") % {"number": document.number},
                extra={"field": "documents"},
            )
        _level_check(document=document, level=level)
    unique_signers = list(dict.fromkeys(signers))
    if any(not getattr(user, "is_servidor", False) for user in unique_signers):
        raise ApplicationError(_("Só servidores podem assinar em bloco."), extra={"field": "signers"})
    block = SigningBlock.objects.create(
        title=title.strip()[:200], author=author, is_ordered=is_ordered, level=level
    )
    for document in documents:
        version = document.versions.order_by("-number").first()
        if version is None:
            raise ApplicationError(_("O documento %(number)s não tem texto.") % {"number": document.number})
        SigningBlockDocument.objects.create(block=block, document=document, version=version)
    SigningBlockSigner.objects.bulk_create(
        [
            SigningBlockSigner(block=block, user=user, position=index)
            for index, user in enumerate(unique_signers, 1)
        ]
    )
    block = SigningBlock.objects.select_related("author").get(pk=block.pk)
    _notify(
        template_key="signature_requested",
        recipients=[row.user for row in _current_signers(block)],
        block=block,
        extra={"document_count": len(documents)},
    )
    return block


def _block_signer_row(*, block: SigningBlock, signer: User) -> SigningBlockSigner:
    row = block.signers.filter(user=signer).first()
    if row is None or block.status != BlockStatus.OPEN or row.status != SignerStatus.PENDING:
        raise SignatureError(_("Não há assinatura sua pendente neste bloco."))
    if block.is_ordered and row not in _current_signers(block):
        raise SignatureError(_("Ainda não é a sua vez: o bloco segue a ordem dos signatários."))
    return row


@transaction.atomic
def signing_block_sign_all(
    *,
    signer: User,
    blocks: Sequence[SigningBlock],
    otp_token: str = "",
    pkcs12_data: bytes = b"",
    pkcs12_password: str = "",
    timestamper: Any = None,
    govbr_session: GovBrSession | None = None,
) -> list[Signature]:
    """Sign every document of the given blocks at once, with one confirmation (the second factor, the
    A1 file and password for a qualified block, or one gov.br `signature_session` authorisation of up
    to 100 hashes). All or nothing: any refusal signs none."""
    blocks = [
        SigningBlock.objects.select_for_update().select_related("author").get(pk=block.pk) for block in blocks
    ]
    rows = [_block_signer_row(block=block, signer=signer) for block in blocks]
    levels = {block.level for block in blocks}
    credential = None
    if govbr_session is not None:
        if SignatureLevel.QUALIFIED in levels:
            raise SignatureError(
                _("Este bloco exige assinatura qualificada (ICP-Brasil); a assinatura gov.br é avançada.")
            )
        count = govbr_block_document_count(blocks=blocks)
        if count > govbr_session.hashes_allowed:
            raise SignatureError(
                _(
                    "Uma autorização gov.br assina até %(max)s documentos; escolha menos blocos"
                    " (agora são %(count)s documentos)."
                )
                % {"max": govbr_session.hashes_allowed, "count": count}
            )
    elif (
        pkcs12_data or SignatureLevel.QUALIFIED in levels
    ):  # an A1 makes a qualified signature, above any block level
        credential = pki.pkcs12_open(data=pkcs12_data, password=pkcs12_password)
        pki.icp_credential_check(credential=credential, signer_cpf=signer.cpf or "")
    elif SignatureLevel.ADVANCED in levels:
        _otp_check(signer=signer, otp_token=otp_token)
    signatures: list[Signature] = []
    now = timezone.now()
    for block, row in zip(blocks, rows, strict=True):
        for item in block.items.select_related("document", "version"):
            document, version = _lock_latest(document=item.document, expected_version=item.version.number)
            signatures.append(
                _sign_locked(
                    document=document,
                    version=version,
                    signer=signer,
                    level=(
                        SignatureLevel.QUALIFIED
                        if credential is not None
                        else SignatureLevel.ADVANCED
                        if govbr_session is not None
                        else block.level
                    ),
                    credential=credential,
                    timestamper=timestamper,
                    govbr_session=govbr_session,
                )
            )
        row.status, row.acted_at = SignerStatus.SIGNED, now
        row.save(update_fields=["status", "acted_at", "updated_at"])
        _block_advance(block)
    return signatures


def _block_advance(block: SigningBlock) -> None:
    remaining = _current_signers(block)
    if not remaining:
        block.status, block.completed_at = BlockStatus.COMPLETED, timezone.now()
        block.save(update_fields=["status", "completed_at", "updated_at"])
        people = [block.author, *[row.user for row in block.signers.select_related("user")]]
        _notify(
            template_key="signature_block_completed",
            recipients=list(dict.fromkeys(people)),
            block=block,
            extra={},
        )
    elif block.is_ordered:
        _notify(
            template_key="signature_requested",
            recipients=[remaining[0].user],
            block=block,
            extra={"document_count": block.items.count()},
        )


@transaction.atomic
def signing_block_refuse(*, block: SigningBlock, signer: User, reason: str) -> SigningBlock:
    """A signer refuses with a reason: the block goes back to its author, who is notified."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Diga o motivo da recusa."), extra={"field": "reason"})
    block = SigningBlock.objects.select_for_update().select_related("author").get(pk=block.pk)
    row = _block_signer_row(block=block, signer=signer)
    row.status, row.refusal_reason, row.acted_at = (
        SignerStatus.REFUSED,
        reason[:REFUSAL_MAX_CHARS],
        timezone.now(),
    )
    row.save(update_fields=["status", "refusal_reason", "acted_at", "updated_at"])
    block.status = BlockStatus.RETURNED
    block.save(update_fields=["status", "updated_at"])
    _notify(
        template_key="signature_refused",
        recipients=[block.author],
        block=block,
        extra={"signer_name": signer.full_name, "reason": row.refusal_reason},
    )
    return block


def signature_moment_local(*, signature: Signature) -> dt.datetime:
    return timezone.localtime(signature.signed_at)
