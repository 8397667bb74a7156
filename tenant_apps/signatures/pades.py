"""PAdES signing and validation with pyHanko.

What the national validator (validar.iti.gov.br) and DOC-ICP-15.03 ask, and where it is done here:
- SHA-256 digests (`md_algorithm="sha256"`) and RSA keys of at least 2048 bits (`pki.MIN_RSA_BITS`,
  the city keys are 2048/3072);
- the PAdES subfilter ETSI.CAdES.detached, whose CMS carries no `signingTime` signed attribute
  (pyHanko leaves it out for PAdES; the time is the PDF's /M entry, or the RFC 3161 timestamp);
- the AD-RB signature policy identifier (settings SIGNATURES_POLICY_*), as a signed attribute;
- the first signature of a version certifies it (DocMDP, P=2: only form filling and further
  signatures allowed); the following ones are approval signatures written as incremental updates,
  so the earlier ones stay valid;
- an RFC 3161 signature timestamp when SIGNATURES_TSA_URL is set.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from asn1crypto import core
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers, timestamps
from pyhanko.sign.ades.api import CAdESSignedAttrSpec
from pyhanko.sign.ades.cades_asn1 import SignaturePolicyIdentifier
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD_PREFIX = "Assinatura"


def private_key_info(key: Any) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return asn1_keys.PrivateKeyInfo.load(der)


def policy_identifier() -> SignaturePolicyIdentifier | None:
    if not settings.SIGNATURES_POLICY_OID:
        return None
    policy_id: dict[str, Any] = {
        "sig_policy_id": settings.SIGNATURES_POLICY_OID,
        "sig_policy_hash": {
            "digest_algorithm": {"algorithm": "sha256"},
            "digest": bytes.fromhex(settings.SIGNATURES_POLICY_SHA256),
        },
    }
    if settings.SIGNATURES_POLICY_URI:
        policy_id["sig_policy_qualifiers"] = [
            {
                "sig_policy_qualifier_id": "sp_uri",
                "sig_qualifier": core.IA5String(settings.SIGNATURES_POLICY_URI),
            }
        ]
    return SignaturePolicyIdentifier({"signature_policy_id": policy_id})


def existing_signature_count(pdf: bytes) -> int:
    return len(PdfFileReader(io.BytesIO(pdf)).embedded_signatures)


def pdf_sign(
    *,
    pdf: bytes,
    key: Any,
    certificate: asn1_x509.Certificate,
    chain: list[asn1_x509.Certificate],
    signer_name: str,
    reason: str,
    location: str,
    timestamper: Any = None,
) -> bytes:
    """`pdf` with one more PAdES signature: a certification (DocMDP P=2) if it has none yet, an
    approval signature in an incremental update otherwise."""
    count = existing_signature_count(pdf)
    signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=private_key_info(key),
        cert_registry=SimpleCertificateStore.from_certs([certificate, *chain]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=f"{FIELD_PREFIX}{count + 1}",
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        certify=count == 0,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        name=signer_name,
        reason=reason,
        location=location,
        cades_signed_attr_spec=CAdESSignedAttrSpec(signature_policy_identifier=policy_identifier()),
    )
    if timestamper is None and settings.SIGNATURES_TSA_URL:
        timestamper = timestamps.HTTPTimeStamper(settings.SIGNATURES_TSA_URL)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = signers.PdfSigner(metadata, signer=signer, timestamper=timestamper).sign_pdf(writer)
    return bytes(output.getvalue())


@dataclass(frozen=True)
class SignatureReport:
    field_name: str
    signer_name: str
    issuer: str
    signed_at: dt.datetime | None
    is_certification: bool
    intact: bool
    valid: bool
    trusted: bool
    docmdp_ok: bool
    has_timestamp: bool

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.docmdp_ok


def _common_name(name: asn1_x509.Name) -> str:
    native = name.native
    return str(native.get("common_name") or name.human_friendly)


def pdf_validate(
    *, pdf: bytes, trust_roots: list[asn1_x509.Certificate], crls: list[Any] | None = None
) -> list[SignatureReport]:
    """Every embedded signature of `pdf`, validated against `trust_roots` (no network)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 - a file that is not a readable PDF has no valid signature
        return []
    reports = []
    for signature in embedded:
        context = ValidationContext(
            trust_roots=trust_roots, crls=crls or [], allow_fetching=False, revocation_mode="soft-fail"
        )
        try:
            status = validate_pdf_signature(signature, signer_validation_context=context)
            intact, valid, trusted = bool(status.intact), bool(status.valid), bool(status.trusted)
            docmdp_ok = bool(status.docmdp_ok) if status.docmdp_ok is not None else True
            signed_at = status.signer_reported_dt
            timestamped = status.timestamp_validity is not None
            certificate = status.signing_cert
        except Exception:  # noqa: BLE001 - a broken signature is reported invalid, never raised to a reader
            intact = valid = trusted = docmdp_ok = timestamped = False
            signed_at, certificate = None, signature.signer_cert
        reports.append(
            SignatureReport(
                field_name=signature.field_name,
                signer_name=str(signature.sig_object.get("/Name", "")) or _common_name(certificate.subject),
                issuer=_common_name(certificate.issuer),
                signed_at=signed_at,
                is_certification=signature.docmdp_level is not None,
                intact=intact,
                valid=valid,
                trusted=trusted,
                docmdp_ok=docmdp_ok,
                has_timestamp=timestamped,
            )
        )
    return reports
