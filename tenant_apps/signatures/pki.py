"""Keys and certificates: the city's internal CA (created at provisioning, keys encrypted at rest),
the ICP-Brasil checks of a signer's A1 certificate (PKCS#12), and certificate names for people.

The ICP-Brasil rules applied to a qualified signature (Lei 14.063/2020, art. 4º, III; MP 2.200-2/2001,
art. 10 § 1º): the certificate chains to a configured ICP-Brasil root, is within its validity, is not
revoked (the configured CRLs), uses RSA of at least 2048 bits (DOC-ICP-01.01), and carries the holder's
CPF in the subjectAltName otherName 2.16.76.1.3.1 (DOC-ICP-04, item 7.1.2.3), which must be the
signer's own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

from asn1crypto import core
from asn1crypto import crl as asn1_crl
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError

from paco.errors import ApplicationError

ICP_CPF_OID = "2.16.76.1.3.1"  # DOC-ICP-04: birth date (8) + CPF (11) + NIS (11) + RG (15) + issuer (6)
MIN_RSA_BITS = 2048
CA_YEARS = 20
SIGNING_YEARS = 10


class CertificateError(ApplicationError):
    """A certificate (or its file or password) that cannot be used to sign."""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def rsa_key_new(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def key_encrypt(key: rsa.RSAPrivateKey) -> str:
    """Encrypted PKCS#8 PEM, with the passphrase from the settings."""
    passphrase = settings.SIGNATURES_KEY_PASSPHRASE.encode()
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    ).decode()


def key_decrypt(pem: str) -> Any:
    return serialization.load_pem_private_key(
        pem.encode(), password=settings.SIGNATURES_KEY_PASSPHRASE.encode()
    )


def name_fit(value: str, limit: int = 64) -> str:
    """`value` cut to X.509's 64 (ub-name), counted as cryptography counts them: in UTF-8 bytes, so
    an accented city name is cut a little shorter, never in the middle of a character."""
    value = value.strip()
    while len(value.encode()) > limit:
        value = value[:-1]
    return value.rstrip()


def _name(common_name: str, organization: str, unit: str = "") -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name_fit(organization)),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, name_fit(unit)))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, name_fit(common_name)))
    return x509.Name(attributes)


def ca_certificate_new(
    *,
    key: rsa.RSAPrivateKey,
    name: x509.Name,
    years: int = CA_YEARS,
    issuer_key: Any = None,
    issuer_name: x509.Name | None = None,
    path_length: int | None = 0,
) -> x509.Certificate:
    now = _utcnow()
    signing_key = issuer_key or key
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer_key is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


def end_entity_certificate_new(
    *,
    key: Any,
    name: x509.Name,
    issuer_key: Any,
    issuer_certificate: x509.Certificate,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    other_names: list[x509.OtherName] | None = None,
    extended_key_usages: list[Any] | None = None,
    crl_url: str = "",
) -> x509.Certificate:
    now = _utcnow()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(minutes=5))
        .not_valid_after(not_after or now + dt.timedelta(days=365 * SIGNING_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if other_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(other_names), critical=False)
    if extended_key_usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(extended_key_usages), critical=False)
    if crl_url:
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)],
            relative_name=None,
            reasons=None,
            crl_issuer=None,
        )
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def icp_cpf_other_name(*, cpf: str, birth_date: str = "01011980") -> x509.OtherName:
    """The ICP-Brasil otherName 2.16.76.1.3.1 for a person (DOC-ICP-04), as an OCTET STRING."""
    value = f"{birth_date}{cpf}{'0' * 11}{'0' * 15}{' ' * 6}".encode()
    return x509.OtherName(x509.ObjectIdentifier(ICP_CPF_OID), core.OctetString(value).dump())


@dataclass(frozen=True)
class AuthorityMaterial:
    ca_certificate_pem: str
    ca_key_encrypted_pem: str
    signing_certificate_pem: str
    signing_key_encrypted_pem: str


def authority_material_new(*, city_name: str) -> AuthorityMaterial:
    """A new internal CA for the city and its document-signing certificate (RSA 2048, SHA-256)."""
    ca_key = rsa_key_new(3072)
    ca_name = _name(f"AC Interna {city_name}", city_name, "Autoridade certificadora interna (não ICP-Brasil)")
    ca_certificate = ca_certificate_new(key=ca_key, name=ca_name)
    signing_key = rsa_key_new(2048)
    signing_certificate = end_entity_certificate_new(
        key=signing_key,
        name=_name(f"Assinador de documentos — {city_name}", city_name, "Assinaturas simples e avançadas"),
        issuer_key=ca_key,
        issuer_certificate=ca_certificate,
        extended_key_usages=[ExtendedKeyUsageOID.EMAIL_PROTECTION],
    )
    pem = serialization.Encoding.PEM
    return AuthorityMaterial(
        ca_certificate_pem=ca_certificate.public_bytes(pem).decode(),
        ca_key_encrypted_pem=key_encrypt(ca_key),
        signing_certificate_pem=signing_certificate.public_bytes(pem).decode(),
        signing_key_encrypted_pem=key_encrypt(signing_key),
    )


