"""The permits' own notification texts (editable in the notifications module): requested, missing or
incorrect item, terms pending, in analysis, opinion requested (to the unit's staff), issued,
refused, appeal decided, suspended/revoked/reinstated, renewal reminder and the tacit-approval
countdown, in place of the case engine's generic texts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tenant_apps.accounts.models import User
from tenant_apps.notifications.defaults import DEFAULT_TEMPLATES, TEMPLATE_LABELS
from tenant_apps.notifications.enums import Channel
from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.services import notification_template_save, render_text
from tenant_apps.permits import services
from tenant_apps.permits.enums import PermitStatus, RequestStatus
from tenant_apps.permits.models import PermitRequest
from tenant_apps.workdays.selectors import BusinessCalendar

from .conftest import operation_answers, operation_files

TODAY = timezone.localdate().strftime("%d/%m/%Y")
PERMIT_KEYS = (
    "permit_requested",
    "permit_needs_fix",
    "permit_terms_pending",
    "permit_in_analysis",
    "permit_opinion_requested",
    "permit_issued",
    "permit_refused",
    "permit_appeal_decided",
    "permit_status_changed",
    "permit_renewal_reminder",
    "permit_tacit_countdown",
)
GENERIC_CASE_KEYS = {"case_opened", "case_updated", "case_closed"}


def _submit(kind: Any, citizen: User, cnae: str, *, uploads: Any = None, **answers: str) -> PermitRequest:
    return services.permit_request_submit(
        kind=kind,
        citizen=citizen,
        form_data=operation_answers(cnae, **answers),
        uploads=operation_files(today_text=TODAY) if uploads is None else uploads,
        accept_terms=False,
    )


def _sent(request: PermitRequest, *, recipient: User, channel: str = Channel.EMAIL) -> list[Notification]:
    return list(
        Notification.objects.filter(
            subject_kind="case", subject_id=request.case_id, recipient=recipient, channel=channel
        ).order_by("id")
    )


def _keys(request: PermitRequest, recipient: User) -> list[str]:
    return [item.template_key for item in _sent(request, recipient=recipient)]


def test_every_permit_text_is_editable_and_renders(in_aracaju):
    context = {
        "recipient_name": "Maria",
        "nup": "00001.000001/2026-01",
        "kind_name": "Alvará de funcionamento",
        "risk_label": "Nível III — alto risco",
        "link": "https://aracaju.localhost/alvaras/pedidos/1/",
        "municipality_name": "Prefeitura de Aracaju",
        "number": "ALV-2026-000001",
        "decision_due": dt.date(2026, 3, 2),
        "valid_until": dt.date(2027, 3, 2),
        "renew_link": "https://aracaju.localhost/alvaras/solicitar/alvara-funcionamento/",
    }
    for key in PERMIT_KEYS:
        assert key in TEMPLATE_LABELS
        texts = DEFAULT_TEMPLATES[key]
        for field in ("subject", "email_body", "sms_body"):
            rendered = render_text(source=texts[field], context=context)
            assert rendered.strip()
            assert "{{" not in rendered
        assert len(render_text(source=texts["sms_body"], context=context)) <= 320
    assert "02/03/2026" in render_text(
        source=DEFAULT_TEMPLATES["permit_in_analysis"]["email_body"], context=context
    )


def test_a_refused_high_risk_request_tells_the_requester_and_the_units_in_permit_words(
    operation_kind, citizen, media_root
):
    request = _submit(operation_kind, citizen, "5611-2/01", mei="Sim")
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_ANALYSIS
    received, analysis = _sent(request, recipient=citizen)
    assert received.template_key == "permit_requested"
    assert received.subject == f"Pedido de Alvará de funcionamento recebido: {request.case.nup}"
    assert "Nível III — alto risco" in received.body
    assert f"/alvaras/pedidos/{request.pk}/" in received.body
    assert analysis.template_key == "permit_in_analysis"
    assert "SEMA" in analysis.body
    assert "SEMUS-VISA" in analysis.body
    assert request.decision_due.strftime("%d/%m/%Y") in analysis.subject
    assert "aprovado tacitamente" in analysis.body
    # the units of the first stage are asked, in their inbox, with the due date; not the next stage
    sema_staff = User.objects.get(email="sema.licencas@aracaju.se.gov.br")
    licensing = User.objects.get(email="alvaras@aracaju.se.gov.br")
    [asked] = _sent(request, recipient=sema_staff, channel=Channel.INBOX)
    assert asked.template_key == "permit_opinion_requested"
    opinion = request.opinions.get(unit__acronym="SEMA")
    assert asked.subject.startswith("Parecer pedido à SEMA")
    assert opinion.due.strftime("%d/%m/%Y") in asked.body
    assert asked.link_url == f"/staff/alvaras/{request.pk}/"
    assert "permit_opinion_requested" not in [
        item.template_key for item in _sent(request, recipient=licensing, channel=Channel.INBOX)
    ]

    services.opinion_give(
        opinion=opinion, actor=sema_staff, is_favourable=False, text="Falta licença ambiental."
    )
    refused = _sent(request, recipient=citizen)[-1]
    assert refused.template_key == "permit_refused"
    assert "SEMA: Falta licença ambiental." in refused.body
    assert "recorrer" in refused.body

    services.request_appeal(request=request, citizen=citizen, text="Tenho a licença.")
    services.appeal_decide(
        request=request, actor=licensing, is_granted=False, text="Licença vencida.", otp_token=""
    )
    decided = _sent(request, recipient=citizen)[-1]
    assert decided.template_key == "permit_appeal_decided"
    assert decided.subject == f"Recurso do pedido {request.case.nup}: não provido"
    assert "Licença vencida." in decided.body
    # none of the case engine's generic texts went to the requester
    assert not GENERIC_CASE_KEYS & set(_keys(request, citizen))


def test_missing_items_terms_issue_status_and_renewal(operation_kind, citizen, media_root):
    # a level II request without the address proof: the notice lists what to fix
    request = _submit(
        operation_kind, citizen, "4721-1/02", mei="Sim", uploads=operation_files(today_text=TODAY)[:1]
    )
    services.request_analyse(request_id=request.pk)
    fix = _sent(request, recipient=citizen)[-1]
    assert fix.template_key == "permit_needs_fix"
    assert "- Falta o documento “Comprovante de endereço”." in fix.body
    # complete: the terms are asked, then the permit is issued automatically
    request = _submit(operation_kind, citizen, "4721-1/02", mei="Sim")
    services.request_analyse(request_id=request.pk)
    assert _sent(request, recipient=citizen)[-1].template_key == "permit_terms_pending"
    services.request_terms_accept(request=request, citizen=citizen)
    request.refresh_from_db()
    permit = request.permit
    issued = _sent(request, recipient=citizen)[-1]
    assert issued.template_key == "permit_issued"
    assert issued.subject == f"Alvará {permit.number} emitido ({request.case.nup})"
    assert f"nº {permit.number} foi emitido (automaticamente, atividade de médio risco)" in issued.body
    assert permit.document.verification_code in issued.body
    assert permit.valid_until.strftime("%d/%m/%Y") in issued.body
    # suspended with a reason, then the renewal reminder near the end of validity
    licensing = User.objects.get(email="alvaras@aracaju.se.gov.br")
    services.permit_status_set(
        permit=permit, actor=licensing, status=PermitStatus.SUSPENDED, reason="Interdição da vigilância."
    )
    changed = _sent(request, recipient=citizen)[-1]
    assert changed.template_key == "permit_status_changed"
    assert changed.subject == f"Alvará {permit.number}: suspenso"
    assert "Motivo: Interdição da vigilância." in changed.body
    services.permit_status_set(
        permit=permit, actor=licensing, status=PermitStatus.VALID, reason="Regularizado."
    )
    assert (
        services.renewal_reminders_run(days_before=30, today=permit.valid_until - dt.timedelta(days=10)) == 1
    )
    reminder = _sent(request, recipient=citizen)[-1]
    assert reminder.template_key == "permit_renewal_reminder"
    assert "/alvaras/solicitar/alvara-funcionamento/" in reminder.body
    assert not GENERIC_CASE_KEYS & set(_keys(request, citizen))


def test_the_exemption_declaration_and_an_edited_text(operation_kind, citizen, media_root):
    notification_template_save(
        key="permit_issued",
        subject="Documento {{ number }} pronto",
        email_body="{{ recipient_name }}, baixe em {{ link }}.",
        sms_body="{{ number }} {{ link }}",
    )
    request = _submit(operation_kind, citizen, "4781-4/00")
    request.refresh_from_db()
    assert request.status == RequestStatus.EXEMPT
    [issued] = _sent(request, recipient=citizen)
    assert issued.template_key == "permit_issued"
    assert issued.subject == f"Documento {request.permit.number} pronto"


def test_the_tacit_approval_countdown_is_sent_once(operation_kind, citizen, media_root):
    request = _submit(operation_kind, citizen, "5611-2/01", mei="Sim")
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    calendar = BusinessCalendar()
    too_early = request.decision_due - dt.timedelta(days=20)
    assert services.tacit_countdown_notices_run(today=too_early) == 0
    day = request.decision_due
    while calendar.business_days_between(day, request.decision_due) < 3:
        day -= dt.timedelta(days=1)
    assert services.tacit_countdown_notices_run(today=day) == 1
    assert services.tacit_countdown_notices_run(today=day) == 0
    notice = _sent(request, recipient=citizen)[-1]
    assert notice.template_key == "permit_tacit_countdown"
    assert notice.subject == f"Pedido {request.case.nup}: 3 dia(s) útil(eis) para a decisão"
    assert request.decision_due.strftime("%d/%m/%Y") in notice.body


@pytest.mark.parametrize("key", PERMIT_KEYS)
def test_a_broken_edit_is_refused_and_nothing_is_saved(in_aracaju, key):
    from paco.errors import ApplicationError
    from tenant_apps.notifications.models import NotificationTemplate

    with pytest.raises(ApplicationError):
        notification_template_save(key=key, subject="{% if %}", email_body="x", sms_body="y")
    assert not NotificationTemplate.objects.filter(key=key).exists()
