"""Demo data of payments (`paco_demo.seeding`): each city's own Pix key (random keys made up for the
demo, registered nowhere, so no real money can move), and for the demo citizen one guide waiting
for payment, one paid by a Pix notice (through the same webhook path as a bank's), one paid and
then partly refunded by staff with a reason, and a one-off guide staff issued. Each city's PSP page
is filled in with a made-up sandbox PSP, switched off (so `make demo` never calls out). The demo
bank at /demo-banco/ (PAYMENTS_DEMO_BANK, `make demo`) pays the pending one. Safe to run again.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.utils import timezone

from paco_demo.cities import DEMO_CITIZEN
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenants.models import Municipality

from .enums import PixKeyType
from .models import PaymentGuide, PspCredentials
from .purposes import GENERIC_FEE, ONE_OFF
from .selectors import guide_for, pix_webhook_secret
from .services import (
    guide_issue,
    guide_issue_one_off,
    pix_settings_save,
    psp_credentials_save,
    refund_request,
    webhook_receive,
    webhook_signature,
)

PIX = {
    "aracaju": (PixKeyType.EVP, "7d9f0335-8dcc-4054-9bf9-0dbd61c36e8b", "PREFEITURA DE ARACAJU", "ARACAJU"),
    "gravatai": (PixKeyType.EMAIL, "pix@gravatai.exemplo.gov.br", "PREFEITURA DE GRAVATAI", "GRAVATAI"),
}
GUIDES = {
    "aracaju": [
        ("demo-certidao-1", Decimal("45.90"), "Taxa de expediente: certidão negativa de débitos", True),
        ("demo-certidao-2", Decimal("120.00"), "Taxa de expediente: segunda via de alvará", False),
        ("demo-certidao-3", Decimal("60.00"), "Taxa de expediente: certidão pedida em duplicidade", True),
    ],
    "gravatai": [
        ("demo-certidao-1", Decimal("38.50"), "Taxa de expediente: certidão de numeração predial", True),
        ("demo-certidao-2", Decimal("95.00"), "Taxa de expediente: vistoria de evento", False),
        ("demo-certidao-3", Decimal("72.00"), "Taxa de expediente: vistoria cobrada a maior", True),
    ],
}
# (reference, amount given back, reason): made by staff at the bank by hand (no PSP in the demo)
REFUNDS = {
    "aracaju": ("demo-certidao-3", Decimal("60.00"), "Certidão pedida duas vezes: devolução integral"),
    "gravatai": ("demo-certidao-3", Decimal("22.00"), "Vistoria cobrada a maior: devolvida a diferença"),
}
ONE_OFF_GUIDES = {
    "aracaju": (Decimal("87.50"), "Uso de espaço público: barraca na feira da Orla"),
    "gravatai": (Decimal("64.00"), "Uso de espaço público: carro de som em evento"),
}
# a made-up sandbox PSP per city, switched off: the admin's page shows what a filled-in PSP looks like
PSP = {
    "aracaju": (
        "https://pix-h.banco-exemplo.example/api",
        "CN=webhook.banco-exemplo.example,O=Banco Exemplo SA,C=BR",
    ),
    "gravatai": (
        "https://pix-h.coop-exemplo.example/api",
        "CN=pix-webhook.coop-exemplo.example,O=Coop Exemplo,C=BR",
    ),
}


def seed(*, municipality: Municipality) -> None:
    key_type, key, name, city = PIX[municipality.slug] if municipality.slug in PIX else PIX["aracaju"]
    pix_settings_save(key_type=key_type, key=key, merchant_name=name, merchant_city=city)
    citizen = User.objects.filter(email=DEMO_CITIZEN["email"]).first()
    if citizen is None:
        return
    for reference, amount, description, paid in GUIDES.get(municipality.slug, []):
        guide = guide_for(purpose=GENERIC_FEE, reference=reference)
        if guide is None:
            guide = guide_issue(
                purpose=GENERIC_FEE,
                reference=reference,
                payer_name=citizen.full_name,
                payer_document=DEMO_CITIZEN["cpf"],
                amount=amount,
                description=description,
                owner=citizen,
            )
        if paid and guide.status == "pendente":
            body = json.dumps(
                {
                    "pix": [
                        {
                            "endToEndId": f"E00000000DEMO{guide.year}{guide.number:06d}",
                            "txid": guide.txid,
                            "valor": f"{guide.amount:.2f}",
                            "horario": guide.created_at.isoformat(),
                        }
                    ]
                }
            ).encode()
            webhook_receive(body=body, signature=webhook_signature(secret=pix_webhook_secret(), body=body))

    staff = User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("id").first()
    if staff is None:
        return
    _refund_seed(municipality.slug, staff)
    _one_off_seed(municipality.slug, staff, citizen)
    if not PspCredentials.objects.exists() and municipality.slug in PSP:
        api_url, subject = PSP[municipality.slug]
        psp_credentials_save(
            actor=staff,
            enabled=False,
            api_url=api_url,
            scope="cob.write cob.read pix.write pix.read webhook.write webhook.read",
            client_id=f"prefeitura-{municipality.slug}-homologacao",
            client_secret="demo-nao-e-um-segredo-real",  # noqa: S106 - a made-up sandbox credential
            webhook_client_subject=subject,
        )


def _refund_seed(slug: str, staff: User) -> None:
    if slug not in REFUNDS:
        return
    reference, amount, reason = REFUNDS[slug]
    guide = guide_for(purpose=GENERIC_FEE, reference=reference)
    if guide is not None and guide.status == "paga" and not guide.refunds.exists():
        refund_request(guide=guide, actor=staff, amount=amount, reason=reason)


def _one_off_seed(slug: str, staff: User, citizen: User) -> None:
    if slug not in ONE_OFF_GUIDES or PaymentGuide.objects.filter(purpose=ONE_OFF).exists():
        return
    amount, description = ONE_OFF_GUIDES[slug]
    guide_issue_one_off(
        actor=staff,
        payer_name=citizen.full_name,
        payer_document=DEMO_CITIZEN["cpf"],
        amount=amount,
        description=description,
        due_date=timezone.localdate() + dt.timedelta(days=15),
    )
