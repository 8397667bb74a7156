"""A DEMONSTRATION-ONLY certificate hierarchy shaped like ICP-Brasil, for the demo and the tests.

NOT ICP-Brasil. Every key here is generated on the spot (none is shipped) and every name says
"DEMONSTRAÇÃO": a root, an intermediate "AC", end-entity A1 certificates carrying the ICP-Brasil
CPF field (otherName 2.16.76.1.3.1), a CRL, and a timestamp authority certificate. Production
configures the real ICP-Brasil roots (settings SIGNATURES_ICP_ROOTS) and never uses this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .pki import ca_certificate_new, end_entity_certificate_new, icp_cpf_other_name, name_fit, rsa_key_new

DEMO_LABEL = "DEMONSTRAÇÃO — NÃO É ICP-Brasil"
# declared in the A1 certificates (as ICP-Brasil's are); never fetched: the CRL is given locally
DEMO_CRL_URL = "http://demonstracao.invalid/ac-demonstracao.crl"


def _name(common_name: str, unit: str = "") -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ICP-Brasil (DEMONSTRAÇÃO)"),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, name_fit(common_name)))
    return x509.Name(attributes)


@dataclass
class DemoChain:
    root: x509.Certificate
    root_key: Any
    intermediate: x509.Certificate
    intermediate_key: Any
    revoked_serials: list[int] = field(default_factory=list)

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def crl_der(self) -> bytes:
        """The intermediate AC's CRL, listing the revoked certificates."""
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.intermediate.subject)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(now + dt.timedelta(days=7))
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.intermediate_key.public_key()),
                critical=False,
            )
        )
        for serial in self.revoked_serials:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - dt.timedelta(minutes=1))
                .build()
            )
        root_crl = builder.sign(self.intermediate_key, hashes.SHA256())
        return root_crl.public_bytes(serialization.Encoding.DER)

    def root_crl_der(self) -> bytes:
        now = dt.datetime.now(dt.UTC)
        crl = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.root.subject)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(now + dt.timedelta(days=7))
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root_key.public_key()), critical=False
            )
            .sign(self.root_key, hashes.SHA256())
        )
        return crl.public_bytes(serialization.Encoding.DER)


def chain_new(*, label: str = DEMO_LABEL) -> DemoChain:
    root_key = rsa_key_new(2048)
    root = ca_certificate_new(
        key=root_key, name=_name(f"AC Raiz {label}", "Raiz de demonstração"), path_length=1
    )
    intermediate_key = rsa_key_new(2048)
    intermediate = ca_certificate_new(
        key=intermediate_key,
        name=_name("AC Demonstração v1", "Autoridade Certificadora de demonstração"),
        issuer_key=root_key,
        issuer_name=root.subject,
        path_length=0,
    )
    return DemoChain(
        root=root, root_key=root_key, intermediate=intermediate, intermediate_key=intermediate_key
    )


def person_a1_new(
    *,
    chain: DemoChain,
    full_name: str,
    cpf: str,
    password: str,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    with_cpf: bool = True,
) -> tuple[bytes, x509.Certificate]:
    """A PKCS#12 (A1) of a person, ICP-shaped: e-CPF style name and the CPF otherName."""
    key = rsa_key_new(2048)
    certificate = end_entity_certificate_new(
        key=key,
        name=_name(f"{full_name}:{cpf}", "Pessoa Física A1 (DEMONSTRAÇÃO)"),
        issuer_key=chain.intermediate_key,
        issuer_certificate=chain.intermediate,
        not_before=not_before,
        not_after=not_after,
        other_names=[icp_cpf_other_name(cpf=cpf)] if with_cpf else None,
        extended_key_usages=[ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION],
        crl_url=DEMO_CRL_URL,
    )
    data = pkcs12.serialize_key_and_certificates(
        name=full_name.encode(),
        key=key,
        cert=certificate,
        cas=[chain.intermediate],
        encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
    )
    return data, certificate


def tsa_new(*, chain: DemoChain) -> tuple[x509.Certificate, Any]:
    """A timestamp authority certificate (critical extended key usage timeStamping)."""
    key = rsa_key_new(2048)
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("Carimbo do tempo (DEMONSTRAÇÃO)"))
        .issuer_name(chain.intermediate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(chain.intermediate_key.public_key()),
            critical=False,
        )
        .sign(chain.intermediate_key, hashes.SHA256())
    )
    return certificate, key
