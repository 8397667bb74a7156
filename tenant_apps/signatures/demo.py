"""Demo signatures: each city's internal CA, a minimum level per kind, and a completed sample
(a signing block of two signers, advanced signatures with the demo TOTP key) whose verification
code `make demo` prints; the demo staff get the CPFs of their accounts at the demo's gov.br
assinatura stand-in (paco_demo.govbr_sign), so "Assinar com gov.br" works in `make demo`."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from paco_demo import cities as demo
from paco_demo.govbr_sign import DEMO_STAFF_CPFS, DemoSignChain
from tenant_apps.accounts.models import User
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.documents.models import Document
from tenant_apps.documents.services import document_create
from tenant_apps.org.models import OrgUnit
from tenants.models import Municipality

from .enums import SignatureLevel
from .models import KindPolicy, Signature
from .services import authority_ensure, kind_policy_set, signing_block_create, signing_block_sign_all

SAMPLE_TITLE = "Ofício de demonstração assinado por duas pessoas"
SAMPLE_BODY = (
    "Ofício de demonstração.\n\n"
    "Este documento foi assinado em bloco por duas pessoas, com assinatura eletrônica avançada"
    " (Lei 14.063/2020, art. 4º, II): confira as assinaturas no código de verificação."
)
DEMO_POLICY = {
    DocumentKind.CERTIFICATE: SignatureLevel.ADVANCED,
    DocumentKind.PERMIT: SignatureLevel.ADVANCED,
    DocumentKind.OPINION: SignatureLevel.ADVANCED,
}


def _otp(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:06d}"


def _sample() -> Document | None:
    return Document.objects.filter(title=SAMPLE_TITLE).order_by("pk").first()


def seed(*, municipality: Municipality) -> None:
    authority_ensure()
    # the demo staff's CPFs: their accounts at the demo's gov.br assinatura stand-in
    for email, cpf in DEMO_STAFF_CPFS.items():
        User.objects.filter(Q(cpf__isnull=True) | Q(cpf=""), email=email).exclude(
            pk__in=User.objects.filter(cpf=cpf).values("pk")
        ).update(cpf=cpf)
    if settings.GOVBR_SIGN_DEMO_STANDIN:
        DemoSignChain(Path(settings.GOVBR_SIGN_DEMO_DIR)).ensure()  # its root is in GOVBR_SIGN_ROOTS
    for kind, level in DEMO_POLICY.items():
        if not KindPolicy.objects.filter(kind=kind).exists():
            kind_policy_set(kind=kind, minimum_level=level)
    if _sample() is not None:
        return
    staff_spec = demo.DEMO_STAFF[municipality.slug]
    staff = User.objects.get(email=staff_spec["email"])
    admin_spec = next(spec for spec in demo.DEMO_MUNICIPALITIES if spec.slug == municipality.slug).admin
    admin = User.objects.get(email=admin_spec.email)  # type: ignore[union-attr]
    document = document_create(
        kind=DocumentKind.OFFICIAL_LETTER,
        unit=OrgUnit.objects.get(acronym=staff_spec["unit"]),
        title=SAMPLE_TITLE,
        body=SAMPLE_BODY,
        author=staff,
    )
    block = signing_block_create(
        title="Bloco de demonstração",
        author=staff,
        documents=[document],
        signers=[staff, admin],
        is_ordered=True,
    )
    signing_block_sign_all(signer=staff, blocks=[block], otp_token=_otp(staff))
    signing_block_sign_all(signer=admin, blocks=[block], otp_token=_otp(admin))


def logins(*, municipality: Municipality) -> list[tuple[str, str, str]]:
    """The sample's verification page (printed by `make demo`, from the public schema)."""
    with tenant_context(municipality):
        document = _sample()
        if document is None or not Signature.objects.filter(document=document).exists():
            return []
    return [("documento assinado (2 assinaturas)", f"/verificar/{document.verification_code}/", "")]
