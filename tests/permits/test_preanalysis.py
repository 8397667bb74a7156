"""The pre-analysis's file checks on real bytes (PDFs made by pypdf and the demo's builder, images by
Pillow): password-protected PDFs, resolution, signature, scans without text, files that matched no
item, and the dates (issue date next to "emitido"/"emissão", the validity the document states)."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import pypdf
from django.utils import timezone
from PIL import Image

from tenant_apps.permits import preanalysis, services
from tenant_apps.permits.enums import CheckStatus, RequestStatus

from .conftest import operation_answers, text_pdf, upload

TODAY = dt.date(2026, 1, 20)
PDF = "application/pdf"


def item(**overrides: Any) -> SimpleNamespace:
    values = {
        "name": "Certidão",
        "accepted_types": [PDF, "image/jpeg", "image/png"],
        "max_size_mb": 10,
        "must_be_signed": False,
        "validity_days": None,
    }
    return SimpleNamespace(**{**values, **overrides})


def checks_of(
    data: bytes, content_type: str = PDF, *, today: dt.date = TODAY, **item_values: Any
) -> list[Any]:
    facts = preanalysis.file_facts(data, content_type)
    return preanalysis.file_checks(
        item=item(**item_values),
        name="doc",
        content_type=content_type,
        size=len(data),
        facts=facts,
        today=today,
    )


def encrypted_pdf(*, user: str, owner: str) -> bytes:
    writer = pypdf.PdfWriter(
        clone_from=pypdf.PdfReader(
            io.BytesIO(text_pdf("Certidao negativa de debitos emitida em 10/01/2026 pela Receita Federal."))
        )
    )
    writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(width: int, height: int, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, fmt)
    return out.getvalue()


def test_a_pdf_with_only_an_owner_password_is_read_and_checked_normally():
    data = encrypted_pdf(user="", owner="dono")
    facts = preanalysis.pdf_facts(data)
    assert not facts.is_encrypted
    assert "Receita Federal" in facts.text
    checks = checks_of(data, validity_days=30)
    assert [check.status for check in checks] == [CheckStatus.OK]


def test_a_pdf_that_needs_a_password_is_a_problem_saying_so():
    data = encrypted_pdf(user="segredo", owner="dono")
    assert preanalysis.pdf_facts(data).is_encrypted
    [check] = checks_of(data)
    assert check.status == CheckStatus.PROBLEM
    assert check.message == "“doc” é um PDF protegido por senha; envie uma cópia sem senha."


def test_an_image_below_the_minimum_resolution_is_a_problem_and_a_sharp_one_passes():
    [low] = checks_of(image(400, 300), "image/png")
    assert low.status == CheckStatus.PROBLEM
    assert "resolução baixa (400×300 pixels)" in low.message
    assert [check.status for check in checks_of(image(800, 1200, "JPEG"), "image/jpeg")] == [CheckStatus.OK]


def test_an_item_that_must_be_signed_refuses_an_unsigned_pdf():
    checks = checks_of(
        text_pdf("Projeto arquitetonico assinado pelo responsavel tecnico, folha 1."), must_be_signed=True
    )
    assert [(check.code, check.status) for check in checks] == [("assinatura", CheckStatus.PROBLEM)]
    assert "precisa estar assinado digitalmente" in checks[0].message


def test_the_issue_date_is_the_one_next_to_emitido_not_a_later_date_in_the_text():
    bill = text_pdf("Conta de energia emitida em 01/01/2024. Proxima leitura prevista 10/01/2026. Rua A, 1.")
    [check] = checks_of(bill, validity_days=90)
    assert check.status == CheckStatus.PROBLEM
    assert "foi emitido em 01/01/2024, há 750 dias" in check.message
    labelled = text_pdf(
        "Vencimento 15/01/2026. Data de emissão: 10/01/2026. Certidao de matricula do imovel."
    )
    assert preanalysis.issue_date(preanalysis.pdf_facts(labelled).text, today=TODAY) == (
        dt.date(2026, 1, 10),
        False,
    )


def test_without_an_issue_word_the_latest_past_date_is_presumed_and_said_so():
    text = "Fatura 11/2025, leitura em 05/01/2026, proxima leitura em 05/02/2026. Rua Joao Pessoa, 100."
    assert preanalysis.issue_date(text, today=TODAY) == (dt.date(2026, 1, 5), True)
    checks = checks_of(text_pdf(text), validity_days=90)
    assert [check.status for check in checks] == [CheckStatus.OK, CheckStatus.OK]
    assert "presumimos 05/01/2026" in checks[1].message
    [old] = checks_of(text_pdf(text), validity_days=90, today=dt.date(2026, 6, 1))
    assert old.status == CheckStatus.PROBLEM
    assert "não diz a data de emissão; a data mais recente nele é 05/02/2026, há 116 dias" in old.message


def test_a_stated_validity_in_the_past_is_a_problem_even_without_validity_days():
    expired = text_pdf(
        "Certidao emitida em 01/01/2024. Valida ate 01/03/2024. Texto suficiente para leitura."
    )
    [check] = checks_of(expired)
    assert check.status == CheckStatus.PROBLEM
    assert check.message == "“Certidão”: documento vencido em 01/03/2024."
    current = text_pdf("Certidao emitida em 10/01/2026. Validade: 10/07/2026. Texto suficiente para leitura.")
    assert [check.status for check in checks_of(current, validity_days=180)] == [CheckStatus.OK]


def _submit_and_analyse(kind: Any, citizen: Any, files: list[Any]) -> Any:
    request = services.permit_request_submit(
        kind=kind,
        citizen=citizen,
        form_data=operation_answers("4721-1/02", mei="Sim"),
        uploads=files,
        accept_terms=True,
    )
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    return request


def test_a_scan_without_text_on_a_checklist_item_is_flagged_for_a_person(operation_kind, citizen, media_root):
    today = timezone.localdate().strftime("%d/%m/%Y")
    scan = image(1240, 1754, "PDF")  # an image-only PDF, as a scanner without OCR makes
    request = _submit_and_analyse(
        operation_kind,
        citizen,
        [
            upload(
                "contrato.pdf", text_pdf(f"Contrato social da Loja Exemplo Ltda, emitido em {today}."), ""
            ),
            upload("comprovante de endereco.pdf", scan),
        ],
    )
    scanned = request.files.get(attachment__original_name="comprovante de endereco.pdf")
    assert scanned.item.name == "Comprovante de endereço"  # classified by the rules
    assert scanned.result == CheckStatus.WARNING
    messages = [check["message"] for check in scanned.checks]
    assert any(preanalysis.UNREADABLE in message for message in messages)
    assert any("Não encontramos a data de emissão" in message for message in messages)


def test_a_file_that_matches_no_item_still_gets_the_content_checks_as_warnings(
    operation_kind, citizen, media_root
):
    """The requester cannot take back an extra file: what is wrong with it flags the request for a
    person instead of holding it in 'pendente'."""
    today = timezone.localdate().strftime("%d/%m/%Y")
    files = [
        upload("contrato.pdf", text_pdf("Contrato social da Loja Exemplo Ltda, junta comercial."), ""),
        upload(
            "conta de energia.pdf", text_pdf(f"Conta de energia emitida em {today}. Rua Joao Pessoa."), ""
        ),
        upload("foto.png", image(320, 240)),
        upload("anotacoes.txt", "Anotações do requerente sobre a loja.".encode()),
    ]
    request = _submit_and_analyse(operation_kind, citizen, files)
    by_name = {f.attachment.original_name: f for f in request.files.select_related("attachment")}
    photo, notes = by_name["foto.png"], by_name["anotacoes.txt"]
    assert photo.item is None
    assert notes.item is None
    assert [check["code"] for check in photo.checks] == ["classificacao", "legivel"]
    assert "resolução baixa (320×240 pixels)" in photo.checks[1]["message"]
    assert photo.result == CheckStatus.WARNING
    assert [check["code"] for check in notes.checks] == ["classificacao", "tipo"]
    assert "é do tipo text/plain; este pedido aceita" in notes.checks[1]["message"]
    assert notes.result == CheckStatus.WARNING
    assert request.status != RequestStatus.NEEDS_FIX
    assert request.status == RequestStatus.IN_ANALYSIS
