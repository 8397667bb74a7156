"""Aracaju's demo permit kinds (seeded by tenant_apps/permits/demo.py), PDFs with text, and people."""

from __future__ import annotations

import io
from typing import Any

import pytest

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.documents.uploads import Upload
from tenant_apps.permits.models import PermitKind
from tests.documents.conftest import media_root  # noqa: F401 - the fixture, for these tests too

COMPANY_CNPJ = "11222333000181"
BAD_CNPJ = "11222333000182"


def text_pdf(text: str, *, padding: int = 0) -> bytes:
    """A one-page PDF showing `text` (pypdf extracts it); `padding` bytes of comment make a big file."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 10 Tf 40 800 Td ({escaped}) Tj ET".encode("latin-1", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
        b"<< /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    if padding:
        out.write(b"%" + b"x" * padding + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


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
