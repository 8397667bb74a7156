"""Writes on cases. Each service locks the case row, appends to its history and notifies everyone."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import AccessDenied, ApplicationError
from paco.schemas import current_tenant
from paco.text import text_fold
from paco.usage import usage_record
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.catalog.enums import DeadlineKind
from tenant_apps.catalog.models import Service
from tenant_apps.catalog.request_form import form_data_clean, form_data_text
from tenant_apps.documents.enums import AccessLevel, DocumentKind
from tenant_apps.documents.models import Document
from tenant_apps.documents.numbering import sequence_next
from tenant_apps.documents.services import attachment_store, document_create
from tenant_apps.documents.uploads import Upload
from tenant_apps.notifications.enums import Channel, SubjectKind
from tenant_apps.notifications.services import notification_queue, notification_queue_bulk
from tenant_apps.org.models import Membership, OrgUnit
from tenant_apps.org.selectors import unit_member_user_ids, user_managed_unit_ids, user_unit_ids
from tenant_apps.signatures.enums import SignatureLevel
from tenant_apps.signatures.services import signature_sign
from tenant_apps.workdays.selectors import BusinessCalendar
from tenants.selectors import municipality_base_url

from .enums import APPOINTMENT_EVENT_KINDS, CaseChannel, CaseStatus, EventKind
from .history import event_append
from .models import Case, CaseDocument, CaseMove, Dispatch, InformationRequest
from .nup import nup_format
from .selectors import case_user_can_act

logger = logging.getLogger(__name__)

PERSONAL_DATA_BASIS = "Informação pessoal (Lei 12.527/2011, art. 31; Lei 13.709/2018)"


def nup_digits(*, nup: str) -> str:
    return "".join(ch for ch in nup if ch.isdigit())


def case_url(*, case: Case) -> str:
    path = reverse("cases:citizen_case", kwargs={"nup": nup_digits(nup=case.nup)})
    return f"{municipality_base_url(current_tenant())}{path}"


def staff_case_url(*, case: Case) -> str:
    path = reverse("cases:staff_case", kwargs={"nup": nup_digits(nup=case.nup)})
    return f"{municipality_base_url(current_tenant())}{path}"


def deadline_compute(*, service: Service, start: dt.date) -> dt.date:
    calendar = BusinessCalendar()
    if service.deadline_kind == DeadlineKind.CALENDAR_DAYS:
        return calendar.add_calendar_days(start, service.deadline_days)
    return calendar.add_business_days(start, service.deadline_days)


def _search_refresh(case: Case) -> None:
    answers = " ".join(str(value) for value in case.form_data.values())
    text = text_fold(f"{case.nup} {case.subject} {case.description} {answers} {case.final_answer}")
    Case.objects.filter(pk=case.pk).update(search_vector=SearchVector(Value(text), config="portuguese"))


def _touch(case: Case, *fields: str) -> None:
    case.last_event_at = timezone.now()
    case.save(update_fields=[*fields, "last_event_at", "updated_at"])


def _notify_citizen(case: Case, template_key: str, **context: Any) -> None:
    if case.citizen is None:
        return
    notification_queue(
        template_key=template_key,
        context={"case": case, "municipality_name": current_tenant().display_name, **context},
        recipient=case.citizen,
        channels=(Channel.EMAIL,),
        link_url=case_url(case=case),
        subject_kind=SubjectKind.CASE,
        subject_id=case.pk,
    )


def _notify_unit(
    case: Case, unit: OrgUnit, event_summary: str, *, exclude_user_id: int | None = None
) -> None:
    """Everyone working in the unit today gets it in their inbox (and in the e-mail digest)."""
    member_ids = unit_member_user_ids(unit_ids=[unit.pk]) - {exclude_user_id}
    notification_queue_bulk(
        template_key="unit_inbox",
        context={"case": case, "unit": unit, "event_summary": event_summary},
        recipients=list(User.objects.filter(pk__in=member_ids, is_active=True).order_by("pk")),
        channels=(Channel.INBOX,),
        link_url=staff_case_url(case=case),
        subject_kind=SubjectKind.CASE,
        subject_id=case.pk,
    )


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("service", "current_unit", "citizen")
        .get(pk=case.pk)
    )


def _require_actor(actor: User, case: Case) -> None:
    if getattr(actor, "kind", None) != UserKind.STAFF or not case_user_can_act(user=actor, case=case):
        raise AccessDenied(_("Só servidores da unidade onde o protocolo está podem movimentá-lo."))


def _require_open(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise ApplicationError(_("Este protocolo está concluído. Reabra-o para movimentar."))


def _attach(
    case: Case,
    *,
    uploads: Sequence[Upload],
    actor: User | None,
    unit: OrgUnit,
    title: str,
    is_public: bool = True,
) -> Document | None:
    if not uploads:
        return None
    document = document_create(
        kind=DocumentKind.ATTACHMENT,
        unit=unit,
        title=title,
        body=title,
        author=actor,
        access_level=AccessLevel.RESTRICTED,
        legal_basis=PERSONAL_DATA_BASIS,
    )
    for upload in uploads:
        attachment_store(
            file=upload.file, name=upload.name, label=upload.label, uploaded_by=actor, document=document
        )
    CaseDocument.objects.create(case=case, document=document, added_by=actor, is_public=is_public)
    return document


def _resumed_summary(paused_days: int) -> str:
    if paused_days == 0:
        return "Requerente respondeu; prazo retomado"
    if paused_days == 1:
        return "Requerente respondeu; prazo retomado e estendido em 1 dia útil"
    return f"Requerente respondeu; prazo retomado e estendido em {paused_days} dias úteis"


def case_open(
    *,
    service: Service,
    opened_by: User,
    form_data: dict[str, Any],
    subject: str = "",
    description: str = "",
    uploads: Sequence[Upload] = (),
    channel: str = CaseChannel.PORTAL,
    citizen: User | None = None,
    notify_citizen: bool = True,
    notify_unit: bool = True,
) -> Case:
    """Open a case: NUP number (gapless per unit and year), deadline, request document, history.

    A citizen opens their own case from a public service; staff may open one on a citizen's
    behalf (balcão) from any active service. Missing required attachments refuse the request.

    The unit's NUP counter is a row lock held until the transaction that took the number ends, so
    every opening in the unit waits for it. Called outside any transaction (the portal, the API,
    the balcão), the number and the case row commit first, in a transaction of their own (the
    lock is held for those two statements only), and the request document, history, search text
    and notifications follow in a second one: numbers stay gapless (a number is only ever used by
    a committed case) and openings in one unit run side by side. Inside a caller's transaction,
    or with uploads (a file refused by its content must leave nothing behind), it is one
    transaction as before.
    """
    if not service.is_active or (opened_by.kind == UserKind.CITIZEN and not service.is_public):
        raise ApplicationError(_("Este serviço não está disponível para abertura de protocolo."))
    if opened_by.kind == UserKind.CITIZEN:
        citizen = opened_by
    cleaned = form_data_clean(service, form_data)
    required = [item.name for item in service.required_attachments.all() if item.is_required]
    given = {upload.label for upload in uploads}
    missing = [name for name in required if name not in given]
    if missing:
        raise ApplicationError(
            _("Anexe os documentos obrigatórios: %(join_missing)s.") % {"join_missing": ", ".join(missing)},
            extra={"field": "uploads"},
        )
    unit = service.unit
    opening_unit = unit
    if opened_by.kind == UserKind.STAFF:
        own_units = user_unit_ids(opened_by)
        opening_unit = OrgUnit.objects.get(pk=own_units[0]) if own_units else unit
    # Everything the case row needs is read before the counter is locked.
    deadline = deadline_compute(service=service, start=timezone.localdate())
    fields: dict[str, Any] = {
        "service": service,
        "subject": (subject or service.name).strip()[:300],
        "description": description.strip(),
        "form_data": cleaned,
        "channel": channel,
        "citizen": citizen,
        "opened_by": opened_by,
        "opening_unit": opening_unit,
        "current_unit": unit,
        "status": CaseStatus.NEW,
        "deadline": deadline,
    }
    if uploads or transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            case = _case_number_and_insert(unit, fields)
            _case_open_complete(case, service, opened_by, uploads, notify_citizen, notify_unit)
        return case
    with transaction.atomic():
        case = _case_number_and_insert(unit, fields)  # the counter lock ends at this commit
    try:
        with transaction.atomic():
            _case_open_complete(case, service, opened_by, uploads, notify_citizen, notify_unit)
    except Exception:
        logger.exception("case %s was numbered but its opening did not complete", case.nup)
        raise
    return case


def _case_number_and_insert(unit: OrgUnit, fields: dict[str, Any]) -> Case:
    """The critical path: take the unit's next NUP (row lock until commit) and insert the case."""
    now = timezone.now()
    year = timezone.localdate().year
    sequence = sequence_next(f"nup:{unit.code}:{year}")
    return Case.objects.create(
        nup=nup_format(unit.code, sequence, year), opened_at=now, last_event_at=now, **fields
    )


