"""Writes of the permits module: requests on the case engine, the automatic pre-analysis and
classification (run as jobs), risk levels (Lei 13.874/2019, art. 3º, I; Decreto 10.178/2019, art. 3º),
routing to opinions, issuance from the kind's template with a signature, refusal and appeal,
suspension and revocation, tacit approval (Lei 13.874/2019, art. 3º, IX) and renewal reminders.

Every service is keyword-only and atomic and raises `ApplicationError` with a Portuguese message;
jobs are enqueued with `enqueue_on_commit` only."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from validate_docbr import CNPJ, CPF

from paco.errors import ApplicationError
from paco.jobs import enqueue_on_commit
from paco.schemas import current_tenant
from paco.text import brl
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import user_ensure
from tenant_apps.cases.enums import CaseStatus
from tenant_apps.cases.models import Case
from tenant_apps.cases.services import (
    case_attach_by_requester,
    case_close,
    case_deadline_set,
    case_dispatch,
    case_document_link,
    case_open,
    case_reopen,
)
from tenant_apps.catalog.models import Service
from tenant_apps.doctemplates.services import document_from_template
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.documents.models import Attachment
from tenant_apps.documents.numbering import sequence_next
from tenant_apps.documents.services import attachment_read, document_create, document_version_add
from tenant_apps.documents.uploads import Upload
from tenant_apps.govbr.models import ReliabilityRequirement
from tenant_apps.govbr.selectors import require_level
from tenant_apps.notifications.enums import Channel
from tenant_apps.notifications.selectors import notification_list_for_subject
from tenant_apps.notifications.services import notification_queue, notification_queue_bulk
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import unit_member_user_ids, user_unit_ids
from tenant_apps.org.services import membership_ensure
from tenant_apps.signatures.services import signature_sign, signature_system_seal
from tenant_apps.workdays.selectors import BusinessCalendar
from tenants.selectors import municipality_base_url

from . import fees, preanalysis, routing
from .cnae import cnae_codes_split, cnae_get, cnae_normalize
from .enums import (
    RISK_RANK,
    CheckStatus,
    ClassifiedBy,
    IssueMode,
    OpinionStatus,
    PermitStatus,
    RequesterKind,
    RequestStatus,
    RiskLevel,
)
from .models import (
    ChecklistItem,
    Opinion,
    Permit,
    PermitKind,
    PermitRequest,
    RequestFile,
    RiskOverride,
    RoutingRule,
)

logger = logging.getLogger(__name__)

SYSTEM_EMAIL = "sistema.alvaras@paco.invalid"
BULK_LABEL = "Documentos enviados juntos (classificação automática)"
# The answers the permit flow reads from the kind's catalogue form (the admin builds the form).
FORM_KEYS = {
    "document": "cpf_cnpj",
    "name": "nome_razao_social",
    "mei": "mei",
    "activities": "cnae",
    "area": "area_m2",
    "neighbourhood": "bairro",
    "event_start": "data_inicio",
    "event_end": "data_fim",
}


class PermitError(ApplicationError):
    """A permit rule refused the operation."""


# --- risk ---------------------------------------------------------------------------------------


def risk_level_for(*, codes: Sequence[str]) -> str:
    """The highest level among the activities: the city's own level where it set one (Decreto
    10.178/2019, art. 3º, §1º), else the federal default of the CNAE file (Resolução CGSIM nº 51/2019)."""
    overrides = dict(RiskOverride.objects.filter(cnae_code__in=list(codes)).values_list("cnae_code", "level"))
    level = RiskLevel.LOW
    for code in codes:
        subclass = cnae_get(code)
        found = overrides.get(code) or (subclass.federal_level if subclass else RiskLevel.HIGH)
        if RISK_RANK[RiskLevel(found)] > RISK_RANK[RiskLevel(level)]:
            level = RiskLevel(found)
    return str(level)


@transaction.atomic
def risk_override_set(*, cnae: str, level: str, note: str = "") -> RiskOverride:
    code = cnae_normalize(cnae)
    if cnae_get(code) is None:
        raise PermitError(_("CNAE inexistente: %(code)s.") % {"code": cnae}, extra={"field": "cnae"})
    if level not in RiskLevel.values:
        raise PermitError(_("Nível de risco deve ser I, II ou III."), extra={"field": "level"})
    override, _created = RiskOverride.objects.update_or_create(
        cnae_code=code, defaults={"level": level, "note": note.strip()[:300]}
    )
    return override


# --- the request ----------------------------------------------------------------------------------


def _requester(raw: str) -> tuple[str, str]:
    digits = "".join(ch for ch in raw if ch.isdigit())
    if len(digits) == 11:
        if not CPF().validate(digits):
            raise PermitError(_("CPF inválido: confira os dígitos."), extra={"field": FORM_KEYS["document"]})
        return RequesterKind.PERSON, digits
    if len(digits) == 14:
        if not CNPJ().validate(digits):
            raise PermitError(_("CNPJ inválido: confira os dígitos."), extra={"field": FORM_KEYS["document"]})
        return RequesterKind.COMPANY, digits
    raise PermitError(
        _("Informe um CPF (11 dígitos) ou um CNPJ (14 dígitos)."), extra={"field": FORM_KEYS["document"]}
    )


def _activities(kind: PermitKind, raw: str) -> list[str]:
    typed = cnae_codes_split(raw or "")
    if kind.uses_activity_risk and not typed:
        raise PermitError(
            _("Informe ao menos uma atividade (código CNAE)."), extra={"field": FORM_KEYS["activities"]}
        )
    missing = [code for code in typed if cnae_get(code) is None]
    if missing:
        raise PermitError(
            _("CNAE inexistente: %(codes)s. Confira o código na tabela do IBGE (ex.: 4781-4/00).")
            % {"codes": ", ".join(missing)},
            extra={"field": FORM_KEYS["activities"]},
        )
    return [cnae_normalize(code) for code in typed]


def _area(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(",", "."))
    except InvalidOperation as error:
        raise PermitError(_("Área: informe os m² em número."), extra={"field": FORM_KEYS["area"]}) from error
    if value <= 0:
        raise PermitError(_("Área: informe um valor maior que zero."), extra={"field": FORM_KEYS["area"]})
    return value


def _date(raw: Any, *, field: str) -> dt.date | None:
    """A date answer: a date, ISO (the form's date field) or dd/mm/aaaa (the admin may have made the
    field a text one); anything else is the requester's error, in Portuguese."""
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    with contextlib.suppress(ValueError):  # else dd/mm/aaaa, below
        return dt.date.fromisoformat(text)
    day, _sep, rest = text.partition("/")
    month, _sep, year = rest.partition("/")
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise PermitError(
            _("Informe uma data válida (dd/mm/aaaa): “%(raw)s”.") % {"raw": text[:40]}, extra={"field": field}
        ) from None