def certificate_from_pem(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def name_text(name: x509.Name) -> str:
    common = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    organization = name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    parts = [str(attribute.value) for attribute in (common[:1] + organization[:1])]
    return ", ".join(parts) or name.rfc4514_string()


def icp_cpf(certificate: x509.Certificate) -> str:
    """The CPF of the ICP-Brasil otherName 2.16.76.1.3.1, or "" when the certificate has none."""
    try:
        alternative = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ""
    for other in alternative.get_values_for_type(x509.OtherName):
        if other.type_id.dotted_string != ICP_CPF_OID:
            continue
        try:
            parsed = core.load(other.value)
        except ValueError:
            return ""
        raw = parsed.contents if isinstance(parsed, core.OctetString) else str(parsed.native).encode()
        text = raw.decode("latin-1")
        digits = text[8:19]
        return digits if digits.isdigit() else ""
    return ""


@dataclass(frozen=True)
class A1Credential:
    key: Any
    certificate: x509.Certificate
    chain: list[x509.Certificate]


def pkcs12_open(*, data: bytes, password: str) -> A1Credential:
    """The key, certificate and chain of an A1 file; a wrong password or a broken file is refused."""
    if not data:
        raise CertificateError(
            _("Envie o arquivo do certificado A1 (.pfx ou .p12)."), extra={"field": "pkcs12"}
        )
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(data, password.encode())
    except ValueError as error:
        raise CertificateError(
            _(
                "Não foi possível abrir o certificado: a senha está errada"
                " ou o arquivo não é um PKCS#12 válido."
            ),
            extra={"field": "password"},
        ) from error
    if key is None or certificate is None:
        raise CertificateError(
            _("O arquivo não contém um certificado com chave privada."), extra={"field": "pkcs12"}
        )
    return A1Credential(key=key, certificate=certificate, chain=list(extra or []))


def _load_certificates(paths: list[str]) -> list[asn1_x509.Certificate]:
    loaded = []
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        if asn1_pem.detect(data):
            for _kind, _headers, der in asn1_pem.unarmor(data, multiple=True):
                loaded.append(asn1_x509.Certificate.load(der))
        else:
            loaded.append(asn1_x509.Certificate.load(data))
    return loaded


def _load_crls(paths: list[str]) -> list[asn1_crl.CertificateList]:
    loaded = []
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        if asn1_pem.detect(data):
            data = asn1_pem.unarmor(data)[2]
        loaded.append(asn1_crl.CertificateList.load(data))
    return loaded


def icp_roots() -> list[asn1_x509.Certificate]:
    return _load_certificates(list(settings.SIGNATURES_ICP_ROOTS))


def icp_crls() -> list[asn1_crl.CertificateList]:
    return _load_crls(list(settings.SIGNATURES_ICP_CRLS))


def icp_credential_check(
    *, credential: A1Credential, signer_cpf: str, moment: dt.datetime | None = None
) -> None:
    """Refuse, in Portuguese, any A1 certificate that cannot make a qualified signature for this signer."""
    certificate = credential.certificate
    moment = moment or _utcnow()
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey) or public_key.key_size < MIN_RSA_BITS:
        raise CertificateError(_("O certificado precisa de chave RSA de pelo menos 2048 bits (ICP-Brasil)."))
    if moment < certificate.not_valid_before_utc or moment > certificate.not_valid_after_utc:
        raise CertificateError(
            _("O certificado está fora da validade (válido de %(start)s a %(end)s).")
            % {
                "start": certificate.not_valid_before_utc.strftime("%d/%m/%Y"),
                "end": certificate.not_valid_after_utc.strftime("%d/%m/%Y"),
            }
        )
    cpf = icp_cpf(certificate)
    if not cpf:
        raise CertificateError(
            _("Este não é um certificado ICP-Brasil de pessoa física (falta o CPF, OID 2.16.76.1.3.1).")
        )
    own = "".join(ch for ch in (signer_cpf or "") if ch.isdigit())
    if cpf != own:
        raise CertificateError(_("O certificado é de outro CPF: só o titular pode assinar com ele."))
    roots = icp_roots()
    if not roots:
        raise CertificateError(_("Assinatura qualificada indisponível: nenhuma raiz ICP-Brasil configurada."))
    context = ValidationContext(
        trust_roots=roots,
        crls=icp_crls(),
        allow_fetching=False,
        revocation_mode="hard-fail" if settings.SIGNATURES_ICP_CRLS else "soft-fail",
        moment=moment,
    )
    validator = CertificateValidator(
        to_asn1(certificate),
        intermediate_certs=[to_asn1(extra) for extra in credential.chain],
        validation_context=context,
    )
    try:
        asyncio.run(validator.async_validate_usage({"non_repudiation"}))
    except RevokedError as error:
        raise CertificateError(_("O certificado foi revogado pela autoridade certificadora.")) from error
    except (PathBuildingError, PathValidationError) as error:
        raise CertificateError(
            _("O certificado não pertence a uma cadeia ICP-Brasil reconhecida (ou não pôde ser conferido).")
        ) from error
