"""The permit flows on the case engine: level I exemption at once, level II automatic issuance after the
terms, level III routed to SEMA and the sanitary unit, opinions, issuance and status on /verificar/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.cases.enums import CaseStatus
from tenant_apps.cases.models import Case
from tenant_apps.documents.selectors import document_verification_notes
from tenant_apps.permits import services
from tenant_apps.permits.enums import (
    CheckStatus,
    ClassifiedBy,
    IssueMode,
    OpinionStatus,
    PermitStatus,
    RequestStatus,
)
from tenant_apps.permits.models import Permit, PermitRequest
from tenant_apps.permits.services import fee_paid_handler
from tenant_apps.signatures.models import Signature
from tenants.models import Municipality
from tests.otp import unused_code

from .conftest import BAD_CNPJ, operation_answers, operation_files, text_pdf, upload

TODAY = timezone.localdate().strftime("%d/%m/%Y")


def otp(user: User) -> str:
    return unused_code(user.email)


def _submit(kind: Any, citizen: User, cnae: str, **kwargs: Any) -> PermitRequest:
    answers = operation_answers(cnae, **kwargs.pop("answers", {}))
    return services.permit_request_submit(
        kind=kind,
        citizen=citizen,
        form_data=answers,
        uploads=kwargs.pop("uploads", operation_files(today_text=TODAY)),
        **kwargs,
    )


def test_level_one_gets_the_exemption_declaration_at_once(operation_kind, citizen, media_root):
    # when: a clothing shop (4781-4/00, federal level I) asks
    request = _submit(operation_kind, citizen, "4781-4/00")
    # then: exempt, a signed declaration, the case closed, no fee
    request.refresh_from_db()
    assert request.risk_level == "I"
    assert request.status == RequestStatus.EXEMPT
    assert request.fee_amount == Decimal("0.00")
    permit = Permit.objects.get(request=request)
    assert permit.mode == IssueMode.EXEMPTION
    assert Signature.objects.filter(document=permit.document).count() == 1
    assert Case.objects.get(pk=request.case_id).status == CaseStatus.CLOSED
    notes = document_verification_notes(document=permit.document)
    assert [note.level for note in notes] == ["success"]


def test_level_two_mei_is_issued_automatically_after_the_checks_and_terms(
    operation_kind, citizen, media_root
):
    # given: a MEI bakery (4721-1/02, level II), terms accepted on the form
    request = _submit(operation_kind, citizen, "4721-1/02", answers={"mei": "Sim"}, accept_terms=True)
    assert request.status == RequestStatus.PRE_ANALYSIS
    assert request.fee_amount == Decimal("0.00")  # LC 123/2006, art. 4º, §3º
    # when: the pre-analysis job runs (twice: idempotent)
    services.request_analyse(request_id=request.pk)
    services.request_analyse(request_id=request.pk)
    # then
    request.refresh_from_db()
    assert request.status == RequestStatus.ISSUED
    assert request.pre_analysis_runs == 1
    assert {check["code"]: check["status"] for check in request.pre_analysis} == {
        "documento": CheckStatus.OK,
        "cnae": CheckStatus.OK,
        "taxa": CheckStatus.OK,
    }
    permit = request.permit
    assert permit.mode == IssueMode.AUTOMATIC
    assert permit.valid_until == timezone.localdate() + dt.timedelta(days=365)
    assert Signature.objects.filter(document=permit.document).count() == 1
    body = permit.document.versions.order_by("-number").first().body
    assert f"ALVARÁ Nº {permit.number}" in body
    assert "4721-1/02" in body


def test_level_two_with_a_fee_waits_for_payment_then_for_the_terms(operation_kind, citizen, media_root):
    request = _submit(operation_kind, citizen, "4721-1/02")
    assert request.fee_amount == Decimal("90.00")
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == RequestStatus.NEEDS_FIX
    assert [check["code"] for check in request.pre_analysis if check["status"] == CheckStatus.PROBLEM] == [
        "taxa"
    ]
    # when: the payments module reports the guide paid (its handler), the job runs again
    fee_paid_handler(SimpleNamespace(reference=str(request.pk), paid_at=timezone.now()))
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == RequestStatus.TERMS_PENDING
    services.request_terms_accept(request=request, citizen=citizen)
    request.refresh_from_db()
    assert request.status == RequestStatus.ISSUED


def test_high_risk_goes_to_sema_and_the_sanitary_unit_in_parallel_then_licensing(
    operation_kind, citizen, media_root
):
    # given: a restaurant (5611-2/01): Aracaju overrides it to level III; MEI so no fee
    request = _submit(operation_kind, citizen, "5611-2/01", answers={"mei": "Sim"})
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    assert request.risk_level == "III"
    assert request.status == RequestStatus.IN_ANALYSIS
    opinions = list(request.opinions.select_related("unit").order_by("stage", "unit__acronym"))
    assert [(o.stage, o.unit.acronym, o.status) for o in opinions] == [
        (0, "SEMA", OpinionStatus.PENDING),
        (0, "SEMUS-VISA", OpinionStatus.PENDING),
        (1, "SEPLOG-ALV", OpinionStatus.WAITING),
    ]
    assert request.decision_due is not None
    sema_staff = User.objects.get(email="sema.licencas@aracaju.se.gov.br")
    visa_staff = User.objects.get(email="visa@aracaju.se.gov.br")
    licensing_staff = User.objects.get(email="alvaras@aracaju.se.gov.br")
    # a unit cannot give another unit's opinion
    with pytest.raises(ApplicationError):
        services.opinion_give(opinion=opinions[1], actor=sema_staff, is_favourable=True, text="ok")
    services.opinion_give(
        opinion=opinions[0], actor=sema_staff, is_favourable=True, text="Sem impacto ambiental."
    )
    services.opinion_give(
        opinion=opinions[1], actor=visa_staff, is_favourable=True, text="Boas práticas conferidas."
    )
    opinions[2].refresh_from_db()
    assert opinions[2].status == OpinionStatus.PENDING
    assert opinions[2].due is not None
    services.opinion_give(opinion=opinions[2], actor=licensing_staff, is_favourable=True, text="De acordo.")
    request.refresh_from_db()
    assert request.status == RequestStatus.READY
    permit = services.permit_issue(request=request, actor=licensing_staff, otp_token=otp(licensing_staff))
    assert permit.mode == IssueMode.STAFF
    assert Signature.objects.get(document=permit.document).signer == licensing_staff
    # suspension shows on /verificar/
    services.permit_status_set(
        permit=permit, actor=licensing_staff, status=PermitStatus.SUSPENDED, reason="Interdição temporária."
    )
    notes = document_verification_notes(document=permit.document)
    assert notes[0].level == "danger"
    assert "Suspenso" in notes[0].text
    assert "Interdição" in notes[0].text


def test_an_unfavourable_opinion_refuses_with_reasons_and_the_appeal_can_reverse_it(
    operation_kind, citizen, media_root
):
    request = _submit(operation_kind, citizen, "5611-2/01", answers={"mei": "Sim"})
    services.request_analyse(request_id=request.pk)
    sema = request.opinions.get(unit__acronym="SEMA")
    services.opinion_give(
        opinion=sema,
        actor=User.objects.get(email="sema.licencas@aracaju.se.gov.br"),
        is_favourable=False,
        text="Falta caixa de gordura.",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    assert request.refusal_reasons == "SEMA: Falta caixa de gordura."
    # the opinions not given end with the refusal, and the page says so (not "waiting")
    closed = {o.unit.acronym: (o.status, o.due) for o in request.opinions.select_related("unit")}
    assert closed == {
        "SEMA": (OpinionStatus.UNFAVOURABLE, sema.due),
        "SEMUS-VISA": (OpinionStatus.CLOSED, None),
        "SEPLOG-ALV": (OpinionStatus.CLOSED, None),
    }
    assert OpinionStatus.CLOSED.label == "Encerrado sem parecer: o pedido foi indeferido"
    services.request_appeal(request=request, citizen=citizen, text="Instalei a caixa de gordura; foto anexa.")
    with pytest.raises(ApplicationError):
        services.request_appeal(request=request, citizen=citizen, text="de novo")
    licensing = User.objects.get(email="alvaras@aracaju.se.gov.br")
    services.appeal_decide(
        request=request,
        actor=licensing,
        is_granted=True,
        text="Comprovada a adequação.",
        otp_token=otp(licensing),
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.ISSUED


def test_tacit_approval_issues_the_permit_when_the_deadline_runs_out(operation_kind, citizen, media_root):
    request = _submit(operation_kind, citizen, "5611-2/01", answers={"mei": "Sim"})
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    assert services.tacit_approvals_run(today=request.decision_due) == 0
    assert services.tacit_approvals_run(today=request.decision_due + dt.timedelta(days=1)) == 1
    assert services.tacit_approvals_run(today=request.decision_due + dt.timedelta(days=1)) == 0
    request.refresh_from_db()
    assert request.status == RequestStatus.ISSUED
    assert request.permit.mode == IssueMode.TACIT


def test_bad_input_is_refused_in_portuguese_and_nothing_is_saved(operation_kind, citizen, media_root):
    before = Case.objects.count()
    with pytest.raises(ApplicationError, match="CNPJ inválido"):
        _submit(operation_kind, citizen, "4781-4/00", answers={"cpf_cnpj": BAD_CNPJ})
    with pytest.raises(ApplicationError, match="CNAE inexistente: 9999-9/99"):
        _submit(operation_kind, citizen, "9999-9/99")
    with pytest.raises(ApplicationError, match="não é um PDF válido"):
        _submit(
            operation_kind,
            citizen,
            "4781-4/00",
            uploads=[upload("x.pdf", b"%PDF-1.4 broken", "Comprovante de endereço")],
        )
    assert Case.objects.count() == before
    assert PermitRequest.objects.count() == 0


def test_pre_analysis_flags_problems_per_file_and_classifies_files_sent_together(
    operation_kind, citizen, media_root
):
    old = (timezone.localdate() - dt.timedelta(days=200)).strftime("%d/%m/%Y")
    files = [
        upload("documentos-1.pdf", text_pdf("Contrato social da empresa, clausula primeira.")),
        upload("conta de energia.pdf", text_pdf(f"Fatura de energia emitida em {old}.")),
        upload("digitalizado.pdf", text_pdf("")),
    ]
    request = _submit(operation_kind, citizen, "4721-1/02", answers={"mei": "Sim"}, uploads=files)
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == RequestStatus.NEEDS_FIX
    by_name = {f.attachment.original_name: f for f in request.files.select_related("item", "attachment")}
    assert by_name["documentos-1.pdf"].item.name == "Contrato social ou certificado MEI"
    assert by_name["documentos-1.pdf"].classified_by == ClassifiedBy.RULE
    assert by_name["conta de energia.pdf"].item.name == "Comprovante de endereço"
    assert by_name["conta de energia.pdf"].result == CheckStatus.PROBLEM
    assert "há 200 dias" in by_name["conta de energia.pdf"].checks[0]["message"]
    assert by_name["digitalizado.pdf"].item is None
    # staff correct the scan's match: counted as a correction only when it overrides a rule
    licensing = User.objects.get(email="alvaras@aracaju.se.gov.br")
    corrected = services.request_file_classify(
        request_file=by_name["documentos-1.pdf"], actor=licensing, item=by_name["conta de energia.pdf"].item
    )
    assert corrected.is_corrected is True
    # the requester replaces the old bill: only the new one counts
    services.request_files_replace(
        request=request,
        citizen=citizen,
        uploads=[
            upload(
                "nova-conta.pdf", text_pdf(f"Conta de energia emitida em {TODAY}."), "Comprovante de endereço"
            )
        ],
    )
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    current = {
        f.attachment.original_name for f in request.files.filter(is_current=True).select_related("attachment")
    }
    assert "conta de energia.pdf" not in current
    assert "nova-conta.pdf" in current


def test_the_managers_figures_come_from_the_daily_aggregates(operation_kind, citizen, media_root):
    from tenant_apps.insights.aggregation import days_recompute
    from tenant_apps.insights.selectors import Period, Scope
    from tenant_apps.permits.indicators import permit_summary

    request = _submit(operation_kind, citizen, "4721-1/02", answers={"mei": "Sim"}, accept_terms=True)
    services.request_analyse(request_id=request.pk)
    high = _submit(operation_kind, citizen, "5611-2/01", answers={"mei": "Sim"})
    services.request_analyse(request_id=high.pk)
    sema = high.opinions.get(unit__acronym="SEMA")
    services.opinion_give(
        opinion=sema,
        actor=User.objects.get(email="sema.licencas@aracaju.se.gov.br"),
        is_favourable=True,
        text="Ok",
    )
    today = timezone.localdate()
    days_recompute(first=today, last=today)
    figures = permit_summary(Scope(unit_ids=None, label="cidade"), Period(today, today))
    rows = {(row["kind"], row["risk_level"]): row for row in figures["kinds"]}
    assert rows[("Alvará de funcionamento", "II")] == {
        "kind_code": "alvara-funcionamento",
        "kind": "Alvará de funcionamento",
        "risk_level": "II",
        "requested": 1,
        "issued": 1,
        "auto_issued": 1,
        "auto_share": 100.0,
        "tacit": 0,
        "refused": 0,
        "exempted": 0,
        "p50": 0,
        "p90": 0,
    }
    assert rows[("Alvará de funcionamento", "III")]["requested"] == 1
    assert rows[("Alvará de funcionamento", "III")]["issued"] == 0
    # the unit that gave its opinion, and the one still waiting, as on the `alvaras-pareceres` chart
    assert {row["unit"]: (row["waiting"], row["decided"]) for row in figures["units"]} == {
        "SEMA": (0, 1),
        "SEMUS-VISA": (1, 0),
    }
    assert (figures["requested"], figures["issued"], figures["auto_share"]) == (2, 1, 100.0)
    assert (figures["tacit"], figures["refused"], figures["p50"]) == (0, 0, 0)
    assert figures["baseline_days"] == 60
    # the managers' permits page shows these figures (one owner), linking to the charts' period
    from django_tenants.utils import schema_context

    from tests.conftest import client_for

    with schema_context("public"):
        municipality = Municipality.objects.get(slug="aracaju")
    page = client_for("admin", municipality).get("/staff/alvaras/indicadores/").content.decode()
    assert "Aprovações tácitas" in page
    assert "<td>SEMUS-VISA</td><td>1</td><td>0</td>" in page
    assert "2 pedidos" in page
    assert "#grafico-alvaras" in page
