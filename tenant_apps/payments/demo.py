"""Demo data of payments (`paco_demo.seeding`): each city's own Pix key (random keys made up for the
demo, registered nowhere, so no real money can move), and for the demo citizen one guide waiting
for payment and one paid by a Pix notice (through the same webhook path as a bank's). The demo
bank at /demo-banco/ (PAYMENTS_DEMO_BANK, `make demo`) pays the pending one. Safe to run again.
"""

from __future__ import annotations

import json
from decimal import Decimal

from paco_demo.cities import DEMO_CITIZEN
from tenant_apps.accounts.models import User
from tenants.models import Municipality

from .enums import PixKeyType
from .purposes import GENERIC_FEE
from .selectors import guide_for, pix_webhook_secret
from .services import guide_issue, pix_settings_save, webhook_receive, webhook_signature

PIX = {
    "aracaju": (PixKeyType.EVP, "7d9f0335-8dcc-4054-9bf9-0dbd61c36e8b", "PREFEITURA DE ARACAJU", "ARACAJU"),
    "gravatai": (PixKeyType.EMAIL, "pix@gravatai.exemplo.gov.br", "PREFEITURA DE GRAVATAI", "GRAVATAI"),
}
GUIDES = {
    "aracaju": [
        ("demo-certidao-1", Decimal("45.90"), "Taxa de expediente: certidão negativa de débitos", True),
        ("demo-certidao-2", Decimal("120.00"), "Taxa de expediente: segunda via de alvará", False),
    ],
    "gravatai": [
        ("demo-certidao-1", Decimal("38.50"), "Taxa de expediente: certidão de numeração predial", True),
        ("demo-certidao-2", Decimal("95.00"), "Taxa de expediente: vistoria de evento", False),
    ],
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