def _case_open_complete(
    case: Case,
    service: Service,
    opened_by: User,
    uploads: Sequence[Upload],
    notify_citizen: bool,
    notify_unit: bool,
) -> None:
    """Everything after the number: search text, notices, then the request document (whose own
    gapless number is the unit's other counter lock, so it comes last), attachments, history."""
    unit = case.current_unit
    # The case is visible once numbered: its row lock keeps anyone acting on it until it is complete.
    list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True))
    _search_refresh(case)
    if notify_citizen:  # a module that sends its own confirmation (scheduling) names the NUP there
        _notify_citizen(case, "case_opened")
    if notify_unit:  # scheduling: the attendants see the booking in their agenda instead
        _notify_unit(case, unit, "novo protocolo")
    usage_record(metric="cases", key=f"case:{case.pk}")
    receipt = (
        f"Comprovante de protocolo {case.nup}\n"
        f"Serviço: {service.name} — {unit.name} ({unit.acronym})\n"
        f"Aberto em: {timezone.localtime(case.opened_at):%d/%m/%Y %H:%M}\n"
        f"Prazo para resposta: {case.deadline:%d/%m/%Y} ({service.deadline_days} "
        f"{service.get_deadline_kind_display()})\n"
        f"Acompanhe em: {case_url(case=case)}"
    )
    body = "\n\n".join(
        part
        for part in (receipt, case.subject, case.description, form_data_text(service, case.form_data))
        if part
    )
    request_document = document_create(
        kind=DocumentKind.REQUEST,
        unit=unit,
        title=f"Requerimento {case.nup} — {service.name}",
        body=body,
        author=opened_by,
        access_level=AccessLevel.RESTRICTED,
        legal_basis=PERSONAL_DATA_BASIS,
    )
    CaseDocument.objects.create(case=case, document=request_document, added_by=opened_by)
    for upload in uploads:
        attachment_store(
            file=upload.file,
            name=upload.name,
            label=upload.label,
            uploaded_by=opened_by,
            document=request_document,
        )
    event_append(
        case=case,
        kind=EventKind.OPENED,
        actor=opened_by,
        unit=unit,
        summary=f"Protocolo aberto: {service.name}. Encaminhado à {unit.acronym}.",
        payload={
            "service": service.code,
            "unit": unit.acronym,
            "deadline": case.deadline.isoformat(),
            "request_document": request_document.verification_code,
            "attachments": len(uploads),
        },
    )


