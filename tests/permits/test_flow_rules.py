"""The rules of the permit flow a review found broken (issue 14): no automatic issuance of a request
sent on anyway or flagged for a person, no permit while the fee is due (and no tacit-approval clock
before it is paid), the status read again under the lock before any issuance, no status change on an
exemption declaration, the case closed on refusal and reopened by an appeal filed within 10 days, and
the event's dates checked at submission."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.cases.enums import CaseStatus
from tenant_apps.cases.models import Case
from tenant_apps.catalog.enums import FieldKind
from tenant_apps.catalog.models import ServiceField
from tenant_apps.documents.selectors import document_verification_notes
from tenant_apps.notifications.enums import Channel
from tenant_apps.notifications.models import Notification
from tenant_apps.permits import services
from tenant_apps.permits.enums import CheckStatus, IssueMode, PermitStatus, RequestStatus
from tenant_apps.permits.models import Permit, PermitKind, PermitRequest
from tenant_apps.permits.services import fee_paid_handler
from tenant_apps.workdays.selectors import BusinessCalendar
from tests.conftest import ARACAJU_HOST, _force_login, client_for
from tests.otp import unused_code

from .conftest import operation_answers, operation_files, text_pdf, upload

TODAY = timezone.localdate().strftime("%d/%m/%Y")
LICENSING = "alvaras@aracaju.se.gov.br"
SEMA = "sema.licencas@aracaju.se.gov.br"


def _submit(kind: Any, citizen: User, cnae: str, **kwargs: Any) -> PermitRequest:
    answers = operation_answers(cnae, **kwargs.pop("answers", {}))
    return services.permit_request_submit(
        kind=kind,
        citizen=citizen,
        form_data=answers,
        uploads=kwargs.pop("uploads", operation_files(today_text=TODAY)),
        **kwargs,
    )


def _pay(request: PermitRequest) -> None:
    """What the payments module calls (in its job) when the guide is paid."""
    fee_paid_handler(SimpleNamespace(reference=str(request.pk), paid_at=timezone.now()))


def _refuse(request: PermitRequest) -> PermitRequest:
    services.request_analyse(request_id=request.pk)
    services.opinion_give(
        opinion=request.opinions.get(unit__acronym="SEMA"),
        actor=User.objects.get(email=SEMA),
        is_favourable=False,
        text="Falta caixa de gordura.",
    )
    request.refresh_from_db()
    return request


def _staff_client(email: str) -> Client:
    client = Client(HTTP_HOST=ARACAJU_HOST)
    _force_login(client, User.objects.get(email=email), ARACAJU_HOST)
    return client


# --- 1. sent on anyway, and the fee -----------------------------------------------------------------


def test_a_level_two_request_sent_on_anyway_goes_to_staff_and_no_permit_while_the_fee_is_due(
    operation_kind, citizen, media_root
):
    # given: a bakery that is not MEI (level II, fee R$ 90), termo accepted, the fee unpaid
    request = _submit(operation_kind, citizen, "4721-1/02", accept_terms=True)
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == RequestStatus.NEEDS_FIX
    assert "Taxa de R$ 90,00 ainda não paga: pague a guia (DAM) por Pix." in [
        check["message"] for check in request.pre_analysis
    ]
    # when: the requester sends it on anyway
    services.request_insist(request=request, citizen=citizen)
    services.request_analyse(request_id=request.pk)
    # then: a person analyses it (the licensing unit: no rule for level II); nothing issued, and no
    # tacit-approval clock while the request is incomplete (Lei 13.874/2019, art. 3º, IX)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_ANALYSIS
    assert not Permit.objects.filter(request=request).exists()
    assert [o.unit.acronym for o in request.opinions.select_related("unit")] == ["SEPLOG-ALV"]
    assert request.decision_due is None
    licensing = User.objects.get(email=LICENSING)
    services.opinion_give(
        opinion=request.opinions.get(), actor=licensing, is_favourable=True, text="Documentos conferidos."
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.READY
    # staff cannot issue it while the fee is due (the page says so beside the button)
    page = _staff_client(LICENSING).get(f"/staff/alvaras/{request.pk}/").content.decode()
    assert "ainda não foi paga: o alvará só pode ser emitido depois do pagamento da guia" in page
    with pytest.raises(ApplicationError, match=r"taxa de R\$ 90,00 deste pedido ainda não foi paga"):
        services.permit_issue(request=request, actor=licensing, otp_token=unused_code(licensing.email))
    assert services.tacit_approvals_run(today=timezone.localdate() + dt.timedelta(days=400)) == 0
    request.refresh_from_db()
    assert request.status == RequestStatus.READY
    assert not Permit.objects.filter(request=request).exists()
    # when the guide is paid, staff issue it
    _pay(request)
    permit = services.permit_issue(request=request, actor=licensing, otp_token=unused_code(licensing.email))
    assert permit.mode == IssueMode.STAFF
    request.refresh_from_db()
    assert request.status == RequestStatus.ISSUED


def test_a_mei_request_sent_on_with_a_missing_document_is_neither_issued_automatically_nor_tacitly(
    aracaju, operation_kind, citizen, media_root
):
    # given: a MEI (no fee), termo accepted, the proof of address missing
    only_contract = operation_files(today_text=TODAY)[:1]
    request = _submit(
        operation_kind, citizen, "4721-1/02", answers={"mei": "Sim"}, accept_terms=True, uploads=only_contract
    )
    services.request_analyse(request_id=request.pk)
    services.request_insist(request=request, citizen=citizen)
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_ANALYSIS
    assert request.insisted is True
    assert not Permit.objects.filter(request=request).exists()
    # incomplete (Lei 13.874/2019, art. 3º, IX): no tacit-approval clock, a person decides it
    assert request.decision_due is None
    page = client_for("citizen", aracaju).get(f"/alvaras/pedidos/{request.pk}/").content.decode()
    assert "não corre prazo de aprovação tácita" in page
    assert services.tacit_clocks_start() == 0
    assert services.tacit_approvals_run(today=timezone.localdate() + dt.timedelta(days=400)) == 0
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_ANALYSIS
    assert request.decision_due is None


def test_tacit_approval_waits_for_the_fee_and_its_deadline_runs_from_the_payment(
    aracaju, operation_kind, citizen, media_root
):
    # given: a restaurant that is not MEI (level III, fee R$ 250), sent on with the fee unpaid
    request = _submit(operation_kind, citizen, "5611-2/01")
    services.request_analyse(request_id=request.pk)
    services.request_insist(request=request, citizen=citizen)
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_ANALYSIS
    assert request.decision_due is None
    text = client_for("citizen", aracaju).get(f"/alvaras/pedidos/{request.pk}/").content.decode()
    assert "só começa a contar depois do pagamento da taxa" in text
    # when: a year passes with no decision and no payment: nothing is approved
    assert services.tacit_approvals_run(today=timezone.localdate() + dt.timedelta(days=365)) == 0
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_ANALYSIS
    # when: the guide is paid, the clock starts from the payment's day at once and the requester is told
    _pay(request)
    request.refresh_from_db()
    due = BusinessCalendar().add_business_days(timezone.localdate(), operation_kind.decision_days)
    assert request.decision_due == due
    assert Case.objects.get(pk=request.case_id).deadline == due
    notice = Notification.objects.get(
        template_key="permit_in_analysis", subject_id=request.case_id, channel=Channel.EMAIL
    )
    assert due.strftime("%d/%m/%Y") in notice.body
    # the daily job's catch-up finds nothing more to start, and sends nothing twice
    assert services.tacit_clocks_start() == 0
    assert Notification.objects.filter(
        template_key="permit_in_analysis", subject_id=request.case_id
    ).count() == (
        Notification.objects.filter(template_key="permit_in_analysis", subject_id=request.case_id)
        .values("channel")
        .distinct()
        .count()
    )
    # then tacit approval comes only after that deadline
    assert services.tacit_approvals_run(today=due) == 0
    assert services.tacit_approvals_run(today=due + dt.timedelta(days=1)) == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.ISSUED
    assert request.permit.mode == IssueMode.TACIT


# --- 3. a warning on level II goes to a person ----------------------------------------------------


def test_a_level_two_request_with_an_unreadable_scan_goes_to_a_person(operation_kind, citizen, media_root):
    files = [
        upload(
            "contrato.pdf",
            text_pdf("Contrato social da Loja Exemplo Ltda, registrado na junta comercial."),
            "Contrato social ou certificado MEI",
        ),
        upload("endereco.pdf", text_pdf(""), "Comprovante de endereço"),  # a scan: no text layer
    ]
    request = _submit(
        operation_kind, citizen, "4721-1/02", answers={"mei": "Sim"}, accept_terms=True, uploads=files
    )
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    scan = request.files.get(attachment__original_name="endereco.pdf")
    assert scan.result == CheckStatus.WARNING
    assert any("um servidor vai conferir" in check["message"] for check in scan.checks)
    # then: as the message says, a person checks it; nothing issued automatically
    assert request.status == RequestStatus.IN_ANALYSIS
    assert not Permit.objects.filter(request=request).exists()
    assert [o.unit.acronym for o in request.opinions.select_related("unit")] == ["SEPLOG-ALV"]


def test_a_clean_level_two_request_is_still_issued_automatically(operation_kind, citizen, media_root):
    request = _submit(operation_kind, citizen, "4721-1/02", answers={"mei": "Sim"}, accept_terms=True)
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == RequestStatus.ISSUED
    assert request.permit.mode == IssueMode.AUTOMATIC


# --- 7. the status read again under the lock ------------------------------------------------------


def test_the_system_never_issues_a_refused_request(operation_kind, citizen, media_root):
    request = _refuse(_submit(operation_kind, citizen, "5611-2/01", answers={"mei": "Sim"}))
    assert request.status == RequestStatus.REFUSED
    # when: a stale tacit-approval run (or an automatic issuance) reaches it anyway
    for mode in (IssueMode.TACIT, IssueMode.AUTOMATIC):
        with pytest.raises(ApplicationError, match="não pode ser emitido automaticamente"):
            services.permit_issue_system(
                request=request, mode=mode, today=timezone.localdate() + dt.timedelta(days=400)
            )
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    assert not Permit.objects.filter(request=request).exists()


def _first_analysis(operation_kind: Any, citizen: User) -> PermitRequest:
    request = _submit(operation_kind, citizen, "5611-2/01", answers={"mei": "Sim"})
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    return request


def test_tacit_issuance_only_past_the_deadline_and_only_once(operation_kind, citizen, media_root):
    request = _first_analysis(operation_kind, citizen)
    with pytest.raises(ApplicationError, match="não pode ser emitido automaticamente"):
        services.permit_issue_system(request=request, mode=IssueMode.TACIT, today=request.decision_due)
    # a level III request is never "automatic"
    with pytest.raises(ApplicationError, match="não pode ser emitido automaticamente"):
        services.permit_issue_system(request=request, mode=IssueMode.AUTOMATIC)
    after = request.decision_due + dt.timedelta(days=1)
    permit = services.permit_issue_system(request=request, mode=IssueMode.TACIT, today=after)
    assert services.permit_issue_system(request=request, mode=IssueMode.TACIT, today=after) == permit
    assert Permit.objects.filter(request=request).count() == 1


def test_staff_cannot_issue_twice(operation_kind, citizen, media_root):
    request = _first_analysis(operation_kind, citizen)
    licensing = User.objects.get(email=LICENSING)
    for opinion in request.opinions.order_by("stage", "id"):
        opinion.refresh_from_db()
        actor = User.objects.filter(memberships__unit=opinion.unit, is_active=True).order_by("pk").first()
        services.opinion_give(opinion=opinion, actor=actor, is_favourable=True, text="Ok")
    request.refresh_from_db()
    assert request.status == RequestStatus.READY
    services.permit_issue(request=request, actor=licensing, otp_token=unused_code(licensing.email))
    with pytest.raises(ApplicationError, match="depois de todos os pareceres favoráveis"):
        services.permit_issue(request=request, actor=licensing, otp_token=unused_code(licensing.email))
    assert Permit.objects.filter(request=request).count() == 1


# --- 12. exemption declarations have no status to change ---------------------------------------------


def test_an_exemption_declaration_cannot_be_suspended_or_revoked(operation_kind, citizen, media_root):
    request = _submit(operation_kind, citizen, "4781-4/00")  # level I
    permit = Permit.objects.get(request=request)
    assert permit.mode == IssueMode.EXEMPTION
    licensing = User.objects.get(email=LICENSING)
    for status in (PermitStatus.SUSPENDED, PermitStatus.REVOKED):
        with pytest.raises(ApplicationError, match="declaração de dispensa não é um alvará"):
            services.permit_status_set(permit=permit, actor=licensing, status=status, reason="Fiscalização")
    permit.refresh_from_db()
    assert (permit.status, permit.status_reason) == (PermitStatus.VALID, "")
    assert [note.level for note in document_verification_notes(document=permit.document)] == ["success"]
    # and the staff page offers no such button
    page = _staff_client(LICENSING).get(f"/staff/alvaras/{request.pk}/").content.decode()
    assert "Suspender, cassar ou reativar" not in page


# --- 13. refusal closes the case; the appeal reopens it within 10 days ---------------------------------


def test_a_refusal_closes_the_case_and_an_appeal_in_time_reopens_it(
    aracaju, operation_kind, citizen, media_root
):
    request = _refuse(_submit(operation_kind, citizen, "5611-2/01", answers={"mei": "Sim"}))
    due = BusinessCalendar().add_calendar_days(timezone.localdate(), 10)
    assert services.appeal_deadline(request=request) == due
    case = Case.objects.get(pk=request.case_id)
    assert case.status == CaseStatus.CLOSED
    assert "Falta caixa de gordura." in case.final_answer
    assert f"Cabe recurso até {due:%d/%m/%Y}" in case.final_answer
    # the requester's page shows the deadline
    page = client_for("citizen", aracaju).get(f"/alvaras/pedidos/{request.pk}/").content.decode()
    assert f"Você pode recorrer uma vez, até {due:%d/%m/%Y}" in page
    # when: the appeal is filed, the case is open again, with the 30 days of art. 59, §1º
    services.request_appeal(request=request, citizen=citizen, text="Instalei a caixa de gordura.")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.deadline == timezone.localdate() + dt.timedelta(days=30)
    # and a refused appeal closes it again
    licensing = User.objects.get(email=LICENSING)
    services.appeal_decide(request=request, actor=licensing, is_granted=False, text="Sem comprovação.")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED


def test_an_appeal_granted_after_reopening_issues_the_permit(operation_kind, citizen, media_root):
    request = _refuse(_submit(operation_kind, citizen, "5611-2/01", answers={"mei": "Sim"}))
    services.request_appeal(request=request, citizen=citizen, text="Instalei a caixa de gordura.")
    licensing = User.objects.get(email=LICENSING)
    services.appeal_decide(
        request=request,
        actor=licensing,
        is_granted=True,
        text="Comprovada a adequação.",
        otp_token=unused_code(licensing.email),
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.ISSUED
    assert Case.objects.get(pk=request.case_id).status == CaseStatus.CLOSED


def test_the_appeal_is_accepted_on_the_tenth_day_and_refused_after_it(
    aracaju, operation_kind, citizen, media_root
):
    request = _refuse(_submit(operation_kind, citizen, "5611-2/01", answers={"mei": "Sim"}))
    # the notice was ten days ago: the last day (or the next business day) is today or later
    PermitRequest.objects.filter(pk=request.pk).update(refused_at=timezone.now() - dt.timedelta(days=10))
    request.refresh_from_db()
    assert services.appeal_deadline(request=request) >= timezone.localdate()
    with transaction.atomic():  # a savepoint, undone: the same rows serve the late case below
        appealed = services.request_appeal(request=request, citizen=citizen, text="No prazo.")
        transaction.set_rollback(True)
    assert appealed.status == RequestStatus.APPEALED
    # the notice was 30 days ago: too late, in Portuguese, nothing changes
    refused_at = timezone.now() - dt.timedelta(days=30)
    PermitRequest.objects.filter(pk=request.pk).update(refused_at=refused_at)
    request.refresh_from_db()
    until = BusinessCalendar().add_calendar_days(timezone.localdate(refused_at), 10)
    with pytest.raises(ApplicationError, match=f"O prazo para recorrer terminou em {until:%d/%m/%Y}"):
        services.request_appeal(request=request, citizen=citizen, text="Fora do prazo.")
    request.refresh_from_db()
    assert (request.status, request.appealed_at, request.appeal_text) == (RequestStatus.REFUSED, None, "")
    assert Case.objects.get(pk=request.case_id).status == CaseStatus.CLOSED
    page = client_for("citizen", aracaju).get(f"/alvaras/pedidos/{request.pk}/").content.decode()
    assert f"O prazo para recorrer terminou em {until:%d/%m/%Y}" in page
    assert "Enviar recurso" not in page


# --- 14. the event's dates --------------------------------------------------------------------------


@pytest.fixture
def event_kind(in_aracaju: Any) -> PermitKind:
    return PermitKind.objects.select_related("service").get(service__code="alvara-evento")


def _event_answers(start: str, end: str) -> dict[str, str]:
    return {
        "cpf_cnpj": "11222333000181",
        "nome_razao_social": "Produtora Exemplo Ltda",
        "mei": "Não",
        "endereco": "Praça Fausto Cardoso, s/n",
        "bairro": "Centro",
        "data_inicio": start,
        "data_fim": end,
        "publico_estimado": "500",
    }


def _event_files() -> list[Any]:
    return [upload("plano.pdf", text_pdf("Plano de seguranca do evento."), "Plano de segurança do evento")]


def test_event_dates_in_the_past_or_reversed_are_refused_and_nothing_is_saved(
    event_kind, citizen, media_root
):
    today = timezone.localdate()
    before = (Case.objects.count(), PermitRequest.objects.count())
    cases = [
        ((today - dt.timedelta(days=1)).isoformat(), (today + dt.timedelta(days=1)).isoformat(), "já passou"),
        (
            (today + dt.timedelta(days=5)).isoformat(),
            (today + dt.timedelta(days=4)).isoformat(),
            "antes de começar",
        ),
        ("amanhã", "", "Informe uma data válida"),
        ("31/02/2030", "", "Informe uma data válida"),
    ]
    for start, end, message in cases:
        with pytest.raises(ApplicationError, match=message):
            services.permit_request_submit(
                kind=event_kind, citizen=citizen, form_data=_event_answers(start, end), uploads=_event_files()
            )
    assert (Case.objects.count(), PermitRequest.objects.count()) == before
    # today is fine (the form's date field takes ISO dates; dd/mm/aaaa is for a text field)
    start, end = today, today + dt.timedelta(days=2)
    request = services.permit_request_submit(
        kind=event_kind,
        citizen=citizen,
        form_data=_event_answers(start.isoformat(), end.isoformat()),
        uploads=_event_files(),
    )
    assert (request.event_start, request.event_end) == (start, end)


def test_a_text_in_a_date_field_is_a_portuguese_form_error_not_a_500(aracaju, media_root):
    # given: the admin turned the start date into a text field in the Carta de Serviços
    with tenant_context(aracaju):
        ServiceField.objects.filter(service__code="alvara-evento", key="data_inicio").update(
            kind=FieldKind.TEXT
        )
        before = (Case.objects.count(), PermitRequest.objects.count())
    client = client_for("citizen", aracaju)
    response = client.post(
        "/alvaras/solicitar/alvara-evento/",
        {
            **_event_answers("semana que vem", (timezone.localdate() + dt.timedelta(days=9)).isoformat()),
            "documentos": [
                SimpleUploadedFile("plano.pdf", text_pdf("Plano de seguranca."), "application/pdf")
            ],
        },
    )
    assert response.status_code == 400
    assert "Informe uma data válida (dd/mm/aaaa): “semana que vem”." in response.content.decode()
    with tenant_context(aracaju):
        assert (Case.objects.count(), PermitRequest.objects.count()) == before
