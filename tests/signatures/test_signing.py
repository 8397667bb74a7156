"""PAdES signatures at three levels, validated by pyHanko against the test trust roots; bad inputs
refused in Portuguese with nothing changed; signing blocks; the verification page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader

from paco.errors import ApplicationError
from tenant_apps.documents.enums import AccessLevel, DocumentKind
from tenant_apps.documents.services import document_create, document_version_add
from tenant_apps.notifications.models import Notification
from tenant_apps.signatures import pades, pki
from tenant_apps.signatures.enums import BlockStatus, SignatureLevel, SignerStatus
from tenant_apps.signatures.models import CityAuthority, Signature, SigningBlock
from tenant_apps.signatures.selectors import (
    block_pending_for_user,
    signature_latest,
    signed_pdf_read,
    trust_roots,
)
from tenant_apps.signatures.services import (
    kind_policy_set,
    signature_sign,
    signing_block_create,
    signing_block_refuse,
    signing_block_sign_all,
)
from tests.conftest import client_for

from .conftest import A1_PASSWORD, otp_now


def _document(
    unit: Any, author: Any, *, kind: str = DocumentKind.OFFICIAL_LETTER, title: str = "Ofício nº 1"
) -> Any:
    return document_create(
        kind=kind, unit=unit, title=title, body="Texto do ofício.\nSegundo parágrafo.", author=author
    )


def _reports(data: bytes) -> list[pades.SignatureReport]:
    return pades.pdf_validate(pdf=data, trust_roots=trust_roots())


def test_advanced_then_qualified_signatures_validate_and_a_tampered_copy_does_not(
    unit: Any, clerk: Any, manager: Any, test_pki: Any, settings: Any
) -> None:
    # given a document and a configured timestamp authority
    settings.SIGNATURES_TSA_URL = test_pki.tsa_url
    document = _document(unit, clerk)
    # when the clerk signs (advanced, second factor) and the manager signs (qualified, A1)
    first = signature_sign(
        document=document,
        signer=clerk,
        level=SignatureLevel.ADVANCED,
        otp_token=otp_now(clerk),
        expected_version=1,
    )
    second = signature_sign(
        document=document,
        signer=manager,
        level=SignatureLevel.QUALIFIED,
        pkcs12_data=test_pki.manager_a1,
        pkcs12_password=A1_PASSWORD,
        expected_version=1,
    )
    # then both are in the final PDF and both validate against the trust roots
    data = signed_pdf_read(signature=second)
    assert data is not None
    reports = _reports(data)
    assert [report.ok for report in reports] == [True, True]
    assert [report.has_timestamp for report in reports] == [True, True]
    assert (first.is_certification, second.is_certification) == (True, False)
    assert second.certificate_issuer == "AC Demonstração v1, ICP-Brasil (DEMONSTRAÇÃO)"
    assert first.certificate_issuer.startswith("AC Interna ")
    assert first.signer_cpf_masked == "***.533.447-**"
    # the first signature certifies with DocMDP P=2; the second is an incremental update
    reader = PdfFileReader(io.BytesIO(data))
    certification, approval = reader.embedded_signatures
    assert certification.docmdp_level is not None
    assert certification.docmdp_level.value == 2
    assert data.startswith(signed_pdf_read(signature=first) or b"-")
    # the CMS: SHA-256, no signingTime, the AD-RB policy identifier
    signer_info = certification.signer_info
    attributes = {attribute["type"].native: attribute for attribute in signer_info["signed_attrs"]}
    assert "signing_time" not in attributes
    assert signer_info["digest_algorithm"]["algorithm"].native == "sha256"
    policy = attributes["signature_policy_identifier"]["values"][0]
    assert policy.native["sig_policy_id"] == "2.16.76.1.7.1.11.1.3"
    assert policy.native["sig_policy_hash"]["digest"].hex().startswith("23e4be4b")
    assert isinstance(certification.signed_data, cms.SignedData)
    # a copy with one byte changed inside the signed range is invalid
    position = certification.byte_range[1] // 2  # inside the first signed range
    tampered = bytearray(data)
    tampered[position] ^= 0x01
    assert not all(report.ok for report in _reports(bytes(tampered)))


def test_simple_signature_and_content_frozen_after_signing(unit: Any, clerk: Any, manager: Any) -> None:
    document = _document(unit, clerk, kind=DocumentKind.DISPATCH)
    signature_sign(document=document, signer=clerk, level=SignatureLevel.SIMPLE, expected_version=1)
    # the manager read version 1, but someone saved version 2 meanwhile: nothing is signed
    document_version_add(document=document, body="Texto mudado.", author=clerk)
    with pytest.raises(ApplicationError, match="alterado por outra pessoa"):
        signature_sign(document=document, signer=manager, level=SignatureLevel.SIMPLE, expected_version=1)
    assert Signature.objects.filter(document=document).count() == 1
    # the new version starts its own signed PDF; the old signature still belongs to version 1
    new = signature_sign(document=document, signer=manager, level=SignatureLevel.SIMPLE, expected_version=2)
    assert (new.version.number, new.is_certification) == (2, True)
    assert Signature.objects.get(document=document, version__number=1).signer == clerk


@pytest.mark.parametrize(
    ("pfx", "password", "message"),
    [
        ("manager_a1", "senha-errada", "a senha está errada"),
        ("expired_a1", A1_PASSWORD, "fora da validade"),
        ("revoked_a1", A1_PASSWORD, "revogado"),
        ("clerk_a1", A1_PASSWORD, "outro CPF"),
        ("no_cpf_a1", A1_PASSWORD, "não é um certificado ICP-Brasil"),
        ("foreign_a1", A1_PASSWORD, "cadeia ICP-Brasil"),
    ],
)
def test_bad_qualified_inputs_are_refused_and_nothing_changes(
    unit: Any, clerk: Any, manager: Any, test_pki: Any, pfx: str, password: str, message: str
) -> None:
    document = _document(unit, clerk)
    with pytest.raises(ApplicationError, match=message):
        signature_sign(
            document=document,
            signer=manager,
            level=SignatureLevel.QUALIFIED,
            pkcs12_data=getattr(test_pki, pfx),
            pkcs12_password=password,
            expected_version=1,
        )
    assert not Signature.objects.filter(document=document).exists()


def test_wrong_second_factor_and_level_below_the_kinds_minimum_are_refused(unit: Any, clerk: Any) -> None:
    document = _document(unit, clerk)
    with pytest.raises(ApplicationError, match="segundo fator"):
        signature_sign(document=document, signer=clerk, level=SignatureLevel.ADVANCED, otp_token="000000")
    kind_policy_set(kind=DocumentKind.OFFICIAL_LETTER, minimum_level=SignatureLevel.QUALIFIED)
    with pytest.raises(ApplicationError, match="exige assinatura qualificada"):
        signature_sign(
            document=document, signer=clerk, level=SignatureLevel.ADVANCED, otp_token=otp_now(clerk)
        )
    assert not Signature.objects.filter(document=document).exists()


def test_staff_of_another_unit_cannot_sign(unit: Any, clerk: Any, other_unit_staff: Any) -> None:
    document = _document(unit, clerk)
    with pytest.raises(ApplicationError, match="não pode assinar"):
        signature_sign(document=document, signer=other_unit_staff, level=SignatureLevel.SIMPLE)
    assert not Signature.objects.exists() or not Signature.objects.filter(document=document).exists()


def test_the_city_authority_is_created_once_with_encrypted_keys(unit: Any) -> None:
    from tenant_apps.signatures.services import authority_ensure

    authority = authority_ensure()
    assert authority_ensure().pk == authority.pk
    assert CityAuthority.objects.count() == 1
    assert "ENCRYPTED PRIVATE KEY" in authority.signing_key_encrypted_pem
    assert "ENCRYPTED PRIVATE KEY" in authority.ca_key_encrypted_pem


def test_ordered_block_notifies_signs_many_at_once_and_completes(
    unit: Any, clerk: Any, manager: Any, other_unit_staff: Any
) -> None:
    documents = [_document(unit, clerk, title=f"Ofício {number}") for number in range(3)]
    block = signing_block_create(
        title="Ofícios da semana",
        author=clerk,
        documents=documents,
        signers=[manager, other_unit_staff],
        is_ordered=True,
    )
    assert Notification.objects.filter(template_key="signature_requested", recipient=manager).exists()
    assert block_pending_for_user(user=other_unit_staff) == []
    # the second signer cannot jump the queue
    with pytest.raises(ApplicationError, match="Ainda não é a sua vez"):
        signing_block_sign_all(signer=other_unit_staff, blocks=[block], otp_token=otp_now(other_unit_staff))
    signed = signing_block_sign_all(signer=manager, blocks=[block], otp_token=otp_now(manager))
    assert len(signed) == 3
    assert [b.pk for b in block_pending_for_user(user=other_unit_staff)] == [block.pk]
    signing_block_sign_all(signer=other_unit_staff, blocks=[block], otp_token=otp_now(other_unit_staff))
    block.refresh_from_db()
    assert block.status == BlockStatus.COMPLETED
    assert Notification.objects.filter(template_key="signature_block_completed", recipient=clerk).exists()
    for document in documents:
        latest = signature_latest(document=document)
        assert latest is not None
        assert [report.ok for report in _reports(signed_pdf_read(signature=latest) or b"")] == [True, True]


def test_refusal_returns_the_block_to_its_author_with_the_reason(unit: Any, clerk: Any, manager: Any) -> None:
    block = signing_block_create(
        title="Bloco", author=clerk, documents=[_document(unit, clerk)], signers=[manager]
    )
    with pytest.raises(ApplicationError, match="motivo"):
        signing_block_refuse(block=block, signer=manager, reason="  ")
    signing_block_refuse(block=block, signer=manager, reason="Falta o anexo.")
    block = SigningBlock.objects.get(pk=block.pk)
    assert block.status == BlockStatus.RETURNED
    assert block.signers.get().status == SignerStatus.REFUSED
    notification = Notification.objects.get(template_key="signature_refused", recipient=clerk)
    assert "Falta o anexo." in notification.body


def test_verification_page_lists_signatures_and_serves_the_signed_pdf(
    aracaju: Any, unit: Any, clerk: Any, manager: Any
) -> None:
    document = _document(unit, clerk)
    signature_sign(document=document, signer=clerk, level=SignatureLevel.SIMPLE, expected_version=1)
    signature_sign(document=document, signer=manager, level=SignatureLevel.SIMPLE, expected_version=1)
    anonymous = client_for("anonymous", None)
    anonymous.defaults["HTTP_HOST"] = "aracaju.localhost"
    page = anonymous.get(f"/verificar/{document.verification_code}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "2 assinaturas válidas." in text
    assert "Sérgio Servidor" in text
    assert "Gestor Sigiloso de aracaju" in text
    pdf = anonymous.get(f"/verificar/{document.verification_code}/assinado.pdf")
    assert pdf.status_code == 200
    assert [report.ok for report in _reports(pdf.content)] == [True, True]


def test_restricted_document_verification_shows_only_existence(aracaju: Any, unit: Any, clerk: Any) -> None:
    document = document_create(
        kind=DocumentKind.DISPATCH,
        unit=unit,
        title="Parecer sigiloso",
        body="x",
        author=clerk,
        access_level=AccessLevel.RESTRICTED,
        legal_basis="Lei 12.527/2011, art. 31",
    )
    signature_sign(document=document, signer=clerk, level=SignatureLevel.SIMPLE)
    anonymous = client_for("anonymous", None)
    anonymous.defaults["HTTP_HOST"] = "aracaju.localhost"
    text = anonymous.get(f"/verificar/{document.verification_code}/").content.decode()
    assert "Parecer sigiloso" not in text
    assert "Sérgio Servidor" not in text
    assert "Documento autêntico e íntegro." in text
    assert anonymous.get(f"/verificar/{document.verification_code}/assinado.pdf").status_code == 404


def test_sign_page_and_api(aracaju: Any, unit: Any, clerk: Any, manager: Any) -> None:
    document = _document(unit, clerk)
    staff = client_for("staff", aracaju)
    refused = staff.post(
        f"/staff/documentos/{document.pk}/assinar/",
        {"level": "avancada", "otp_token": "123", "expected_version": 1},
    )
    assert refused.status_code == 400
    assert "Código do segundo fator inválido" in refused.content.decode()
    response = staff.post(
        f"/staff/documentos/{document.pk}/assinar/",
        {"level": "avancada", "otp_token": otp_now(clerk), "expected_version": 1},
    )
    assert response.status_code == 302
    api = client_for("manager", aracaju)
    answer = api.post(
        f"/api/v1/signatures/documents/{document.pk}/sign/",
        {"level": "simples", "expected_version": 1},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["sequence"] == 2
    listed = api.get(f"/api/v1/signatures/documents/{document.pk}/").json()
    assert [row["signer"] for row in listed] == ["Sérgio Servidor", "Gestor Sigiloso de aracaju"]


def test_a_city_with_a_long_accented_name_gets_its_authority():
    # X.509 names hold 64 UTF-8 bytes: "São José do Vale do Rio Preto" once broke provisioning
    name = "Prefeitura Municipal de São José do Vale do Rio Preto — Conceição"
    material = pki.authority_material_new(city_name=name)

    certificate = x509.load_pem_x509_certificate(material.signing_certificate_pem.encode())
    common_name = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name.startswith("Assinador de documentos — Prefeitura Municipal de S")
    assert len(str(common_name).encode()) <= 64
    assert pki.name_fit("ã" * 40) == "ã" * 32  # cut between characters, never inside one
