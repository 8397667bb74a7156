from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tenant_apps.payments import purposes
from tenant_apps.payments.models import PaymentGuide
from tenant_apps.payments.selectors import pix_webhook_secret
from tenant_apps.payments.services import guide_issue, webhook_signature

TEST_PURPOSE = "teste-pagamento"
CPF = "52998224725"
handled: list[int] = []


def _record(guide: PaymentGuide) -> None:
    handled.append(guide.pk)


purposes.register(TEST_PURPOSE, _record, label="Teste")


@pytest.fixture
def handled_guides() -> Iterator[list[int]]:
    handled.clear()
    yield handled
    handled.clear()


def issue(reference: str = "R-1", amount: str = "150.00", **kwargs: Any) -> PaymentGuide:
    values: dict[str, Any] = {
        "purpose": TEST_PURPOSE,
        "reference": reference,
        "payer_name": "Maria da Silva Santos",
        "payer_document": CPF,
        "amount": Decimal(amount),
        "description": "Taxa de teste",
    }
    values.update(kwargs)
    return guide_issue(**values)


def notice(*items: dict[str, Any]) -> tuple[bytes, str]:
    """A notice in the Pix API's shape, signed with the current city's secret."""
    body = json.dumps({"pix": list(items)}).encode()
    return body, webhook_signature(secret=pix_webhook_secret(), body=body)


def pix(
    guide: PaymentGuide, *, event_id: str = "E1234567820260101000000000001", valor: str | None = None
) -> dict[str, Any]:
    return {
        "endToEndId": event_id,
        "txid": guide.txid,
        "valor": valor or f"{guide.amount:.2f}",
        "horario": "2026-12-06T10:00:00.000-03:00",
        "infoPagador": "pagamento",
    }