def _document_sign(*, document: Document, actor: User, otp_token: str = "") -> None:
    """Dispatches and final answers are signed by whoever writes them through `tenant_apps.signatures`
    (a PAdES signature on the document's PDF, Lei 14.063/2020 art. 4º): simple by default, advanced
    when the second-factor code is given; the minimum level set for the kind is enforced there."""
    signature_sign(
        document=document,
        signer=actor,
        level=SignatureLevel.ADVANCED if otp_token else SignatureLevel.SIMPLE,
        otp_token=otp_token,
    )


@transaction.atomic
def case_dispatch(
    *,
    case: Case,
    actor: User,
    text: str,
    is_public: bool = True,
    otp_token: str = "",
    notify_citizen: bool = True,
) -> Dispatch:
    """A dispatch on the case. `notify_citizen=False`: a module that sends its own notice (permits)."""
    case = _lock(case)
    _require_actor(actor, case)
    _require_open(case)
    if not text.strip():
        raise ApplicationError(_("Escreva o despacho."), extra={"field": "text"})
    document = document_create(
        kind=DocumentKind.DISPATCH,
        unit=case.current_unit,
        title=f"Despacho no protocolo {case.nup}",
        body=text,
        author=actor,
        access_level=AccessLevel.RESTRICTED,
        legal_basis=PERSONAL_DATA_BASIS,
    )
    dispatch = Dispatch.objects.create(
        case=case, unit=case.current_unit, author=actor, text=text.strip(), document=document
    )
    _document_sign(document=document, actor=actor, otp_token=otp_token)
    CaseDocument.objects.create(case=case, document=document, added_by=actor, is_public=is_public)
    if case.status == CaseStatus.NEW:
        case.status = CaseStatus.IN_PROGRESS
    _touch(case, "status")
    event_append(
        case=case,
        kind=EventKind.DISPATCHED,
        actor=actor,
        unit=case.current_unit,
        is_public=is_public,
        summary=f"Despacho da {case.current_unit.acronym}",
        payload={"text": text.strip(), "document": document.verification_code},
    )
    if is_public and notify_citizen:
        _notify_citizen(case, "case_updated", event_summary=f"despacho da {case.current_unit.acronym}")
    return dispatch


