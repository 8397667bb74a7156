"""Aracaju's demo permit kinds (seeded by tenant_apps/permits/demo.py), PDFs with text (the demo's
builder, `text_pdf`), and people."""

from __future__ import annotations

import io
from typing import Any

import pytest

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.documents.uploads import Upload
from tenant_apps.permits.demo_requests import text_pdf
from tenant_apps.permits.models import PermitKind
from tests.documents.conftest import media_root  # noqa: F401 - the fixture, for these tests too

COMPANY_CNPJ = "11222333000181"
BAD_CNPJ = "11222333000182"


def upload(name: str, data: bytes, label: str = "") -> Upload:
    return Upload(name=name, file=io.BytesIO(data), label=label)


@pytest.fixture
def citizen(in_aracaju: Any) -> User:
    return User.objects.get(email=demo.DEMO_CITIZEN["email"])


@pytest.fixture
def operation_kind(in_aracaju: Any) -> PermitKind:
    return PermitKind.objects.select_related("service").get(service__code="alvara-funcionamento")


def operation_answers(cnae: str, **extra: str) -> dict[str, str]:
    return {
        "cpf_cnpj": COMPANY_CNPJ,
        "nome_razao_social": "Loja Exemplo Ltda",
        "mei": "Não",
        "endereco": "Rua João Pessoa, 100",
        "bairro": "Centro",
        "cnae": cnae,
        "area_m2": "80",
        **extra,
    }


def operation_files(*, today_text: str) -> list[Upload]:
    return [
        upload(
            "contrato.pdf",
            text_pdf("Contrato social da Loja Exemplo Ltda, registrado na junta comercial."),
            "Contrato social ou certificado MEI",
        ),
        upload(
            "endereco.pdf",
            text_pdf(f"Conta de energia. Emitida em {today_text}. Rua Joao Pessoa, 100."),
            "Comprovante de endereço",
        ),
    ]
