"""Writes of the ombudsman. Each one goes through the case engine (tenant_apps.cases.services),
so the manifestation keeps its NUP, its hash-chained history and the unit notifications; this
module adds the Lei 13.460/2017 and LAI rules (deadlines.py), identity protection and the
filer's notifications by e-mail/SMS (the case's `citizen` is not the filer when protected).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import AccessDenied, ApplicationError
from paco.schemas import current_tenant
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import cpf_normalize, user_ensure
from tenant_apps.cases import services as case_services
from tenant_apps.cases.enums import CaseChannel, CaseStatus
from tenant_apps.catalog.enums import DeadlineKind
from tenant_apps.catalog.models import Service
from tenant_apps.catalog.services import service_ensure
from tenant_apps.notifications.enums import Channel, SubjectKind
from tenant_apps.notifications.selectors import notification_sent_since
from tenant_apps.notifications.services import notification_queue
from tenant_apps.org.enums import Role
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import user_unit_ids
from tenant_apps.org.services import membership_ensure
from tenants.selectors import municipality_base_url

from . import deadlines
from .codes import access_code_hash as access_code_hash
from .codes import access_code_new
from .enums import AppealInstance, IdentityMode, ManifestationKind
from .models import Appeal, IdentityAccess, Manifestation, OmbudsmanSettings, UnitInput
from .office import ombudsman_unit as ombudsman_unit
from .office import user_is_ombudsman as user_is_ombudsman

SYSTEM_EMAIL = "sistema.ouvidoria@paco.invalid"
SERVICE_CODE_MANIFESTATION = "ouvidoria"
SERVICE_CODE_INFORMATION = "acesso-a-informacao"


def follow_url() -> str:
    return f"{municipality_base_url(current_tenant())}{reverse('ombudsman:follow')}"


def system_user() -> User:
    """The inactive account that opens portal manifestations and stands in as the case's requester.

    It never logs in (no usable password, inactive) and is lotado in the ombudsman unit so that a
    filer's reopening inside the window goes through `case_reopen` like any other.
    """
    user = user_ensure(
        email=SYSTEM_EMAIL, full_name="Sistema da Ouvidoria", kind=UserKind.STAFF, is_active=False
    )
    membership_ensure(user_id=user.pk, unit=ombudsman_unit(), role=Role.STAFF)
    return user


SERVICE_NAMES = {
    SERVICE_CODE_MANIFESTATION: (
        "Ouvidoria: reclamação, denúncia, sugestão, elogio ou solicitação de providências"
    ),
    SERVICE_CODE_INFORMATION: "Pedido de acesso à informação (LAI)",
}


@transaction.atomic
def ombudsman_services_ensure(*, rules: OmbudsmanSettings | None = None) -> dict[str, Service]:
    """The two internal catalogue services manifestations are opened on, routed to the ombudsman office."""
    rules = rules or deadlines.settings_default()
    unit = ombudsman_unit(rules)
    deadline_days = {SERVICE_CODE_MANIFESTATION: rules.answer_days, SERVICE_CODE_INFORMATION: rules.lai_days}
    return {
        code: service_ensure(
            code=code,
            name=name,
            unit=unit,
            group="Ouvidoria",
            deadline_days=deadline_days[code],
            deadline_kind=DeadlineKind.CALENDAR_DAYS,
            is_public=False,
        )
        for code, name in SERVICE_NAMES.items()
    }


def _service_for(kind: str) -> Service:
    code = (
        SERVICE_CODE_INFORMATION
        if kind == ManifestationKind.INFORMATION_ACCESS
        else SERVICE_CODE_MANIFESTATION
    )
    service = ombudsman_services_ensure()[code]
    if not service.is_active:
        raise ApplicationError(_("A ouvidoria não está recebendo manifestações por este canal no momento."))
    return service


def _pseudonym(pk: int, nup: str) -> str:
    return (
        "Manifestante "
        + hashlib.sha256(f"{current_tenant().schema_name}:{pk}:{nup}".encode()).hexdigest()[:4].upper()
    )


@transaction.atomic
def notify_filer(*, manifestation: Manifestation, template_key: str, **context: Any) -> None:
    """A copy of every update to the filer, by e-mail and SMS, to whatever contact they gave."""
    case = manifestation.case
    recipient = case.citizen if manifestation.identity_mode == IdentityMode.IDENTIFIED else None
    if recipient is not None and recipient.email == SYSTEM_EMAIL:
        recipient = None
    email = manifestation.filer_email or (getattr(recipient, "email", "") if recipient else "")
    phone = manifestation.filer_phone or (getattr(recipient, "phone", "") if recipient else "")
    if not email and not phone:
        return
    notification_queue(
        template_key=template_key,
        context={
            "case": case,
            "manifestation": manifestation,
            "kind": manifestation.get_kind_display(),
            "municipality_name": current_tenant().display_name,
            **context,
        },
        recipient=recipient,
        channels=(Channel.EMAIL, Channel.SMS),
        email=email,
        phone=phone,
        link_url=follow_url(),
        subject_kind=SubjectKind.MANIFESTATION,
        subject_id=manifestation.pk,
    )


def _lock(manifestation: Manifestation) -> Manifestation:
    return (
        Manifestation.objects.select_for_update(of=("self",))
        .select_related("case", "case__current_unit", "case__service", "case__citizen")
        .get(pk=manifestation.pk)
    )


def _require_ombudsman(actor: User, rules: OmbudsmanSettings) -> None:
    if getattr(actor, "kind", None) != UserKind.STAFF or not user_is_ombudsman(actor, rules):
        raise AccessDenied(_("Só a ouvidoria pode fazer isto."))


@transaction.atomic
def manifestation_file(
    *,
    kind: str,
    identity_mode: str,
    subject: str,
    description: str,
    filer_name: str = "",
    filer_cpf: str = "",
    filer_email: str = "",
    filer_phone: str = "",
    citizen: User | None = None,
    registered_by: User | None = None,
) -> tuple[Manifestation, str]:
    """File a manifestation (or LAI request) as a case; returns it and the follow-up code (shown once).

    Only the code's SHA-256 is stored. Anonymous manifestations keep no identity at all; an LAI
    request must identify the requester (Lei 12.527/2011, art. 10). `registered_by` is the staff
    member who took it by phone or in person on the citizen's behalf.
    """
    if kind not in ManifestationKind.values:
        raise ApplicationError(_("Escolha o tipo de manifestação."), extra={"field": "kind"})
    if identity_mode not in IdentityMode.values:
        raise ApplicationError(_("Escolha como quer se identificar."), extra={"field": "identity_mode"})
    if not description.strip():
        raise ApplicationError(_("Descreva a sua manifestação."), extra={"field": "description"})
    if kind == ManifestationKind.INFORMATION_ACCESS and identity_mode == IdentityMode.ANONYMOUS:
        raise ApplicationError(
            _("O pedido de acesso à informação exige identificação (Lei 12.527/2011, art. 10)."),
            extra={"field": "identity_mode"},
        )
    if citizen is not None and identity_mode != IdentityMode.ANONYMOUS:
        filer_name = filer_name or citizen.full_name
        filer_cpf = filer_cpf or (citizen.cpf or "")
        filer_email = filer_email or citizen.email
        filer_phone = filer_phone or citizen.phone
    if identity_mode == IdentityMode.ANONYMOUS:
        filer_name = filer_cpf = filer_email = filer_phone = ""
        citizen = None
    else:
        if not filer_name.strip():
            raise ApplicationError(_("Informe o seu nome."), extra={"field": "filer_name"})
        if not filer_email.strip() and not filer_phone.strip():
            raise ApplicationError(
                _("Informe um e-mail ou um celular para receber as respostas."),
                extra={"field": "filer_email"},
            )
        if filer_cpf.strip():
            filer_cpf = cpf_normalize(value=filer_cpf)
    rules = deadlines.settings_default()
    service = _service_for(kind)
    stand_in = system_user()
    case_citizen = citizen if identity_mode == IdentityMode.IDENTIFIED and citizen is not None else stand_in
    label = ManifestationKind(kind).label
    case = case_services.case_open(
        service=service,
        opened_by=registered_by or stand_in,
        form_data={},
        subject=f"{label}: {subject.strip() or description.strip()[:80]}",
        description=description,
        channel=CaseChannel.STAFF if registered_by else CaseChannel.PORTAL,
        citizen=case_citizen,
    )
    deadline = deadlines.answer_deadline(
        rules,
        start=timezone.localdate(case.opened_at),
        is_information_access=kind == ManifestationKind.INFORMATION_ACCESS,
    )
    case = case_services.case_deadline_set(case=case, deadline=deadline)
    code = access_code_new()
    manifestation = Manifestation.objects.create(
        case=case,
        kind=kind,
        identity_mode=identity_mode,
        filer_name=filer_name.strip(),
        filer_cpf=filer_cpf,
        filer_email=filer_email.strip().lower(),
        filer_phone=filer_phone.strip(),
        pseudonym="",
        access_code_hash=access_code_hash(code),
        registered_by=registered_by,
    )
    manifestation.pseudonym = _pseudonym(manifestation.pk, case.nup)
    manifestation.save(update_fields=["pseudonym", "updated_at"])
    notify_filer(manifestation=manifestation, template_key="ombudsman_received")
    return manifestation, code


@transaction.atomic
def manifestation_input_request(
    *, manifestation: Manifestation, actor: User, unit: OrgUnit, question: str
) -> UnitInput:
    """The ombudsman sends the manifestation to the unit that resolves it (20 days, art. 16, par. único)."""
    manifestation = _lock(manifestation)
    rules = deadlines.settings_default()
    _require_ombudsman(actor, rules)
    if not question.strip():
        raise ApplicationError(_("Escreva o que a unidade deve responder."), extra={"field": "question"})
    case_services.case_forward(case=manifestation.case, actor=actor, to_unit=unit, note=question)
    unit_input = UnitInput.objects.create(
        manifestation=manifestation,
        unit=unit,
        question=question.strip(),
        requested_by=actor,
        deadline=deadlines.unit_input_deadline(rules, start=timezone.localdate()),
    )
    notify_filer(
        manifestation=manifestation,
        template_key="ombudsman_updated",
        event_summary=_("encaminhada à unidade responsável"),
    )
    return unit_input


def _pending_input(manifestation: Manifestation, actor: User) -> UnitInput:
    unit_input = (
        manifestation.unit_inputs.filter(answered_at__isnull=True, unit_id__in=user_unit_ids(actor))
        .order_by("created_at")
        .first()
    )
    if unit_input is None:
        raise AccessDenied(_("Não há pedido da ouvidoria aguardando a sua unidade."))
    return unit_input


@transaction.atomic
def manifestation_input_answer(*, manifestation: Manifestation, actor: User, answer: str) -> UnitInput:
    """The unit answers the ombudsman; the case goes back to the ombudsman office with the answer."""
    manifestation = _lock(manifestation)
    unit_input = _pending_input(manifestation, actor)
    if not answer.strip():
        raise ApplicationError(_("Escreva a resposta da unidade."), extra={"field": "answer"})
    case = manifestation.case
    case_services.case_dispatch(case=case, actor=actor, text=answer, is_public=False)
    case.refresh_from_db()
    office = ombudsman_unit()
    if case.current_unit_id != office.pk:
        case_services.case_forward(
            case=case, actor=actor, to_unit=office, note=_("Resposta da unidade à ouvidoria")
        )
    unit_input.answer = answer.strip()
    unit_input.answered_at = timezone.now()
    unit_input.answered_by = actor
    unit_input.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
    return unit_input


@transaction.atomic
def manifestation_input_extend(*, manifestation: Manifestation, actor: User, justification: str) -> UnitInput:
    """The consulted unit extends its own deadline once (Lei 13.460/2017, art. 16, parágrafo único)."""
    manifestation = _lock(manifestation)
    unit_input = _pending_input(manifestation, actor)
    rules = deadlines.settings_default()
    unit_input.deadline = deadlines.unit_input_extension(
        rules,
        deadline=unit_input.deadline,
        already_extended=unit_input.extended_at is not None,
        justification=justification,
    )
    unit_input.extended_at = timezone.now()
    unit_input.extension_justification = justification.strip()
    unit_input.save(update_fields=["deadline", "extended_at", "extension_justification", "updated_at"])
    case_services.case_dispatch(
        case=manifestation.case,
        actor=actor,
        is_public=False,
        text=_("Prazo da unidade prorrogado até %(date)s. Justificativa: %(text)s")
        % {"date": unit_input.deadline.strftime("%d/%m/%Y"), "text": justification.strip()},
    )
    return unit_input


@transaction.atomic
def manifestation_extend(*, manifestation: Manifestation, actor: User, justification: str) -> Manifestation:
    """Extend the final deadline once, with a justification the filer reads (deadlines.answer_extension)."""
    manifestation = _lock(manifestation)
    rules = deadlines.settings_default()
    _require_ombudsman(actor, rules)
    case = manifestation.case
    if case.status == CaseStatus.CLOSED:
        raise ApplicationError(_("Esta manifestação já foi concluída."))
    new_deadline = deadlines.answer_extension(
        rules,
        deadline=case.deadline,
        today=timezone.localdate(),
        is_information_access=manifestation.is_information_access,
        already_extended=manifestation.extended_at is not None,
        justification=justification,
    )
    # the dispatch goes first: it checks the actor may act on the case where it is now
    case_services.case_dispatch(
        case=case,
        actor=actor,
        is_public=True,
        text=_("Prazo de resposta prorrogado até %(date)s. Justificativa: %(text)s")
        % {"date": new_deadline.strftime("%d/%m/%Y"), "text": justification.strip()},
    )
    manifestation.case = case_services.case_deadline_set(case=case, deadline=new_deadline)
    manifestation.extended_at = timezone.now()
    manifestation.extended_by = actor
    manifestation.extension_justification = justification.strip()
    manifestation.save(update_fields=["extended_at", "extended_by", "extension_justification", "updated_at"])
    notify_filer(
        manifestation=manifestation,
        template_key="ombudsman_extended",
        new_deadline=new_deadline,
        justification=justification.strip(),
    )
    return manifestation


@transaction.atomic
def manifestation_request_information(
    *, manifestation: Manifestation, actor: User, question: str
) -> Manifestation:
    """Ask the filer for more information: the clock stops (case_request_information)."""
    manifestation = _lock(manifestation)
    case_services.case_request_information(case=manifestation.case, actor=actor, question=question)
    notify_filer(
        manifestation=manifestation, template_key="ombudsman_information_requested", question=question.strip()
    )
    return manifestation


@transaction.atomic
def manifestation_answer_information(*, manifestation: Manifestation, answer: str) -> Manifestation:
    """The filer (with the code or signed in) answers; the clock restarts (case_answer_information)."""
    manifestation = _lock(manifestation)
    case = manifestation.case
    case_services.case_answer_information(case=case, citizen=case.citizen, answer=answer)
    return manifestation


@transaction.atomic
def manifestation_close(
    *, manifestation: Manifestation, actor: User, answer: str, uploads: Any = (), otp_token: str = ""
) -> Manifestation:
    """The ombudsman's final answer (art. 16). "Closed" is not "resolved": the filer says that.

    `uploads` are documents that go with the answer (an LAI answer may attach the information
    requested, Lei 12.527/2011 art. 11 § 1º I): joined to the case file, visible to the filer.
    """
    manifestation = _lock(manifestation)
    rules = deadlines.settings_default()
    _require_ombudsman(actor, rules)
    if uploads:
        case_services.case_attach(case=manifestation.case, actor=actor, uploads=uploads, is_public=True)
    # the answer document is signed by the ombudsman (tenant_apps.signatures; advanced with the code)
    case = case_services.case_close(case=manifestation.case, actor=actor, answer=answer, otp_token=otp_token)
    manifestation.is_answered_in_time = timezone.localdate(case.closed_at) <= case.deadline
    manifestation.is_resolved = None
    manifestation.satisfaction = None
    manifestation.rated_at = None
    manifestation.save(
        update_fields=["is_answered_in_time", "is_resolved", "satisfaction", "rated_at", "updated_at"]
    )
    notify_filer(manifestation=manifestation, template_key="ombudsman_closed")
    return manifestation


@transaction.atomic
def manifestation_rate(
    *, manifestation: Manifestation, is_resolved: bool, satisfaction: int
) -> Manifestation:
    manifestation = _lock(manifestation)
    if manifestation.case.status != CaseStatus.CLOSED:
        raise ApplicationError(_("A avaliação fica disponível depois da resposta final."))
    if manifestation.rated_at is not None:
        raise ApplicationError(_("Esta resposta já foi avaliada. Obrigado!"))
    if satisfaction not in range(1, 6):
        raise ApplicationError(_("Escolha uma nota de 1 a 5."), extra={"field": "satisfaction"})
    manifestation.is_resolved = is_resolved
    manifestation.satisfaction = satisfaction
    manifestation.rated_at = timezone.now()
    manifestation.save(update_fields=["is_resolved", "satisfaction", "rated_at", "updated_at"])
    return manifestation


@transaction.atomic
def manifestation_reopen(*, manifestation: Manifestation, reason: str) -> Manifestation:
    """The filer reopens within the window (deadlines.reopen_until); a new answer deadline starts."""
    manifestation = _lock(manifestation)
    case = manifestation.case
    if case.status != CaseStatus.CLOSED or case.closed_at is None:
        raise ApplicationError(_("Só manifestações concluídas podem ser reabertas."))
    rules = deadlines.settings_default()
    until = deadlines.reopen_until(rules, closed_on=timezone.localdate(case.closed_at))
    if timezone.localdate() > until:
        raise ApplicationError(
            _("O prazo para reabrir terminou em %(date)s.") % {"date": until.strftime("%d/%m/%Y")}
        )
    if not reason.strip():
        raise ApplicationError(_("Conte por que quer reabrir."), extra={"field": "reason"})
    case = case_services.case_reopen(case=case, actor=system_user(), reason=reason)
    case = case_services.case_deadline_set(
        case=case,
        deadline=deadlines.answer_deadline(
            rules, start=timezone.localdate(), is_information_access=manifestation.is_information_access
        ),
    )
    manifestation.reopened_at = timezone.now()
    manifestation.is_answered_in_time = None
    manifestation.save(update_fields=["reopened_at", "is_answered_in_time", "updated_at"])
    return manifestation


@transaction.atomic
def identity_reveal(*, manifestation: Manifestation, user: User, reason: str) -> IdentityAccess:
    """Log who saw a protected identity, when and why; only the ombudsman office may see it."""
    rules = deadlines.settings_default()
    _require_ombudsman(user, rules)
    if not reason.strip():
        raise ApplicationError(_("Informe o motivo do acesso à identidade."), extra={"field": "reason"})
    return IdentityAccess.objects.create(
        manifestation=manifestation,
        user=user,
        user_name=user.full_name,
        unit_name=str(ombudsman_unit(rules)),
        reason=reason.strip()[:500],
        accessed_at=timezone.now(),
    )


@transaction.atomic
def appeal_file(*, manifestation: Manifestation, reason: str) -> Appeal:
    """A LAI appeal, 1st then 2nd instance, each within 10 days of the decision it contests."""
    manifestation = _lock(manifestation)
    if not manifestation.is_information_access:
        raise ApplicationError(_("Recursos valem para pedidos de acesso à informação."))
    case = manifestation.case
    if case.status != CaseStatus.CLOSED or case.closed_at is None:
        raise ApplicationError(_("Só é possível recorrer depois da resposta."))
    if not reason.strip():
        raise ApplicationError(_("Escreva as razões do recurso."), extra={"field": "reason"})
    rules = deadlines.settings_default()
    appeals = list(manifestation.appeals.all())
    if not appeals:
        instance, informed_on = AppealInstance.FIRST, timezone.localdate(case.closed_at)
    elif len(appeals) == 1 and appeals[0].decided_at is not None and appeals[0].is_granted is False:
        instance, informed_on = AppealInstance.SECOND, timezone.localdate(appeals[0].decided_at)
    else:
        raise ApplicationError(_("Não há recurso cabível neste momento."))
    last_day = deadlines.appeal_filing_deadline(rules, informed_on=informed_on)
    today = timezone.localdate()
    if today > last_day:
        raise ApplicationError(
            _("O prazo para recorrer terminou em %(date)s.") % {"date": last_day.strftime("%d/%m/%Y")}
        )
    appeal = Appeal.objects.create(
        manifestation=manifestation,
        instance=instance,
        reason=reason.strip(),
        deadline=deadlines.appeal_decision_deadline(rules, filed_on=today, instance=instance),
    )
    notify_filer(
        manifestation=manifestation, template_key="ombudsman_updated", event_summary=_("recurso recebido")
    )
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, actor: User, decision: str, is_granted: bool) -> Appeal:
    rules = deadlines.settings_default()
    _require_ombudsman(actor, rules)
    appeal = Appeal.objects.select_for_update().select_related("manifestation__case").get(pk=appeal.pk)
    if appeal.decided_at is not None:
        raise ApplicationError(_("Este recurso já foi decidido."))
    if not decision.strip():
        raise ApplicationError(_("Escreva a decisão."), extra={"field": "decision"})
    appeal.decision = decision.strip()
    appeal.is_granted = is_granted
    appeal.decided_at = timezone.now()
    appeal.decided_by = actor
    appeal.save(update_fields=["decision", "is_granted", "decided_at", "decided_by", "updated_at"])
    notify_filer(
        manifestation=appeal.manifestation,
        template_key="ombudsman_updated",
        event_summary=_("recurso decidido"),
    )
    return appeal


def ombudsman_escalate(*, today: Any = None) -> int:
    """Tell each unit manager, once a day, about overdue manifestations and unit inputs in their unit."""
    today = today or timezone.localdate()
    overdue: dict[int, list[Manifestation]] = {}
    open_cases = (
        Manifestation.objects.select_related("case", "case__current_unit")
        .filter(case__paused_since__isnull=True)
        .exclude(case__status=CaseStatus.CLOSED)
    )
    for manifestation in open_cases.filter(case__deadline__lt=today):
        overdue.setdefault(manifestation.case.current_unit_id, []).append(manifestation)
    for unit_input in UnitInput.objects.select_related("manifestation__case").filter(
        answered_at__isnull=True, deadline__lt=today
    ):
        bucket = overdue.setdefault(unit_input.unit_id, [])
        if unit_input.manifestation not in bucket:
            bucket.append(unit_input.manifestation)
    sent = 0
    base = municipality_base_url(current_tenant())
    start_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    for unit_id, items in overdue.items():
        managers = User.objects.filter(
            is_active=True,
            memberships__unit_id=unit_id,
            memberships__role__in=(Role.MANAGER, Role.ADMIN),
        ).distinct()
        for manager in managers:
            for manifestation in items:
                if notification_sent_since(
                    template_key="ombudsman_overdue",
                    recipient_id=manager.pk,
                    subject_kind=SubjectKind.MANIFESTATION,
                    subject_id=manifestation.pk,
                    since=start_of_day,
                ):
                    continue
                notification_queue(
                    template_key="ombudsman_overdue",
                    context={"case": manifestation.case, "kind": manifestation.get_kind_display()},
                    recipient=manager,
                    channels=(Channel.INBOX, Channel.EMAIL),
                    link_url=base
                    + reverse(
                        "ombudsman:staff_detail",
                        kwargs={"manifestation_nup": case_services.nup_digits(nup=manifestation.case.nup)},
                    ),
                    subject_kind=SubjectKind.MANIFESTATION,
                    subject_id=manifestation.pk,
                )
                sent += 1
    return sent


@transaction.atomic
def ombudsman_settings_update(*, settings: OmbudsmanSettings) -> OmbudsmanSettings:
    """Save the municipality's single settings row (deadlines apply to what is filed afterwards)."""
    existing = OmbudsmanSettings.objects.select_for_update().first()
    if existing is not None and settings.pk != existing.pk:
        settings.pk = existing.pk
        settings.created_at = existing.created_at
    settings.save()
    return settings