@transaction.atomic
def case_forward(*, case: Case, actor: User, to_unit: OrgUnit, note: str = "") -> CaseMove:
    case = _lock(case)
    _require_actor(actor, case)
    _require_open(case)
    if to_unit.pk == case.current_unit_id:
        raise ApplicationError(_("O protocolo já está nesta unidade."), extra={"field": "to_unit"})
    if not to_unit.is_active:
        raise ApplicationError(_("Esta unidade está inativa."), extra={"field": "to_unit"})
    from_unit = case.current_unit
    move = CaseMove.objects.create(
        case=case, from_unit=from_unit, to_unit=to_unit, note=note.strip(), moved_by=actor
    )
    case.current_unit = to_unit
    case.assigned_to = None
    if case.status == CaseStatus.NEW:
        case.status = CaseStatus.IN_PROGRESS
    _touch(case, "current_unit", "assigned_to", "status")
    event_append(
        case=case,
        kind=EventKind.FORWARDED,
        actor=actor,
        unit=from_unit,
        summary=f"Tramitado da {from_unit.acronym} para a {to_unit.acronym}",
        payload={"from": from_unit.acronym, "to": to_unit.acronym, "note": note.strip()},
    )
    _notify_citizen(case, "case_updated", event_summary=f"encaminhado para a {to_unit.acronym}")
    _notify_unit(case, to_unit, f"tramitado pela {from_unit.acronym}", exclude_user_id=actor.pk)
    return move


@transaction.atomic
def case_assign(*, case: Case, actor: User, assignee: User) -> Case:
    """A unit manager gives the case to one of the unit's staff."""
    case = _lock(case)
    if case.current_unit_id not in user_managed_unit_ids(actor):
        raise AccessDenied(_("Só o gestor da unidade pode atribuir protocolos."))
    if not Membership.objects.filter(user=assignee, unit_id=case.current_unit_id).exists():
        raise ApplicationError(
            _("O servidor escolhido não é lotado nesta unidade."), extra={"field": "assignee"}
        )
    case.assigned_to = assignee
    _touch(case, "assigned_to")
    event_append(
        case=case,
        kind=EventKind.ASSIGNED,
        actor=actor,
        unit=case.current_unit,
        is_public=False,
        summary=f"Atribuído a {assignee.full_name}",
        payload={"assignee": assignee.pk},
    )
    return case


@transaction.atomic
def case_request_information(*, case: Case, actor: User, question: str) -> InformationRequest:
    """Ask the citizen for more information; the deadline clock stops until they answer."""
    case = _lock(case)
    _require_actor(actor, case)
    _require_open(case)
    if case.citizen is None:
        raise ApplicationError(_("Este protocolo não tem requerente identificado para responder."))
    if case.status == CaseStatus.WAITING_CITIZEN:
        raise ApplicationError(_("Já há um pedido de informações aguardando resposta."))
    if not question.strip():
        raise ApplicationError(_("Escreva o que o cidadão precisa informar."), extra={"field": "question"})
    request = InformationRequest.objects.create(case=case, question=question.strip(), requested_by=actor)
    case.status = CaseStatus.WAITING_CITIZEN
    case.paused_since = timezone.now()
    _touch(case, "status", "paused_since")
    event_append(
        case=case,
        kind=EventKind.INFORMATION_REQUESTED,
        actor=actor,
        unit=case.current_unit,
        summary="Informações solicitadas ao requerente; prazo suspenso",
        payload={"question": question.strip()},
    )
    _notify_citizen(case, "case_information_requested", question=question.strip())
    return request