def _event_dates(form_data: dict[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    """The event's dates, checked before anything is written: a permit for an event that already
    started would be born expired (its validity ends with the event), and an end before the start
    is a typing error."""
    start = _date(form_data.get(FORM_KEYS["event_start"]), field=FORM_KEYS["event_start"])
    end = _date(form_data.get(FORM_KEYS["event_end"]), field=FORM_KEYS["event_end"])
    if start is not None and start < timezone.localdate():
        raise PermitError(
            _("A data de início do evento já passou: informe uma data de hoje em diante."),
            extra={"field": FORM_KEYS["event_start"]},
        )
    if end is not None and start is None:
        raise PermitError(_("Informe a data de início do evento."), extra={"field": FORM_KEYS["event_start"]})
    if start is not None and end is not None and end < start:
        raise PermitError(
            _("O evento não pode terminar antes de começar."), extra={"field": FORM_KEYS["event_end"]}
        )
    return start, end


def permit_kind_for_service(*, service: Service) -> PermitKind | None:
    return PermitKind.objects.select_related("service", "template").filter(service=service).first()


def permit_request_submit(
    *,
    kind: PermitKind,
    citizen: User,
    form_data: dict[str, Any],
    uploads: Sequence[Upload] = (),
    accept_terms: bool = False,
) -> PermitRequest:
    """Open the case (case engine: NUP, request document, attachments, history, notices) and the
    permit request. Level I is answered at once with the exemption declaration (Decreto 10.178/2019,
    art. 3º, I); otherwise the pre-analysis job runs after commit. Nothing is kept if anything fails.

    Uploads labelled with a checklist item's name are that item's; the others are classified by the
    admin's rules in the job. A citizen below the gov.br level set for the kind is refused with
    `GovBrLevelRequired` (how to raise it), before anything is read or written."""
    if citizen.kind != UserKind.CITIZEN:
        raise PermissionDenied
    # the gov.br level the municipal admin set for this kind (/admin-municipal/govbr/niveis/): below
    # it, the message says which level is needed and how to raise it on gov.br; nothing is saved
    require_level(user=citizen, target=ReliabilityRequirement.Target.PERMIT, code=kind.service.code)
    kind_type, document_number = _requester(str(form_data.get(FORM_KEYS["document"], "")))
    activities = _activities(kind, str(form_data.get(FORM_KEYS["activities"], "")))
    area = _area(form_data.get(FORM_KEYS["area"]))
    is_mei = str(form_data.get(FORM_KEYS["mei"], "")).strip().lower() in {"sim", "true", "1", "on"}
    if is_mei and kind_type != RequesterKind.COMPANY:
        raise PermitError(_("MEI é uma empresa: informe o CNPJ."), extra={"field": FORM_KEYS["mei"]})
    level = risk_level_for(codes=activities) if kind.uses_activity_risk else kind.fixed_level
    if not kind.uses_activity_risk or not activities:
        level = kind.fixed_level
    if not uploads and level != RiskLevel.LOW and kind.checklist.filter(is_required=True).exists():
        raise PermitError(_("Anexe os documentos do checklist."), extra={"field": "uploads"})
    event_start, event_end = _event_dates(form_data)
    with transaction.atomic():
        case = case_open(
            service=kind.service,
            opened_by=citizen,
            form_data=form_data,
            subject=kind.service.name,
            uploads=uploads,
            notify_citizen=False,  # the permit's own notice, below (or the exemption's)
        )
        request = PermitRequest.objects.create(
            case=case,
            kind=kind,
            requester_kind=kind_type,
            requester_document=document_number,
            requester_name=(str(form_data.get(FORM_KEYS["name"], "")).strip() or citizen.full_name)[:200],
            is_mei=is_mei,
            activities=activities,
            area_m2=area,
            neighbourhood=str(form_data.get(FORM_KEYS["neighbourhood"], "")).strip()[:120],
            risk_level=level,
            status=RequestStatus.PRE_ANALYSIS,
            fee_amount=fees.fee_compute(kind=kind, risk_level=level, area_m2=area, is_mei=is_mei),
            terms_accepted_at=timezone.now() if accept_terms and level == RiskLevel.MEDIUM else None,
            event_start=event_start,
            event_end=event_end,
        )
        items = {item.name: item for item in kind.checklist.all()}
        for attachment in _case_attachments(case):
            item = items.get(attachment.label)
            RequestFile.objects.create(
                request=request,
                attachment=attachment,
                item=item,
                classified_by=ClassifiedBy.REQUESTER if item else ClassifiedBy.NONE,
            )
        if level == RiskLevel.LOW:
            _exemption_issue(request)
            return request
        fees.fee_guide_issue(request=request)
        _notify(request, "permit_requested")
        _analyse_enqueue(request)
    return request


def _case_attachments(case: Case) -> list[Attachment]:
    return list(
        Attachment.objects.filter(document__case_links__case=case)
        .exclude(pk__in=RequestFile.objects.filter(request__case=case).values("attachment_id"))
        .order_by("pk")
    )


def _analyse_enqueue(request: PermitRequest) -> None:
    from .tasks import permit_request_analyse_task

    enqueue_on_commit(permit_request_analyse_task, request_id=request.pk)


@transaction.atomic
def request_files_replace(
    *, request: PermitRequest, citizen: User, uploads: Sequence[Upload]
) -> PermitRequest:
    """The requester sends new files (labelled with an item, or to be classified): files of the same
    items are superseded, and the pre-analysis runs again."""
    request = (
        PermitRequest.objects.select_for_update(of=("self",))
        .select_related("case", "kind")
        .get(pk=request.pk)
    )
    if request.status not in (
        RequestStatus.NEEDS_FIX,
        RequestStatus.PRE_ANALYSIS,
        RequestStatus.TERMS_PENDING,
    ):
        raise PermitError(_("Este pedido não aceita mais arquivos."))
    if not uploads:
        raise PermitError(_("Escolha ao menos um arquivo."), extra={"field": "uploads"})
    case_attach_by_requester(
        case=request.case, citizen=citizen, uploads=uploads, title=_("Documentos do alvará")
    )
    items = {item.name: item for item in request.kind.checklist.all()}
    attachments = _case_attachments(request.case)
    # the files of the items named in this batch are superseded (an unlabelled file: by the job,
    # once the rules classified it); several files of one item in one batch all stay current
    named = {items[attachment.label].pk for attachment in attachments if attachment.label in items}
    RequestFile.objects.filter(request=request, item_id__in=named, is_current=True).update(
        is_current=False, updated_at=timezone.now()
    )
    for attachment in attachments:
        item = items.get(attachment.label)
        RequestFile.objects.create(
            request=request,
            attachment=attachment,
            item=item,
            classified_by=ClassifiedBy.REQUESTER if item else ClassifiedBy.NONE,
        )
    request.status = RequestStatus.PRE_ANALYSIS
    request.save(update_fields=["status", "updated_at"])
    _analyse_enqueue(request)
    return request


# --- the automatic pre-analysis (a job) -----------------------------------------------------------


def request_analyse(*, request_id: int) -> PermitRequest | None:
    """Classify the files that matched no item, check every file and the request, store the results
    per file and on the request, and move the request on (idempotent: a request no longer in
    pre-analysis is left alone, and running twice writes the same results)."""
    with transaction.atomic():
        request = (
            PermitRequest.objects.select_for_update(of=("self",))
            .select_related("kind__service", "case")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.status != RequestStatus.PRE_ANALYSIS:
            return request
        today = timezone.localdate()
        items = list(request.kind.checklist.all())
        files = list(request.files.filter(is_current=True).select_related("attachment", "item"))
        accepted_any = [content_type for item in items for content_type in item.accepted_types or []]
        facts_by_file: dict[int, preanalysis.FileFacts] = {}
        classified: list[RequestFile] = []
        for request_file in files:
            attachment = request_file.attachment
            facts = preanalysis.file_facts(attachment_read(attachment=attachment), attachment.content_type)
            facts_by_file[request_file.pk] = facts
            if request_file.classified_by == ClassifiedBy.NONE:
                match = preanalysis.classify(name=attachment.original_name, text=facts.text, items=items)
                request_file.item = match
                request_file.rule_item = match
                request_file.classified_by = ClassifiedBy.RULE if match else ClassifiedBy.NONE
                if match is not None:
                    classified.append(request_file)
        files = _files_supersede(files, classified)
        for request_file in files:
            attachment = request_file.attachment
            facts = facts_by_file[request_file.pk]
            checks = preanalysis.file_checks(
                item=request_file.item,
                name=attachment.original_name,
                content_type=attachment.content_type,
                size=attachment.size,
                facts=facts,
                today=today,
                accepted_any=accepted_any,
            )
            request_file.checks = [check.as_dict() for check in checks]
            request_file.result = _worst(check.status for check in checks)
            request_file.text_chars = len(facts.text)
            request_file.checked_at = timezone.now()
            request_file.save(
                update_fields=[
                    "item",
                    "rule_item",
                    "classified_by",
                    "checks",
                    "result",
                    "text_chars",
                    "checked_at",
                    "updated_at",
                ]
            )
        request_checks = _request_checks(request, items, files)
        request.pre_analysis = [check.as_dict() for check in request_checks]
        request.pre_analysis_at = timezone.now()
        request.pre_analysis_runs += 1
        passed = all(check.status != CheckStatus.PROBLEM for check in request_checks) and all(
            request_file.result != CheckStatus.PROBLEM for request_file in files
        )
        if not passed and not request.insisted:
            request.status = RequestStatus.NEEDS_FIX
            request.save(
                update_fields=["pre_analysis", "pre_analysis_at", "pre_analysis_runs", "status", "updated_at"]
            )
            problems = [
                *(check.message for check in request_checks if check.status == CheckStatus.PROBLEM),
                *(
                    f"{request_file.attachment.original_name}: {check['message']}"
                    for request_file in files
                    for check in request_file.checks
                    if check.get("status") == CheckStatus.PROBLEM
                ),
            ]
            listed = "\n".join(f"- {line}" for line in problems)
            if not _needs_fix_already_told(request, listed):  # a staff correction re-runs the job
                _notify(request, "permit_needs_fix", problems=listed)
            return request
        request.save(update_fields=["pre_analysis", "pre_analysis_at", "pre_analysis_runs", "updated_at"])
        _after_checklist(request)
        return request


def _files_supersede(files: list[RequestFile], classified: list[RequestFile]) -> list[RequestFile]:
    """A file the rules just classified replaces the current files of its item sent before it (in an
    earlier batch: an unlabelled replacement from the requester's page); returns the files still
    current."""
    superseded = {
        older.pk
        for newer in classified
        for older in files
        if older.pk < newer.pk
        and older.item_id == newer.item_id
        and older.attachment.document_id != newer.attachment.document_id
    }
    for request_file in files:
        if request_file.pk in superseded:  # with its classification, if the rules just gave it one
            request_file.is_current = False
            request_file.save(
                update_fields=["item", "rule_item", "classified_by", "is_current", "updated_at"]
            )
    return [request_file for request_file in files if request_file.pk not in superseded]


def _worst(statuses: Any) -> str:
    found = set(statuses)
    if CheckStatus.PROBLEM in found:
        return CheckStatus.PROBLEM
    if CheckStatus.WARNING in found:
        return CheckStatus.WARNING
    return CheckStatus.OK


def _request_checks(
    request: PermitRequest, items: list[ChecklistItem], files: list[RequestFile]
) -> list[preanalysis.Check]:
    checks = [
        preanalysis.document_check(kind=request.requester_kind, number=request.requester_document),
        preanalysis.activities_check(list(request.activities)),
    ]
    present = {request_file.item_id for request_file in files}
    for item in items:
        if item.is_required and item.pk not in present:
            checks.append(
                preanalysis.Check(
                    "checklist", CheckStatus.PROBLEM, _("Falta o documento “%(item)s”.") % {"item": item.name}
                )
            )
    if request.fee_amount > 0 and request.fee_paid_at is None:
        checks.append(
            preanalysis.Check(
                "taxa",
                CheckStatus.PROBLEM,
                _("Taxa de R$ %(amount)s ainda não paga: pague a guia (DAM) por Pix.")
                % {"amount": brl(request.fee_amount)},
            )
        )
    elif request.is_mei:
        checks.append(
            preanalysis.Check("taxa", CheckStatus.OK, _("MEI: isento de taxa (LC 123/2006, art. 4º, §3º)."))
        )
    return checks


def _after_checklist(request: PermitRequest) -> None:
    """The checklist passed (or the requester insisted): level II waits for the terms and is issued
    automatically; level III goes to the units the routing rules name.

    Automatic issuance (Decreto 10.178/2019, art. 3º, II) is only for a level II request the machine
    found complete and clean: one the requester sent on with its pending items, or with a file the
    pre-analysis could not fully check (a warning: "um servidor vai conferir"), goes to a person —
    the routing rules, else the licensing unit — whatever its level."""
    if request.insisted or _has_warnings(request):
        _route(request)
        return
    if request.risk_level == RiskLevel.MEDIUM:
        if request.terms_accepted_at is None:
            request.status = RequestStatus.TERMS_PENDING
            request.save(update_fields=["status", "updated_at"])
            _notify(request, "permit_terms_pending")
            return
        permit_issue_system(request=request, mode=IssueMode.AUTOMATIC)
        return
    _route(request)


def _needs_fix_already_told(request: PermitRequest, listed: str) -> bool:
    """Whether the requester's last 'pendências' message already listed exactly these problems (the
    job runs again after a staff correction or a payment, and the list may not have changed)."""
    last = (
        notification_list_for_subject(subject_kind="case", subject_id=request.case_id)
        .filter(template_key="permit_needs_fix", channel=Channel.EMAIL)
        .last()
    )
    return last is not None and listed in last.body


def _has_warnings(request: PermitRequest) -> bool:
    return any(check.get("status") == CheckStatus.WARNING for check in request.pre_analysis) or (
        request.files.filter(is_current=True, result=CheckStatus.WARNING).exists()
    )


@transaction.atomic
def request_insist(*, request: PermitRequest, citizen: User) -> PermitRequest:
    """The requester sends the request on with its pending items (flagged for staff)."""
    request = (
        PermitRequest.objects.select_for_update(of=("self",))
        .select_related("case", "kind")
        .get(pk=request.pk)
    )
    if request.case.citizen_id != citizen.pk:
        raise PermissionDenied
    if request.status != RequestStatus.NEEDS_FIX:
        raise PermitError(_("Só um pedido com pendências pode ser enviado assim."))
    request.insisted = True
    request.status = RequestStatus.PRE_ANALYSIS
    request.save(update_fields=["insisted", "status", "updated_at"])
    _analyse_enqueue(request)
    return request


@transaction.atomic
def request_terms_accept(*, request: PermitRequest, citizen: User) -> PermitRequest:
    """Level II: the requester accepts the termo de ciência e responsabilidade and the permit is issued
    at once, with no human analysis (Decreto 10.178/2019, art. 3º, II; inspection comes later)."""
    request = (
        PermitRequest.objects.select_for_update(of=("self",))
        .select_related("case", "kind__service")
        .get(pk=request.pk)
    )
    if request.case.citizen_id != citizen.pk:
        raise PermissionDenied
    if request.risk_level != RiskLevel.MEDIUM or request.status not in (
        RequestStatus.TERMS_PENDING,
        RequestStatus.PRE_ANALYSIS,
    ):
        raise PermitError(_("Este pedido não está aguardando o termo de ciência."))
    request.terms_accepted_at = timezone.now()
    request.save(update_fields=["terms_accepted_at", "updated_at"])
    if request.status == RequestStatus.TERMS_PENDING:
        permit_issue_system(request=request, mode=IssueMode.AUTOMATIC)
    return request


# --- routing and opinions -------------------------------------------------------------------------


def request_facts(*, request: PermitRequest) -> routing.RequestFacts:
    return routing.RequestFacts(
        kind_code=request.kind.service.code,
        risk_level=request.risk_level,
        area_m2=request.area_m2,
        neighbourhood=request.neighbourhood,
        activities=tuple(request.activities),
    )


def published_rules() -> list[RoutingRule]:
    return list(RoutingRule.objects.filter(is_published=True).order_by("position", "id"))


def fee_unpaid(request: PermitRequest) -> bool:
    return request.fee_amount > 0 and request.fee_paid_at is None


def sent_incomplete(request: PermitRequest) -> bool:
    """Sent on anyway with a problem in its checklist other than the fee (a document missing,
    unreadable, out of date...): not complete, so no tacit approval (Lei 13.874/2019, art. 3º, IX);
    a person decides it. The fee, the one thing the requester completes afterwards, is `fee_unpaid`."""
    if not request.insisted:
        return False
    return (
        any(
            check.get("status") == CheckStatus.PROBLEM and check.get("code") != "taxa"
            for check in request.pre_analysis or []
        )
        or request.files.filter(is_current=True, result=CheckStatus.PROBLEM).exists()
    )


def decision_due_from(request: PermitRequest, *, start: dt.date) -> dt.date:
    """The tacit-approval date: the kind's business days from the day the request is complete."""
    return BusinessCalendar().add_business_days(start, request.kind.decision_days)


def _route(request: PermitRequest) -> None:
    route = routing.route_compute(rules=published_rules(), facts=request_facts(request=request))
    if not route.stages:  # no rule matched: the licensing unit of the kind gives the one opinion
        route.stages = [[(request.kind.service.unit_id, request.kind.decision_days)]]
    calendar = BusinessCalendar()
    today = timezone.localdate()
    now = timezone.now()
    for index, stage in enumerate(route.stages):
        for unit_id, days in stage:
            Opinion.objects.create(
                request=request,
                unit_id=unit_id,
                stage=index,
                days=days,
                status=OpinionStatus.PENDING if index == 0 else OpinionStatus.WAITING,
                due=calendar.add_business_days(today, days) if index == 0 else None,
                started_at=now if index == 0 else None,
            )
    request.status = RequestStatus.IN_ANALYSIS
    request.analysis_started_at = now
    # Lei 13.874/2019, art. 3º, IX: the tacit-approval deadline runs once "apresentados todos os
    # elementos necessários à instrução do processo"; a request whose fee is unpaid (sent on anyway)
    # is not complete, so its clock starts from the day the guide is paid (`tacit_clock_start`); one
    # sent on with a document missing or failing (`sent_incomplete`) gets no clock: a person decides.
    request.decision_due = (
        None if fee_unpaid(request) or sent_incomplete(request) else decision_due_from(request, start=today)
    )
    request.save(update_fields=["status", "analysis_started_at", "decision_due", "updated_at"])
    case_deadline_set(
        case=request.case,
        deadline=request.decision_due or calendar.add_business_days(today, request.kind.decision_days),
    )
    if request.decision_due is not None:  # else told when the clock starts (`tacit_clocks_start`)
        _notify(request, "permit_in_analysis", units=_units_asked(request), decision_due=request.decision_due)
    _opinions_notify(request, stage=0)


def _units_asked(request: PermitRequest) -> str:
    return ", ".join(
        OrgUnit.objects.filter(pk__in=request.opinions.values("unit_id"))
        .order_by("acronym")
        .values_list("acronym", flat=True)
    )


def opinion_user_can_give(*, user: User, opinion: Opinion) -> bool:
    return opinion.status == OpinionStatus.PENDING and opinion.unit_id in user_unit_ids(user)


@transaction.atomic
def opinion_give(*, opinion: Opinion, actor: User, is_favourable: bool, text: str) -> Opinion:
    """A unit's parecer, kept as a numbered document on the case file. When the last favourable one
    of a stage arrives the next stage starts; any unfavourable one refuses the request with its
    reasons (which the requester can appeal)."""
    # the request's row first, then the opinion's, as every path that touches a request's opinions
    # (a refusal closes the siblings): two units deciding at once wait in turn instead of deadlocking
    request = (
        PermitRequest.objects.select_for_update(of=("self",))
        .select_related("case", "kind__service")
        .get(pk=Opinion.objects.values_list("request_id", flat=True).get(pk=opinion.pk))
    )
    opinion = (
        Opinion.objects.select_for_update(of=("self",))
        .select_related("request__case", "unit")
        .get(pk=opinion.pk)
    )
    if not opinion_user_can_give(user=actor, opinion=opinion):
        raise PermitError(_("Este parecer não está pendente na sua unidade."))
    if not text.strip():
        raise PermitError(_("Escreva o parecer."), extra={"field": "text"})
    if request.status != RequestStatus.IN_ANALYSIS:
        raise PermitError(_("O pedido não está em análise."))
    verdict = _("favorável") if is_favourable else _("desfavorável")
    document = document_create(
        kind=DocumentKind.OPINION,
        unit=opinion.unit,
        title=_("Parecer %(verdict)s — %(nup)s") % {"verdict": verdict, "nup": request.case.nup},
        body=text.strip(),
        author=actor,
    )
    case_document_link(
        case=request.case,
        document=document,
        actor=actor,
        summary=_("Parecer %(verdict)s da %(unit)s") % {"verdict": verdict, "unit": opinion.unit.acronym},
        payload={"opinion_id": opinion.pk, "document_id": document.pk},
        is_public=True,
    )
    opinion.status = OpinionStatus.FAVOURABLE if is_favourable else OpinionStatus.UNFAVOURABLE
    opinion.text = text.strip()
    opinion.decided_by = actor
    opinion.decided_at = timezone.now()
    opinion.document = document
    opinion.save(update_fields=["status", "text", "decided_by", "decided_at", "document", "updated_at"])
    if not is_favourable:
        _refuse(request, reasons=f"{opinion.unit.acronym}: {text.strip()}")
        return opinion
    stage_open = request.opinions.filter(stage=opinion.stage, status=OpinionStatus.PENDING).exists()
    if stage_open:
        return opinion
    waiting = list(request.opinions.filter(status=OpinionStatus.WAITING).order_by("stage", "id"))
    if waiting:
        next_stage = waiting[0].stage
        calendar = BusinessCalendar()
        for pending in waiting:
            if pending.stage == next_stage:
                pending.status = OpinionStatus.PENDING
                pending.started_at = timezone.now()
                pending.due = calendar.add_business_days(timezone.localdate(), pending.days)
                pending.save(update_fields=["status", "started_at", "due", "updated_at"])
        _opinions_notify(request, stage=next_stage)
        return opinion
    request.status = RequestStatus.READY
    request.save(update_fields=["status", "updated_at"])
    return opinion


APPEAL_DAYS = 10  # Lei 9.784/1999, art. 59
APPEAL_DECISION_DAYS = 30  # Lei 9.784/1999, art. 59, §1º


def appeal_deadline(*, request: PermitRequest) -> dt.date | None:
    """The last day to appeal a refusal: 10 days from the notice of the decision (Lei 9.784/1999,
    art. 59; the notice goes out when the request is refused), counted as art. 66 says — the day of
    the notice left out, calendar days, moved to the next business day when it ends on a day off."""
    if request.refused_at is None:
        return None
    return BusinessCalendar().add_calendar_days(timezone.localdate(request.refused_at), APPEAL_DAYS)


def _refuse(request: PermitRequest, *, reasons: str) -> None:
    """Refuse with the reasons and close the case in the Protocolo (the decision is the final answer
    unless appealed: `request_appeal` reopens it)."""
    request.status = RequestStatus.REFUSED
    request.refusal_reasons = reasons
    request.decided_at = request.refused_at = timezone.now()
    request.save(update_fields=["status", "refusal_reasons", "decided_at", "refused_at", "updated_at"])
    # the opinions not given end with the refusal (an appeal is decided by the licensing unit)
    Opinion.objects.filter(request=request, status__in=[OpinionStatus.PENDING, OpinionStatus.WAITING]).update(
        status=OpinionStatus.CLOSED, due=None
    )
    until = appeal_deadline(request=request)
    case_close(
        case=request.case,
        actor=system_user(unit=request.case.current_unit),
        answer=_(
            "Pedido indeferido. Motivos: %(reasons)s\nCabe recurso até %(date)s (Lei 9.784/1999, art. 59)."
        )
        % {"reasons": reasons, "date": until.strftime("%d/%m/%Y") if until else ""},
        notify_citizen=False,
    )
    _notify(request, "permit_refused", reasons=reasons)


@transaction.atomic
def request_appeal(*, request: PermitRequest, citizen: User, text: str) -> PermitRequest:
    """The requester appeals a refusal (Lei 9.784/1999, art. 56) within 10 days of its notice (art.
    59; `appeal_deadline`): the case is reopened in the Protocolo and the licensing unit decides it,
    within 30 days (art. 59, §1º: the case's deadline)."""
    request = (
        PermitRequest.objects.select_for_update(of=("self",))
        .select_related("case__current_unit")
        .get(pk=request.pk)
    )
    if request.case.citizen_id != citizen.pk:
        raise PermissionDenied
    if request.status != RequestStatus.REFUSED or request.appealed_at is not None:
        raise PermitError(_("Só um pedido indeferido, e uma vez, pode receber recurso."))
    until = appeal_deadline(request=request)
    if until is not None and timezone.localdate() > until:
        raise PermitError(
            _(
                "O prazo para recorrer terminou em %(date)s: o recurso cabe em até 10 dias da ciência do "
                "indeferimento (Lei 9.784/1999, art. 59)."
            )
            % {"date": until.strftime("%d/%m/%Y")}
        )
    if not text.strip():
        raise PermitError(_("Escreva as razões do recurso."), extra={"field": "text"})
    request.status = RequestStatus.APPEALED
    request.appeal_text = text.strip()[:5000]
    request.appealed_at = timezone.now()
    request.save(update_fields=["status", "appeal_text", "appealed_at", "updated_at"])
    if request.case.status == CaseStatus.CLOSED:  # (a refusal older than this rule left it open)
        case = case_reopen(
            case=request.case,
            actor=system_user(unit=request.case.current_unit),
            reason=_("Recurso do requerente contra o indeferimento: %(text)s")
            % {"text": request.appeal_text},
            notify_citizen=False,  # the requester filed it; the decision comes as permit_appeal_decided
        )
        case_deadline_set(case=case, deadline=timezone.localdate() + dt.timedelta(days=APPEAL_DECISION_DAYS))
    return request


@transaction.atomic
def appeal_decide(
    *, request: PermitRequest, actor: User, is_granted: bool, text: str, otp_token: str = ""
) -> PermitRequest:
    request = (
        PermitRequest.objects.select_for_update(of=("self",))
        .select_related("case", "kind__service")
        .get(pk=request.pk)
    )
    if request.status != RequestStatus.APPEALED:
        raise PermitError(_("Este pedido não tem recurso pendente."))
    if request.kind.service.unit_id not in user_unit_ids(actor):
        raise PermitError(_("Só a unidade licenciadora decide o recurso."))
    if not text.strip():
        raise PermitError(_("Fundamente a decisão do recurso."), extra={"field": "text"})
    if is_granted:
        case_dispatch(
            case=request.case,
            actor=actor,
            text=_("Recurso provido: %(text)s") % {"text": text.strip()},
            notify_citizen=False,
        )
        request.status = RequestStatus.READY
        request.save(update_fields=["status", "updated_at"])
        permit = permit_issue(request=request, actor=actor, otp_token=otp_token, notify=False)
        _notify(
            request,
            "permit_appeal_decided",
            granted=True,
            decision=text.strip(),
            number=permit.number,
            verification_code=permit.document.verification_code,
        )
        return request
    case_dispatch(
        case=request.case,
        actor=actor,
        text=_("Recurso não provido: %(text)s") % {"text": text.strip()},
        notify_citizen=False,
    )
    request.status = RequestStatus.REFUSED
    request.refusal_reasons = f"{request.refusal_reasons}\n{_('Recurso não provido')}: {text.strip()}"
    request.save(update_fields=["status", "refusal_reasons", "updated_at"])
    case_close(case=request.case, actor=actor, answer=request.refusal_reasons, notify_citizen=False)
    _notify(request, "permit_appeal_decided", granted=False, decision=text.strip())
    return request


# --- issuance -----------------------------------------------------------------------------------


def system_user(*, unit: OrgUnit) -> User:
    """The account that issues automatic, tacit and exemption documents in the licensing unit; it
    never logs in (inactive, no password)."""
    user = user_ensure(
        email=SYSTEM_EMAIL,
        full_name="Sistema de Licenciamento (emissão automática)",
        kind=UserKind.STAFF,
        is_active=False,
    )
    membership_ensure(user_id=user.pk, unit=unit)
    return user


def _permit_number() -> str:
    year = timezone.localdate().year
    return f"{sequence_next(f'permit:{year}'):05d}/{year}"


def _permit_body(request: PermitRequest, *, number: str, mode: str, valid_until: dt.date | None) -> str:
    lines = [
        _("ALVARÁ Nº %(number)s — %(kind)s") % {"number": number, "kind": request.kind.service.name},
        _("Protocolo: %(nup)s") % {"nup": request.case.nup},
        _("Titular: %(name)s") % {"name": request.requester_name},
        _("Nível de risco: %(level)s") % {"level": RiskLevel(request.risk_level).label},
    ]
    for code in request.activities:
        subclass = cnae_get(code)
        if subclass:
            lines.append(
                _("Atividade: %(code)s — %(text)s")
                % {"code": subclass.formatted, "text": subclass.description}
            )
    if request.area_m2:
        lines.append(_("Área: %(area)s m²") % {"area": request.area_m2})
    if request.neighbourhood:
        lines.append(_("Bairro: %(name)s") % {"name": request.neighbourhood})
    if request.event_start:
        lines.append(
            _("Evento: de %(start)s a %(end)s")
            % {
                "start": request.event_start.strftime("%d/%m/%Y"),
                "end": (request.event_end or request.event_start).strftime("%d/%m/%Y"),
            }
        )
    lines.append(
        _("Válido até: %(date)s") % {"date": valid_until.strftime("%d/%m/%Y")}
        if valid_until
        else _("Validade: indeterminada")
    )
    if request.kind.conditions:
        lines.append(_("Condicionantes: %(text)s") % {"text": request.kind.conditions})
    if mode == IssueMode.AUTOMATIC:
        lines.append(
            _(
                "Emitido automaticamente, sem análise humana, após o termo de ciência e responsabilidade "
                "(Decreto 10.178/2019, art. 3º, II); sujeito a fiscalização posterior."
            )
        )
    if mode == IssueMode.TACIT:
        lines.append(
            _("Aprovação tácita: o prazo de decisão se esgotou sem resposta (Lei 13.874/2019, art. 3º, IX).")
        )
    return "\n".join(lines)


def _fee_paid_require(request: PermitRequest) -> None:
    if fee_unpaid(request):
        raise PermitError(
            _(
                "A taxa de R$ %(amount)s deste pedido ainda não foi paga: o alvará só é emitido depois do "
                "pagamento da guia (DAM)."
            )
            % {"amount": brl(request.fee_amount)}
        )


def _issue(
    request: PermitRequest, *, actor: User, mode: str, otp_token: str = "", notify: bool = True
) -> Permit:
    """Generate the permit from the kind's template (doctemplates) on the case, add the permit's facts
    as the version that is signed (signatures), record it and notify the requester.

    Every path (staff, automatic, tacit, appeal) comes here with the request row locked, so this last
    check sees the status and the payment as they are now: no permit while the fee is due."""
    _fee_paid_require(request)
    kind = request.kind
    number = _permit_number()
    valid_until = (
        (request.event_end or request.event_start)
        if request.event_start
        else timezone.localdate() + dt.timedelta(days=kind.validity_days)
    )
    facts = _permit_body(request, number=number, mode=mode, valid_until=valid_until)
    if kind.template is not None:
        document = document_from_template(
            template=kind.template,
            case=request.case,
            author=actor,
            title=_("Alvará %(number)s") % {"number": number},
        )
        latest = document.versions.order_by("-number").first()
        document_version_add(
            document=document, body=f"{latest.body if latest else ''}\n\n{facts}", author=actor
        )
    else:
        document = document_create(
            kind=DocumentKind.PERMIT,
            unit=request.case.current_unit,
            title=_("Alvará %(number)s") % {"number": number},
            body=facts,
            author=actor,
        )
        case_document_link(
            case=request.case,
            document=document,
            actor=actor,
            summary=_("Alvará %(number)s") % {"number": number},
            payload={"document_id": document.pk},
            is_public=True,
        )
    if mode == IssueMode.STAFF:
        signature_sign(document=document, signer=actor, level=kind.signature_level, otp_token=otp_token)
    else:
        signature_system_seal(document=document, system_user=actor)
    permit = Permit.objects.create(
        request=request,
        number=number,
        document=document,
        mode=mode,
        issued_at=timezone.now(),
        valid_until=valid_until,
        conditions=kind.conditions,
    )
    request.status = RequestStatus.ISSUED
    request.decided_at = permit.issued_at
    request.save(update_fields=["status", "decided_at", "updated_at"])
    case_close(
        case=request.case,
        actor=actor,
        answer=_("Alvará %(number)s emitido. Verifique em /verificar/ com o código %(code)s.")
        % {"number": number, "code": document.verification_code},
        notify_citizen=False,
    )
    if notify:
        _notify_issued(request, permit)
    return permit


@transaction.atomic
def permit_issue(*, request: PermitRequest, actor: User, otp_token: str = "", notify: bool = True) -> Permit:
    """Staff of the licensing unit issue and sign a permit whose opinions were all favourable."""
    request = (
        PermitRequest.objects.select_for_update(of=("self",))
        .select_related("case", "kind__service", "kind__template")
        .get(pk=request.pk)
    )
    if request.status != RequestStatus.READY or hasattr(request, "permit"):
        raise PermitError(_("O alvará só é emitido depois de todos os pareceres favoráveis."))
    if request.kind.service.unit_id not in user_unit_ids(actor):
        raise PermitError(_("Só a unidade licenciadora emite este alvará."))
    return _issue(request, actor=actor, mode=IssueMode.STAFF, otp_token=otp_token, notify=notify)


def _system_issuable(request: PermitRequest, *, mode: str, today: dt.date) -> bool:
    """Whether the locked request may be issued with no person now: automatic issuance only for a
    clean level II request whose termo was accepted (Decreto 10.178/2019, art. 3º, II); tacit approval
    only while still undecided and past its deadline (Lei 13.874/2019, art. 3º, IX). A request refused,
    appealed, issued or sent back in the meantime is never issued by the system."""
    if fee_unpaid(request):
        return False
    if mode == IssueMode.AUTOMATIC:
        return (
            request.risk_level == RiskLevel.MEDIUM
            and not request.insisted
            and request.terms_accepted_at is not None
            and request.status in (RequestStatus.PRE_ANALYSIS, RequestStatus.TERMS_PENDING)
        )
    if mode == IssueMode.TACIT:
        return (
            request.status in (RequestStatus.IN_ANALYSIS, RequestStatus.READY)
            and request.decision_due is not None
            and request.decision_due < today
        )
    return False


@transaction.atomic
def permit_issue_system(*, request: PermitRequest, mode: str, today: dt.date | None = None) -> Permit:
    """Automatic (level II after the terms) or tacit issuance, by the licensing unit's system account.
    The status is read again under the row lock: the request may have been refused, withdrawn or
    issued since the caller looked (PermitError then; an issued one returns its permit)."""
    request = (
        PermitRequest.objects.select_for_update(of=("self",))
        .select_related("case", "kind__service", "kind__template")
        .get(pk=request.pk)
    )
    if hasattr(request, "permit"):
        return request.permit
    _fee_paid_require(request)
    if not _system_issuable(request, mode=mode, today=today or timezone.localdate()):
        raise PermitError(
            _("Este pedido não pode ser emitido automaticamente: situação atual “%(status)s”.")
            % {"status": RequestStatus(request.status).label}
        )
    actor = system_user(unit=request.case.current_unit)
    return _issue(request, actor=actor, mode=mode)


def _exemption_issue(request: PermitRequest) -> Permit:
    """Level I: the declaration of exemption, at once (Lei 13.874/2019, art. 3º, I; Decreto
    10.178/2019, art. 3º, I: low-risk activities need no act of public release)."""
    actor = system_user(unit=request.case.current_unit)
    number = _permit_number()
    lines = [
        _("DECLARAÇÃO DE DISPENSA DE ALVARÁ Nº %(number)s") % {"number": number},
        _("Protocolo: %(nup)s") % {"nup": request.case.nup},
        _("Titular: %(name)s") % {"name": request.requester_name},
        *[
            _("Atividade: %(code)s — %(text)s") % {"code": subclass.formatted, "text": subclass.description}
            for code in request.activities
            if (subclass := cnae_get(code))
        ],
        _(
            "As atividades acima são de baixo risco (nível I) e dispensam atos públicos de liberação"
            " (Lei 13.874/2019, art. 3º, I; Decreto 10.178/2019, art. 3º, I), sem prejuízo da fiscalização."
        ),
    ]
    document = document_create(
        kind=DocumentKind.CERTIFICATE,
        unit=request.case.current_unit,
        title=_("Declaração de dispensa %(number)s") % {"number": number},
        body="\n".join(lines),
        author=actor,
    )
    case_document_link(
        case=request.case,
        document=document,
        actor=actor,
        summary=_("Declaração de dispensa %(number)s") % {"number": number},
        payload={"document_id": document.pk},
        is_public=True,
    )
    signature_system_seal(document=document, system_user=actor)
    permit = Permit.objects.create(
        request=request, number=number, document=document, mode=IssueMode.EXEMPTION, issued_at=timezone.now()
    )
    request.status = RequestStatus.EXEMPT
    request.decided_at = permit.issued_at
    request.save(update_fields=["status", "decided_at", "updated_at"])
    case_close(
        case=request.case,
        actor=actor,
        answer=_("Atividade de baixo risco: dispensada de alvará (declaração %(number)s).")
        % {"number": number},
        notify_citizen=False,
    )
    _notify_issued(request, permit)
    return permit


@transaction.atomic
def permit_status_set(*, permit: Permit, actor: User, status: str, reason: str) -> Permit:
    """Staff of the licensing unit suspend, revoke (cassar) or reinstate a permit, with a reason; the
    verification page shows the current status."""
    permit = (
        Permit.objects.select_for_update(of=("self",))
        .select_related("request__kind__service", "request__case")
        .get(pk=permit.pk)
    )
    if permit.request.kind.service.unit_id not in user_unit_ids(actor):
        raise PermitError(_("Só a unidade licenciadora altera a situação deste alvará."))
    if permit.mode == IssueMode.EXEMPTION:
        # a level I activity needs no act of release (Lei 13.874/2019, art. 3º, I): the declaration
        # only states that, so there is no permit to suspend or cassar; irregularities go to inspection
        raise PermitError(
            _(
                "Uma declaração de dispensa não é um alvará: a atividade de baixo risco não depende de "
                "ato de liberação (Lei 13.874/2019, art. 3º, I), então não há situação a suspender ou "
                "cassar. Irregularidades seguem para a fiscalização."
            )
        )
    if status not in (PermitStatus.SUSPENDED, PermitStatus.REVOKED, PermitStatus.VALID):
        raise PermitError(_("Situação inválida."), extra={"field": "status"})
    if permit.status == PermitStatus.REVOKED:
        raise PermitError(_("Um alvará cassado não muda mais de situação."))
    if not reason.strip():
        raise PermitError(_("Informe o motivo."), extra={"field": "reason"})
    permit.status = status
    permit.status_reason = reason.strip()[:2000]
    permit.status_changed_at = timezone.now()
    permit.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    _notify(
        permit.request,
        "permit_status_changed",
        number=permit.number,
        status_label=str(PermitStatus(status).label).lower(),
        reason=permit.status_reason,
    )
    return permit


# --- classification by staff ------------------------------------------------------------------------


@transaction.atomic
def request_file_classify(
    *, request_file: RequestFile, actor: User, item: ChecklistItem | None
) -> RequestFile:
    """Staff correct a file's checklist item. The file counts as a correction of the rules when the
    rules had matched an item (`rule_item`) and staff chose another one or none, however many times
    staff change it. A request waiting for the requester's fix is checked again (the same job as the
    submission, after commit): the corrected file may be the document the checklist missed."""
    # the request first, then the file: the order the pre-analysis job takes them in
    request = (
        PermitRequest.objects.select_for_update(of=("self",))
        .select_related("kind__service", "case")
        .get(pk=request_file.request_id)
    )
    request_file = RequestFile.objects.select_for_update(of=("self",)).get(
        pk=request_file.pk, request=request
    )
    request_file.request = request
    if (
        request.case.current_unit_id not in user_unit_ids(actor)
        and not request.opinions.filter(unit_id__in=user_unit_ids(actor)).exists()
    ):
        raise PermitError(_("Este pedido não está na sua unidade."))
    if item is not None and item.kind_id != request.kind_id:
        raise PermitError(_("Este item é de outro tipo de alvará."), extra={"field": "item"})
    request_file.is_corrected = (
        request_file.rule_item_id is not None and request_file.rule_item_id != getattr(item, "pk", None)
    )
    moved_off = request_file.item_id if request_file.item_id != getattr(item, "pk", None) else None
    request_file.item = item
    request_file.classified_by = ClassifiedBy.STAFF
    request_file.save(update_fields=["item", "classified_by", "is_corrected", "updated_at"])
    if moved_off is not None:
        _superseded_restore(request=request, item_id=moved_off, before=request_file.pk)
    if request.status == RequestStatus.NEEDS_FIX:
        request.status = RequestStatus.PRE_ANALYSIS
        request.save(update_fields=["status", "updated_at"])
        _analyse_enqueue(request)
    return request_file


def _superseded_restore(*, request: PermitRequest, item_id: int, before: int) -> None:
    """A file staff moved off an item may have superseded the item's earlier file (`_files_supersede`,
    on a wrong rules match): with no current file left for the item, its latest earlier one is current
    again, so staff and the checklist see it."""
    files = request.files.filter(item_id=item_id)
    if files.filter(is_current=True).exists():
        return
    latest = files.filter(is_current=False, pk__lt=before).order_by("-pk").first()
    if latest is not None:
        latest.is_current = True
        latest.save(update_fields=["is_current", "updated_at"])


# --- periodic jobs ----------------------------------------------------------------------------------


TACIT_NOTICE_BUSINESS_DAYS = 5  # the requester is told when this many business days are left


def _request_locked(request_id: int) -> PermitRequest:
    """One request of a daily job's list, locked for the rest of the caller's transaction."""
    return (
        PermitRequest.objects.select_for_update(of=("self",))
        .select_related("case__citizen", "kind__service")
        .get(pk=request_id)
    )


def tacit_countdown_notices_run(*, today: dt.date | None = None) -> int:
    """Tell each requester, once, when `TACIT_NOTICE_BUSINESS_DAYS` or fewer business days are left
    before tacit approval (`permit_tacit_countdown`); returns how many were told."""
    today = today or timezone.localdate()
    calendar = BusinessCalendar()
    sent = 0
    for request_id in PermitRequest.objects.filter(
        status__in=[RequestStatus.IN_ANALYSIS, RequestStatus.READY],
        decision_due__gte=today,
        tacit_notice_sent_at__isnull=True,
    ).values_list("pk", flat=True):
        with transaction.atomic():
            request = _request_locked(request_id)
            if request.tacit_notice_sent_at is not None or request.decision_due is None:
                continue
            left = calendar.business_days_between(today, request.decision_due)
            if left > TACIT_NOTICE_BUSINESS_DAYS:
                continue
            _notify(request, "permit_tacit_countdown", days_left=left, decision_due=request.decision_due)
            request.tacit_notice_sent_at = timezone.now()
            request.save(update_fields=["tacit_notice_sent_at", "updated_at"])
            sent += 1
    return sent


def tacit_approvals_run(*, today: dt.date | None = None) -> int:
    """Lei 13.874/2019, art. 3º, IX: a request whose decision deadline ran out with no answer is
    approved and its permit issued (each in its own transaction; running again finds none); those
    close to it get the countdown notice first."""
    today = today or timezone.localdate()
    tacit_clocks_start()
    tacit_countdown_notices_run(today=today)
    due = list(
        PermitRequest.objects.filter(
            status__in=[RequestStatus.IN_ANALYSIS, RequestStatus.READY], decision_due__lt=today
        )
        .exclude(fee_amount__gt=0, fee_paid_at__isnull=True)
        .values_list("pk", flat=True)
    )
    issued = 0
    for request_id in due:
        with transaction.atomic():
            # the list above may be stale: refused, appealed or issued since; read it again locked
            request = PermitRequest.objects.select_for_update(of=("self",)).get(pk=request_id)
            if not _system_issuable(request, mode=IssueMode.TACIT, today=today):
                continue
            try:
                permit_issue_system(request=request, mode=IssueMode.TACIT, today=today)
            except ApplicationError:
                logger.exception("tacit approval of permit request %s failed", request_id)
                continue
        issued += 1
    return issued


def tacit_clocks_start() -> int:
    """Start the tacit-approval deadline of requests sent to analysis with the fee unpaid (sent on
    anyway) once the guide is paid: Lei 13.874/2019, art. 3º, IX runs the deadline from when "todos os
    elementos necessários à instrução do processo" are in, so it counts from the payment's day. The
    requester gets the in-analysis notice with the date then."""
    started = 0
    for request_id in PermitRequest.objects.filter(
        status__in=[RequestStatus.IN_ANALYSIS, RequestStatus.READY],
        decision_due__isnull=True,
        fee_paid_at__isnull=False,
    ).values_list("pk", flat=True):
        with transaction.atomic():
            request = _request_locked(request_id)
            started += tacit_clock_start(request)
    return started


def tacit_clock_start(request: PermitRequest) -> bool:
    """Start one request's tacit-approval deadline from its payment's day (the request row locked by
    the caller): by the fee handler when the guide is paid, or by the daily job for what it missed."""
    if (
        request.decision_due is not None
        or request.fee_paid_at is None
        or request.status not in (RequestStatus.IN_ANALYSIS, RequestStatus.READY)
        or sent_incomplete(request)
    ):
        return False
    request.decision_due = decision_due_from(request, start=timezone.localdate(request.fee_paid_at))
    request.save(update_fields=["decision_due", "updated_at"])
    case_deadline_set(case=request.case, deadline=request.decision_due)
    _notify(request, "permit_in_analysis", units=_units_asked(request), decision_due=request.decision_due)
    return True


@transaction.atomic
def fee_paid_handler(guide: Any) -> None:
    """Called by payments (registered in `apps.py`; in a job, after commit, idempotently) when a
    permit fee guide is paid: the request records the payment and its pre-analysis runs again or, if
    it was sent on to analysis unpaid, its tacit-approval deadline starts (`tacit_clock_start`)."""
    request = PermitRequest.objects.select_for_update(of=("self",)).filter(pk=int(guide.reference)).first()
    if request is None or request.fee_paid_at is not None:
        return
    request.fee_paid_at = getattr(guide, "paid_at", None) or timezone.now()
    fields = ["fee_paid_at", "updated_at"]
    if request.status == RequestStatus.NEEDS_FIX:  # the unpaid fee was what held it: check again
        request.status = RequestStatus.PRE_ANALYSIS
        fields.append("status")
    request.save(update_fields=fields)
    if request.status == RequestStatus.PRE_ANALYSIS:
        _analyse_enqueue(request)
    else:  # sent on to analysis unpaid: the tacit-approval deadline starts from the payment's day
        tacit_clock_start(request)


def renewal_reminders_run(*, days_before: int, today: dt.date | None = None) -> int:
    """Remind holders of valid permits that expire within `days_before` days (once per permit), and
    mark permits past their date as expired."""
    today = today or timezone.localdate()
    Permit.objects.filter(status=PermitStatus.VALID, valid_until__lt=today).update(
        status=PermitStatus.EXPIRED, status_changed_at=timezone.now()
    )
    sent = 0
    for permit in Permit.objects.select_related("request__case__citizen", "request__kind__service").filter(
        status=PermitStatus.VALID,
        reminder_sent_at__isnull=True,
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=days_before),
    ):
        with transaction.atomic():
            locked = Permit.objects.select_for_update(of=("self",)).get(pk=permit.pk)
            if locked.reminder_sent_at is not None:
                continue
            _notify(
                permit.request,
                "permit_renewal_reminder",
                number=permit.number,
                valid_until=permit.valid_until,
                renew_link=(
                    f"{municipality_base_url(current_tenant())}/alvaras/solicitar/"
                    f"{permit.request.kind.service.code}/"
                ),
            )
            locked.reminder_sent_at = timezone.now()
            locked.save(update_fields=["reminder_sent_at", "updated_at"])
            sent += 1
    return sent


# --- notices ----------------------------------------------------------------------------------------


def _notify(request: PermitRequest, key: str, **context: Any) -> None:
    """The permit's own editable text `key` (notifications' `permit_*` templates) to the requester,
    by e-mail and in the inbox; every text gets nup, kind_name, risk_label, link, municipality_name."""
    citizen = request.case.citizen
    if citizen is None:
        return
    notification_queue(
        template_key=key,
        context={
            "nup": request.case.nup,
            "kind_name": request.kind.service.name,
            "risk_label": str(RiskLevel(request.risk_level).label),
            "link": f"{municipality_base_url(current_tenant())}/alvaras/pedidos/{request.pk}/",
            "municipality_name": getattr(current_tenant(), "display_name", ""),
            **context,
        },
        recipient=citizen,
        channels=(Channel.EMAIL, Channel.INBOX),
        link_url=f"/alvaras/pedidos/{request.pk}/",
        subject_kind="case",
        subject_id=request.case_id,
    )


ISSUE_MODE_PHRASES: dict[str, Any] = {
    IssueMode.STAFF: _lazy("após análise"),
    IssueMode.AUTOMATIC: _lazy("automaticamente, atividade de médio risco"),
    IssueMode.TACIT: _lazy("por aprovação tácita"),
}


def _notify_issued(request: PermitRequest, permit: Permit) -> None:
    _notify(
        request,
        "permit_issued",
        number=permit.number,
        exemption=permit.mode == IssueMode.EXEMPTION,
        mode_label=str(ISSUE_MODE_PHRASES.get(permit.mode, "")),
        valid_until=permit.valid_until,
        verification_code=permit.document.verification_code,
    )


def _opinions_notify(request: PermitRequest, *, stage: int) -> None:
    """The staff of each unit whose opinion the stage asks get `permit_opinion_requested` in their
    inbox (and the daily e-mail digest), with the opinion's due date."""
    for opinion in request.opinions.filter(stage=stage, status=OpinionStatus.PENDING).select_related("unit"):
        member_ids = unit_member_user_ids(unit_ids=[opinion.unit_id])
        recipients = list(User.objects.filter(pk__in=member_ids, is_active=True).order_by("pk"))
        notification_queue_bulk(
            template_key="permit_opinion_requested",
            context={
                "nup": request.case.nup,
                "kind_name": request.kind.service.name,
                "risk_label": str(RiskLevel(request.risk_level).label),
                "unit_acronym": opinion.unit.acronym,
                "due": opinion.due,
                "decision_due": request.decision_due,
                "link": f"{municipality_base_url(current_tenant())}/staff/alvaras/{request.pk}/",
                "municipality_name": getattr(current_tenant(), "display_name", ""),
            },
            recipients=recipients,
            channels=(Channel.INBOX,),
            link_url=f"/staff/alvaras/{request.pk}/",
            subject_kind="case",
            subject_id=request.case_id,
        )


# --- the admin's builders ------------------------------------------------------------------------------


@transaction.atomic
def routing_rule_save(
    *,
    name: str,
    conditions: Any,
    stages: Any,
    position: int = 0,
    is_published: bool = False,
    rule: RoutingRule | None = None,
) -> RoutingRule:
    if not name.strip():
        raise PermitError(_("Dê um nome à regra."), extra={"field": "name"})
    clean_conditions = routing.conditions_clean(conditions)
    clean_stages = routing.stages_clean(stages, unit_ids=OrgUnit.objects.values_list("pk", flat=True))
    rule = rule or RoutingRule()
    rule.name = name.strip()[:200]
    rule.conditions = clean_conditions
    rule.stages = clean_stages
    rule.position = position
    rule.is_published = is_published
    rule.save()
    return rule


def routing_test(*, facts: routing.RequestFacts, include_drafts: bool = True) -> routing.Route:
    """Test mode: where a sample request would go, with the draft rules too (nothing is written)."""
    rules = RoutingRule.objects.order_by("position", "id")
    if not include_drafts:
        rules = rules.filter(is_published=True)
    return routing.route_compute(rules=list(rules), facts=facts)


@transaction.atomic
def checklist_item_save(
    *,
    kind: PermitKind,
    name: str,
    accepted_types: Sequence[str] = ("application/pdf",),
    max_size_mb: int = 10,
    must_be_signed: bool = False,
    validity_days: int | None = None,
    is_required: bool = True,
    match_words: Sequence[str] = (),
    position: int = 0,
    item: ChecklistItem | None = None,
) -> ChecklistItem:
    if not name.strip():
        raise PermitError(_("Dê um nome ao documento."), extra={"field": "name"})
    if not 1 <= max_size_mb <= 50:
        raise PermitError(_("O tamanho máximo deve ficar entre 1 e 50 MB."), extra={"field": "max_size_mb"})
    item = item or ChecklistItem(kind=kind)
    item.name = name.strip()[:200]
    item.accepted_types = [value.strip() for value in accepted_types if value.strip()]
    item.max_size_mb = max_size_mb
    item.must_be_signed = must_be_signed
    item.validity_days = validity_days
    item.is_required = is_required
    item.match_words = [word.strip() for word in match_words if word.strip()]
    item.position = position
    item.save()
    return item


@transaction.atomic
def permit_kind_save(
    *,
    service: Service,
    kind_type: str,
    uses_activity_risk: bool = True,
    fixed_level: str = RiskLevel.HIGH,
    template: Any = None,
    signature_level: str = "simples",
    validity_days: int = 365,
    decision_days: int = 30,
    conditions: str = "",
    fee_mode: str = "isento",
    fee_table: Any = None,
    terms_text: str = "",
) -> PermitKind:
    table = fees.fee_table_clean(mode=fee_mode, table=fee_table or {})
    kind, _created = PermitKind.objects.update_or_create(
        service=service,
        defaults={
            "kind_type": kind_type,
            "uses_activity_risk": uses_activity_risk,
            "fixed_level": fixed_level,
            "template": template,
            "signature_level": signature_level,
            "validity_days": validity_days,
            "decision_days": decision_days,
            "conditions": conditions,
            "fee_mode": fee_mode,
            "fee_table": table,
            "terms_text": terms_text,
        },
    )
    return kind


# --- the pre-analysis sweep (a periodic job) ---------------------------------------------------------


STALLED_GIVE_UP = dt.timedelta(hours=24)  # a day of sweeps: the job fails every time, a person must look


def pre_analysis_stalled_requeue(*, minutes: int, now: dt.datetime | None = None) -> list[int]:
    """Queue the pre-analysis job again for every request of this city still in pre-analysis
    `minutes` (PERMITS_PREANALYSIS_STALLED_MINUTES) after it got there: its job was lost (the broker
    unreachable at the commit, or its retries spent) and the request would wait "Em pré-análise"
    forever. The job locks the request and leaves alone one no longer in pre-analysis, so a job that
    was only slow and now runs twice does nothing more. Returns the requests' ids; a read then
    enqueues, nothing is written here. A request stalled for longer than `STALLED_GIVE_UP` is left
    alone: its job fails every time (each failure is reported to Sentry), and a person must look; it is
    logged as an error at every sweep until then."""
    now = now or timezone.now()
    stalled = PermitRequest.objects.filter(
        status=RequestStatus.PRE_ANALYSIS, updated_at__lte=now - dt.timedelta(minutes=minutes)
    )
    given_up = stalled.filter(updated_at__lt=now - STALLED_GIVE_UP).count()
    if given_up:
        logger.error(
            "permits: %d request(s) stalled in pre-analysis for over %s; not queued again",
            given_up,
            STALLED_GIVE_UP,
        )
    ids = list(
        stalled.filter(updated_at__gte=now - STALLED_GIVE_UP).order_by("pk").values_list("pk", flat=True)
    )
    for request_id in ids:
        _analyse_enqueue(PermitRequest(pk=request_id))
    if ids:
        logger.warning("permits: queued the pre-analysis of %d stalled request(s) again", len(ids))
    return ids
