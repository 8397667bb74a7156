"""The requester's files after the pre-analysis: replacing a file (named for an item on the fix-up form
or classified by the rules) leaves only the new one current; staff's classification corrections are
counted by the rules' item and check the request again; password-protected PDFs at upload."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.documents.models import Attachment
from tenant_apps.notifications.enums import Channel
from tenant_apps.notifications.models import Notification
from tenant_apps.permits import selectors, services
from tenant_apps.permits.enums import CheckStatus, ClassifiedBy, RequestStatus
from tenant_apps.permits.models import PermitRequest
from tests.conftest import client_for

from .conftest import operation_answers, text_pdf, upload

TODAY = timezone.localdate().strftime("%d/%m/%Y")
CONTRACT = "Contrato social ou certificado MEI"
ADDRESS = "Comprovante de endereço"
LICENSING = "alvaras@aracaju.se.gov.br"


def _submit(kind: Any, citizen: User, files: list[Any]) -> PermitRequest:
    return services.permit_request_submit(
        kind=kind,
        citizen=citizen,
        form_data=operation_answers("4721-1/02", mei="Sim"),
        uploads=files,
        accept_terms=True,
    )


def _analysed(request: PermitRequest) -> PermitRequest:
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    return request


def _pending_with_an_old_bill(kind: Any, citizen: User) -> PermitRequest:
    old = (timezone.localdate() - dt.timedelta(days=200)).strftime("%d/%m/%Y")
    files = [
        upload(
            "contrato.pdf", text_pdf("Contrato social da Loja Exemplo Ltda, registrado na junta."), CONTRACT
        ),
        upload(
            "endereco.pdf", text_pdf(f"Conta de energia. Emitida em {old}. Rua Joao Pessoa, 100."), ADDRESS
        ),
    ]
    request = _analysed(_submit(kind, citizen, files))
    assert request.status == RequestStatus.NEEDS_FIX
    return request


def _current(request: PermitRequest) -> dict[str, tuple[str | None, str]]:
    return {
        f.attachment.original_name: (f.item.name if f.item else None, f.result)
        for f in request.files.filter(is_current=True).select_related("attachment", "item")
    }


def _problems(request: PermitRequest) -> list[str]:
    return [check["message"] for check in request.pre_analysis if check["status"] == CheckStatus.PROBLEM]


def test_an_unlabelled_replacement_classified_by_the_rules_supersedes_the_bad_file(
    operation_kind, citizen, media_root
):
    request = _pending_with_an_old_bill(operation_kind, citizen)
    # when: the requester sends the new bill without naming the item (the "other files" box)
    services.request_files_replace(
        request=request,
        citizen=citizen,
        uploads=[
            upload("conta nova.pdf", text_pdf(f"Conta de energia emitida em {TODAY}. Rua Joao Pessoa, 100."))
        ],
    )
    request = _analysed(request)
    # then: only the new bill is current for the item, and the request left 'pendente'
    assert _current(request) == {
        "contrato.pdf": (CONTRACT, CheckStatus.OK),
        "conta nova.pdf": (ADDRESS, CheckStatus.OK),
    }
    assert request.files.get(attachment__original_name="conta nova.pdf").classified_by == ClassifiedBy.RULE
    assert request.status not in (RequestStatus.NEEDS_FIX, RequestStatus.PRE_ANALYSIS)
    assert _problems(request) == []
    # when: staff say the rules were wrong, the new file is no proof of address
    services.request_file_classify(
        request_file=request.files.get(attachment__original_name="conta nova.pdf"),
        actor=User.objects.get(email=LICENSING),
        item=None,
    )
    # then: the file it had superseded is the item's current file again, for staff and the checklist
    assert {name: item for name, (item, _result) in _current(request).items()} == {
        "contrato.pdf": CONTRACT,
        "conta nova.pdf": None,
        "endereco.pdf": ADDRESS,
    }


def test_the_fix_up_form_asks_for_the_failing_item_and_its_file_replaces_that_item(
    aracaju, operation_kind, citizen, media_root
):
    request = _pending_with_an_old_bill(operation_kind, citizen)
    address = request.kind.checklist.get(name=ADDRESS)
    contract = request.kind.checklist.get(name=CONTRACT)
    client = client_for("citizen", aracaju)
    page = client.get(f"/alvaras/pedidos/{request.pk}/").content.decode()
    # one field for the item with a problem (with what is checked), none for the item that passed
    assert f'name="checklist_{address.pk}"' in page
    assert "emitido há no máximo 90 dias" in page
    assert f'name="checklist_{contract.pk}"' not in page
    assert 'name="arquivos"' in page
    response = client.post(
        f"/alvaras/pedidos/{request.pk}/arquivos/",
        {
            f"checklist_{address.pk}": SimpleUploadedFile(
                "nova.pdf",
                text_pdf(f"Conta de agua emitida em {TODAY}. Rua Joao Pessoa, 100."),
                "application/pdf",
            )
        },
    )
    assert response.status_code == 302
    request = _analysed(request)
    assert _current(request) == {
        "contrato.pdf": (CONTRACT, CheckStatus.OK),
        "nova.pdf": (ADDRESS, CheckStatus.OK),
    }
    assert request.status not in (RequestStatus.NEEDS_FIX, RequestStatus.PRE_ANALYSIS)


def test_staff_corrections_are_counted_by_the_rules_item_however_often_staff_change_them(
    operation_kind, citizen, media_root
):
    files = [
        upload("documentos-1.pdf", text_pdf("Contrato social da empresa, clausula primeira.")),
        upload("conta de energia.pdf", text_pdf(f"Fatura de energia emitida em {TODAY}.")),
    ]
    request = _analysed(_submit(operation_kind, citizen, files))
    contract = request.kind.checklist.get(name=CONTRACT)
    address = request.kind.checklist.get(name=ADDRESS)
    first = request.files.get(attachment__original_name="documentos-1.pdf")
    second = request.files.get(attachment__original_name="conta de energia.pdf")
    assert (first.rule_item_id, second.rule_item_id) == (contract.pk, address.pk)
    licensing = User.objects.get(email=LICENSING)

    def counts() -> dict[str, int]:
        items = selectors.checklist_corrections(kind=request.kind)
        return {item.name: item.corrections for item in items}  # type: ignore[attr-defined]

    # a correction, then the same correction again: still one correction of the contract's words
    assert services.request_file_classify(request_file=first, actor=licensing, item=address).is_corrected
    assert services.request_file_classify(request_file=first, actor=licensing, item=address).is_corrected
    # a correction to "no item" counts against the item the rules chose
    assert services.request_file_classify(request_file=second, actor=licensing, item=None).is_corrected
    assert counts() == {CONTRACT: 1, ADDRESS: 1}
    # staff putting a file back under the rules' item is no correction
    assert not services.request_file_classify(request_file=second, actor=licensing, item=address).is_corrected
    assert counts() == {CONTRACT: 1, ADDRESS: 0}


def _pending_with_an_unmatched_bill(kind: Any, citizen: User) -> PermitRequest:
    """The contract labelled, a water bill the rules match to no item: the proof of address missing."""
    files = [
        upload(
            "contrato.pdf", text_pdf("Contrato social da Loja Exemplo Ltda, registrado na junta."), CONTRACT
        ),
        upload(
            "deso.pdf",
            text_pdf(f"Companhia de saneamento DESO, documento emitido em {TODAY}, Rua Joao Pessoa."),
        ),
    ]
    request = _analysed(_submit(kind, citizen, files))
    assert request.status == RequestStatus.NEEDS_FIX
    return request


def test_a_correction_on_a_pending_request_checks_it_again(
    operation_kind, citizen, media_root, django_capture_on_commit_callbacks
):
    request = _pending_with_an_unmatched_bill(operation_kind, citizen)
    assert _problems(request) == [f"Falta o documento “{ADDRESS}”."]
    scan = request.files.get(attachment__original_name="deso.pdf")
    assert scan.item is None
    # when: staff say the unmatched file is the proof of address
    with django_capture_on_commit_callbacks() as callbacks:
        services.request_file_classify(
            request_file=scan,
            actor=User.objects.get(email=LICENSING),
            item=request.kind.checklist.get(name=ADDRESS),
        )
    request.refresh_from_db()
    # then: back in pre-analysis with the job queued after commit; the job finds nothing missing
    assert request.status == RequestStatus.PRE_ANALYSIS
    assert len(callbacks) == 1
    request = _analysed(request)
    assert _problems(request) == []
    assert request.status not in (RequestStatus.NEEDS_FIX, RequestStatus.PRE_ANALYSIS)


def test_a_correction_that_leaves_the_same_problems_does_not_mail_them_again(
    operation_kind, citizen, media_root, django_capture_on_commit_callbacks
):
    request = _pending_with_an_unmatched_bill(operation_kind, citizen)
    told = Notification.objects.filter(
        template_key="permit_needs_fix", subject_id=request.case_id, channel=Channel.EMAIL
    )
    assert told.count() == 1
    # when: staff file the unmatched bill as a second contract; the proof of address is still missing
    with django_capture_on_commit_callbacks(execute=False):
        services.request_file_classify(
            request_file=request.files.get(attachment__original_name="deso.pdf"),
            actor=User.objects.get(email=LICENSING),
            item=request.kind.checklist.get(name=CONTRACT),
        )
    request = _analysed(request)
    # then: pendente again with the same list, and the requester is not mailed it twice
    assert request.status == RequestStatus.NEEDS_FIX
    assert _problems(request) == [f"Falta o documento “{ADDRESS}”."]
    assert told.count() == 1
    assert f"Falta o documento “{ADDRESS}”." in told.get().body


def _encrypted(*, user: str) -> bytes:
    source = pypdf.PdfReader(
        io.BytesIO(text_pdf(f"Conta de energia emitida em {TODAY}. Rua Joao Pessoa, 100."))
    )
    writer = pypdf.PdfWriter(clone_from=source)
    writer.encrypt(user_password=user, owner_password="dono", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_that_needs_a_password_is_refused_at_upload_and_nothing_is_saved(
    operation_kind, citizen, media_root
):
    before = (PermitRequest.objects.count(), Attachment.objects.count())
    files = [
        upload(
            "contrato.pdf", text_pdf("Contrato social da Loja Exemplo Ltda, registrado na junta."), CONTRACT
        ),
        upload("conta.pdf", _encrypted(user="segredo"), ADDRESS),
    ]
    with pytest.raises(ApplicationError) as refused:
        _submit(operation_kind, citizen, files)
    assert refused.value.message == (
        "O arquivo “conta.pdf” foi recusado: o PDF está protegido por senha; envie uma cópia sem senha."
    )
    assert (PermitRequest.objects.count(), Attachment.objects.count()) == before


def test_a_pdf_with_only_an_owner_password_is_accepted_and_analysed(operation_kind, citizen, media_root):
    files = [
        upload(
            "contrato.pdf", text_pdf("Contrato social da Loja Exemplo Ltda, registrado na junta."), CONTRACT
        ),
        upload("conta.pdf", _encrypted(user=""), ADDRESS),
    ]
    request = _analysed(_submit(operation_kind, citizen, files))
    assert _current(request)["conta.pdf"] == (ADDRESS, CheckStatus.OK)
    assert request.status not in (RequestStatus.NEEDS_FIX, RequestStatus.PRE_ANALYSIS)