@transaction.atomic
def case_answer_information(
    *, case: Case, citizen: User | None, answer: str, uploads: Sequence[Upload] = ()
) -> InformationRequest:
    """The citizen answers; the deadline moves forward by the business days the clock was stopped.

    `citizen` is the case's own (None for a case without one: an anonymous manifestation)."""
    case = _lock(case)
    if case.citizen_id != (citizen.pk if citizen is not None else None):
        raise AccessDenied
    pending = case.information_requests.filter(answered_at__isnull=True).order_by("created_at").first()
    if case.status != CaseStatus.WAITING_CITIZEN or pending is None:
        raise ApplicationError(_("Não há pedido de informações aguardando resposta neste protocolo."))
    if not answer.strip() and not uploads:
        raise ApplicationError(_("Escreva a resposta ou anexe um documento."), extra={"field": "answer"})
    now = timezone.now()
    pending.answer = answer.strip()
    pending.answered_at = now
    pending.answered_by = citizen
    pending.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
    _attach(
        case,
        uploads=uploads,
        actor=citizen,
        unit=case.current_unit,
        title=f"Resposta do requerente — {case.nup}",
    )
    paused_from = timezone.localdate(case.paused_since) if case.paused_since else timezone.localdate(now)
    paused_days = BusinessCalendar().business_days_between(paused_from, timezone.localdate(now))
    case.deadline = (
        BusinessCalendar().add_business_days(case.deadline, paused_days) if paused_days else case.deadline
    )
    case.paused_since = None
    case.status = CaseStatus.IN_PROGRESS
    _touch(case, "deadline", "paused_since", "status")
    event_append(
        case=case,
        kind=EventKind.INFORMATION_ANSWERED,
        actor=citizen,
        unit=case.current_unit,
        summary=_resumed_summary(paused_days),
        payload={
            "answer": answer.strip(),
            "attachments": len(uploads),
            "paused_business_days": paused_days,
            "deadline": case.deadline.isoformat(),
        },
    )
    _notify_unit(case, case.current_unit, "o requerente respondeu")
    return pending


@transaction.atomic
def case_attach(*, case: Case, actor: User, uploads: Sequence[Upload], is_public: bool = True) -> Document:
    case = _lock(case)
    _require_actor(actor, case)
    _require_open(case)
    if not uploads:
        raise ApplicationError(_("Escolha ao menos um arquivo."), extra={"field": "uploads"})
    document = _attach(
        case,
        uploads=uploads,
        actor=actor,
        unit=case.current_unit,
        title=f"Documentos juntados — {case.nup}",
        is_public=is_public,
    )
    if document is None:  # pragma: no cover - uploads were checked above
        raise ApplicationError(_("Escolha ao menos um arquivo."), extra={"field": "uploads"})
    _touch(case)
    event_append(
        case=case,
        kind=EventKind.ATTACHED,
        actor=actor,
        unit=case.current_unit,
        is_public=is_public,
        summary=f"{len(uploads)} documento(s) juntado(s)",
        payload={"document": document.verification_code, "files": [upload.name for upload in uploads]},
    )
    return document


@transaction.atomic
def case_close(
    *, case: Case, actor: User, answer: str, otp_token: str = "", notify_citizen: bool = True
) -> Case:
    """Close with the final answer. `notify_citizen=False`: a module that sends its own notice."""
    case = _lock(case)
    _require_actor(actor, case)
    _require_open(case)
    if not answer.strip():
        raise ApplicationError(_("Escreva a resposta final ao requerente."), extra={"field": "answer"})
    document = document_create(
        kind=DocumentKind.ANSWER,
        unit=case.current_unit,
        title=f"Resposta final — {case.nup}",
        body=answer,
        author=actor,
        access_level=AccessLevel.RESTRICTED,
        legal_basis=PERSONAL_DATA_BASIS,
    )
    CaseDocument.objects.create(case=case, document=document, added_by=actor)
    _document_sign(document=document, actor=actor, otp_token=otp_token)
    case.status = CaseStatus.CLOSED
    case.final_answer = answer.strip()
    case.closed_at = timezone.now()
    case.paused_since = None
    _touch(case, "status", "final_answer", "closed_at", "paused_since")
    event_append(
        case=case,
        kind=EventKind.CLOSED,
        actor=actor,
        unit=case.current_unit,
        summary=f"Concluído pela {case.current_unit.acronym}",
        payload={"answer": answer.strip(), "document": document.verification_code},
    )
    _search_refresh(case)
    if notify_citizen:
        _notify_citizen(case, "case_closed")
    return case


@transaction.atomic
def case_reopen(*, case: Case, actor: User, reason: str, notify_citizen: bool = True) -> Case:
    """Reopen a closed case. `notify_citizen=False`: a module that sends its own notice."""
    case = _lock(case)
    _require_actor(actor, case)
    if case.status != CaseStatus.CLOSED:
        raise ApplicationError(_("Só protocolos concluídos podem ser reabertos."))
    if not reason.strip():
        raise ApplicationError(_("Informe o motivo da reabertura."), extra={"field": "reason"})
    case.status = CaseStatus.IN_PROGRESS
    case.closed_at = None
    case.deadline = deadline_compute(service=case.service, start=timezone.localdate())
    _touch(case, "status", "closed_at", "deadline")
    event_append(
        case=case,
        kind=EventKind.REOPENED,
        actor=actor,
        unit=case.current_unit,
        summary="Protocolo reaberto",
        payload={"reason": reason.strip(), "deadline": case.deadline.isoformat()},
    )
    if notify_citizen:
        _notify_citizen(case, "case_updated", event_summary="protocolo reaberto")
    return case


def case_open_for_citizen_find(
    *, service: Service, citizen: User, form_key: str = "", form_value: str = ""
) -> Case | None:
    """The citizen's most recent case on `service` that is not closed, optionally with one answer."""
    cases = Case.objects.filter(service=service, citizen=citizen).exclude(status=CaseStatus.CLOSED)
    if form_key:
        cases = cases.filter(**{f"form_data__{form_key}": form_value})
    return cases.order_by("-opened_at", "-id").first()


@transaction.atomic
def case_appointment_record(
    *,
    case: Case,
    kind: str,
    summary: str,
    actor: User | None = None,
    payload: dict[str, Any] | None = None,
    is_public: bool = True,
) -> Case:
    """An appointment on the case (booked, rescheduled, cancelled, attendance started or ended, no-show),
    appended to the hash-chained history under the case lock. Only the appointment kinds are accepted:
    the other events have their own services and rules."""
    if kind not in APPOINTMENT_EVENT_KINDS:
        raise ApplicationError(_("Tipo de registro de atendimento desconhecido: %(kind)s.") % {"kind": kind})
    case = _lock(case)
    if kind == EventKind.ATTENDANCE_STARTED and case.status == CaseStatus.NEW:
        case.status = CaseStatus.IN_PROGRESS
    _touch(case, "status")
    event_append(
        case=case,
        kind=kind,
        actor=actor,
        unit=case.current_unit,
        summary=summary[:500],
        payload=payload or {},
        is_public=is_public,
    )
    return case


@transaction.atomic
def case_attach_by_requester(
    *, case: Case, citizen: User, uploads: Sequence[Upload], title: str = ""
) -> Document:
    """The citizen adds documents to their own open case (e.g. shown during a video attendance)."""
    case = _lock(case)
    if case.citizen_id != getattr(citizen, "pk", None):
        raise AccessDenied
    _require_open(case)
    document = _attach(
        case,
        uploads=uploads,
        actor=citizen,
        unit=case.current_unit,
        title=title or f"Documentos enviados pelo requerente — {case.nup}",
    )
    if document is None:
        raise ApplicationError(_("Escolha ao menos um arquivo."), extra={"field": "uploads"})
    _touch(case)
    event_append(
        case=case,
        kind=EventKind.ATTACHED,
        actor=citizen,
        unit=case.current_unit,
        summary=f"{len(uploads)} documento(s) enviado(s) pelo requerente",
        payload={"document": document.verification_code, "files": [upload.name for upload in uploads]},
    )
    _notify_unit(case, case.current_unit, "o requerente enviou documentos")
    return document


# --- used by the modules built on cases (memos, ombudsman, Open311, permits...) -------------------


@transaction.atomic
def case_document_link(
    *,
    case: Case,
    document: Document,
    actor: User,
    summary: str,
    payload: dict[str, Any],
    is_public: bool = False,
) -> CaseDocument:
    """Join a document another module made (a memo, a permit) to the case file, with its history entry.

    The calling service has already decided that `actor` may do this (e.g. a memo's recipient who
    turns it into a case).
    """
    case = _lock(case)
    link = CaseDocument.objects.create(case=case, document=document, added_by=actor, is_public=is_public)
    event_append(
        case=case,
        kind=EventKind.ATTACHED,
        actor=actor,
        unit=case.current_unit,
        is_public=is_public,
        summary=summary,
        payload=payload,
    )
    return link


@transaction.atomic
def case_deadline_set(*, case: Case, deadline: dt.date) -> Case:
    """Set the answer deadline a module's own legal rule gives the case (the ombudsman's 30 days of
    Lei 13.460/2017 art. 16 and their extension, the LAI's 20 + 10 of Lei 12.527/2011 art. 11).

    The reason is on the record through the caller's own step (the extension's dispatch, the
    reopening), so no history entry is added here.
    """
    case = _lock(case)
    if case.deadline != deadline:
        case.deadline = deadline
        case.save(update_fields=["deadline", "updated_at"])
    return case
