"""Writes of the health module. Bookings, cancellations, no-shows and attendance go through the
scheduling engine's services (`tenant_apps.scheduling.services`); this module adds its own rules
around them: patients (CNS), the waiting list and its slot offers, check-in and the access log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from paco.errors import PASS_THROUGH, AccessDenied, ApplicationError
from paco.schemas import current_tenant
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.notifications.enums import Channel, SubjectKind
from tenant_apps.notifications.services import notification_queue
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import user_unit_ids
from tenant_apps.scheduling import services as engine
from tenant_apps.scheduling.enums import (
    AppointmentChannel,
    AppointmentStatus,
    AttendanceMode,
    AttendanceOutcome,
)
from tenant_apps.scheduling.models import Appointment, AvailabilityException, AvailabilityRule, SlotKind
from tenant_apps.scheduling.slots import agenda_zone
from tenants.selectors import municipality_base_url

from .enums import KIND_FIRST, KIND_PRIORITY, KIND_RETURN, POLICY, PURPOSE, OfferStatus, WaitStatus
from .models import (
    CheckIn,
    HealthSettings,
    HealthUnit,
    Patient,
    Professional,
    RecordAccess,
    Schedule,
    SlotOffer,
    Specialty,
    SuspensionLift,
    WaitingListEntry,
)
from .policies import health_settings, suspension_until, visit_kind_for
from .selectors import history_access_allowed, reception_units, user_is_health_manager
from .validators import digits_only

logger = logging.getLogger(__name__)

KIND_NAMES = {
    KIND_FIRST: ("Primeira consulta", 0),
    KIND_RETURN: ("Retorno", 1),
    KIND_PRIORITY: ("Prioritário (Lei 10.048/2000 e Lei 10.741/2003)", 2),
}


def _clean(instance: Any, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except DjangoValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ApplicationError(messages[0], extra={"field": field if field != "__all__" else ""}) from error


# --- the secretariat's admin ------------------------------------------------------------------


@transaction.atomic
def health_settings_save(**values: Any) -> HealthSettings:
    """Save the city's rules and apply the opening rule and the cancellation limit to every health
    agenda (the engine reads them from the agenda)."""
    rules = health_settings()
    for name, value in values.items():
        setattr(rules, name, value)
    _clean(rules)
    rules.save()
    for schedule in Schedule.objects.select_related("agenda"):
        engine.agenda_save(
            agenda=schedule.agenda,
            resource_user_ids=[schedule.professional.user_id],
            opens_weekday=rules.opens_weekday,
            opens_time=rules.opens_time,
            cancel_limit_hours=rules.cancel_limit_hours,
        )
    return rules


@transaction.atomic
def specialty_save(*, name: str, specialty: Specialty | None = None) -> Specialty:
    specialty = specialty or Specialty()
    specialty.name = name.strip()
    specialty.code = specialty.code or slugify(name)[:60]
    _clean(specialty)
    specialty.save()
    return specialty


@transaction.atomic
def health_unit_save(
    *, name: str, cnes: str, org_unit: OrgUnit, kind: str, address: str = "", unit: HealthUnit | None = None
) -> HealthUnit:
    unit = unit or HealthUnit()
    unit.name, unit.cnes, unit.org_unit, unit.kind, unit.address = (
        name.strip(),
        cnes.strip(),
        org_unit,
        kind,
        address,
    )
    _clean(unit)
    unit.save()
    return unit


@transaction.atomic
def professional_save(
    *,
    user: User,
    cns: str,
    cbo: str,
    specialties: Sequence[Specialty],
    council: str = "",
    professional: Professional | None = None,
) -> Professional:
    """A staff member as a health professional (CNS validated by its check rule, CBO with 6 digits),
    with the engine resource that holds their appointments."""
    if getattr(user, "kind", None) != UserKind.STAFF or not user.is_active:
        raise ApplicationError(
            _("O profissional precisa ter uma conta ativa de servidor."), extra={"field": "user"}
        )
    if not specialties:
        raise ApplicationError(_("Escolha ao menos uma especialidade."), extra={"field": "specialties"})
    professional = professional or Professional(user=user)
    professional.name = user.full_name
    professional.cns = digits_only(cns)
    professional.cbo = digits_only(cbo)
    professional.council = council.strip()
    _clean(professional, exclude=["resource"])
    if professional.resource_id is None:
        professional.resource = engine.resource_for_staff(user=user)
    professional.save()
    professional.specialties.set(specialties)
    return professional


@transaction.atomic
def schedule_create(
    *, professional: Professional, unit: HealthUnit, specialty: Specialty, slot_minutes: int = 20
) -> Schedule:
    """A professional's agenda at a unit for a specialty: an engine agenda of purpose "saude" with the
    health booking policy, the city's week-by-week opening and cancellation limit, no Protocolo case,
    and the three kinds of slot (first visit, return, priority)."""
    if not professional.specialties.filter(pk=specialty.pk).exists():
        raise ApplicationError(
            _("%(name)s não atende %(specialty)s.")
            % {"name": professional.name, "specialty": specialty.name},
            extra={"field": "specialty"},
        )
    if Schedule.objects.filter(professional=professional, unit=unit, specialty=specialty).exists():
        raise ApplicationError(_("Esta agenda já existe."), extra={"field": "specialty"})
    rules = health_settings()
    code = f"saude-{unit.cnes}-{specialty.code}-{professional.pk}"[:60]
    agenda = engine.agenda_save(
        resource_user_ids=[professional.user_id],
        code=code,
        name=f"{specialty.name} — {professional.name} — {unit.name}"[:200],
        unit=unit.org_unit,
        purpose=PURPOSE,
        booking_policy=POLICY,
        mode=AttendanceMode.IN_PERSON,
        location=f"{unit.name}{' — ' + unit.address if unit.address else ''}"[:300],
        slot_minutes=slot_minutes,
        horizon_days=21,
        min_notice_minutes=30,
        cancel_limit_hours=rules.cancel_limit_hours,
        daily_limit_per_citizen=1,
        no_show_limit=0,  # health suspends across all its agendas (policies.suspension_until)
        opens_weekday=rules.opens_weekday,
        opens_time=rules.opens_time,
    )
    for code_, (name, position) in KIND_NAMES.items():
        engine.slot_kind_save(
            agenda=agenda, code=code_, name=name, duration_minutes=slot_minutes, position=position
        )
    return Schedule.objects.create(professional=professional, unit=unit, specialty=specialty, agenda=agenda)


def schedule_kind(*, schedule: Schedule, code: str) -> SlotKind:
    return SlotKind.objects.get(agenda=schedule.agenda, code=code)


def schedule_window_add(
    *,
    schedule: Schedule,
    weekdays: Sequence[int],
    start_time: dt.time,
    end_time: dt.time,
    kind: str,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> list[AvailabilityRule]:
    """A window of the weekly template, for first visits, returns or priority slots (the split)."""
    if kind not in KIND_NAMES:
        raise ApplicationError(_("Escolha o tipo de horário."), extra={"field": "kind"})
    return engine.availability_rule_add(
        agenda=schedule.agenda,
        resource=schedule.professional.resource,
        weekdays=weekdays,
        start_time=start_time,
        end_time=end_time,
        valid_from=valid_from,
        valid_until=valid_until,
        slot_kind=schedule_kind(schedule=schedule, code=kind),
    )


def schedule_day_block(*, schedule: Schedule, day: dt.date, reason: str) -> AvailabilityException:
    """A blocked day (leave, training, a campaign): the engine's absence for the whole local day."""
    zone = agenda_zone(schedule.agenda)
    start = dt.datetime.combine(day, dt.time.min, zone)
    return engine.availability_exception_add(
        resource=schedule.professional.resource,
        starts_at=start,
        ends_at=start + dt.timedelta(days=1),
        reason=reason,
    )


# --- citizens ---------------------------------------------------------------------------------


@transaction.atomic
def patient_register(*, user: User, cns: str, birth_date: dt.date, priority_group: str = "") -> Patient:
    """The citizen (identified by the CPF of their account) gives their CNS, once."""
    if getattr(user, "kind", None) != UserKind.CITIZEN:
        raise ApplicationError(_("Só cidadãos se cadastram como pacientes."))
    if not user.cpf:
        raise ApplicationError(
            _("Informe o seu CPF no seu cadastro antes de agendar."), extra={"field": "cpf"}
        )
    patient = Patient.objects.filter(user=user).first() or Patient(user=user)
    patient.cns = digits_only(cns)
    patient.birth_date = birth_date
    patient.priority_group = priority_group
    if birth_date > timezone.localdate():
        raise ApplicationError(
            _("A data de nascimento não pode estar no futuro."), extra={"field": "birth_date"}
        )
    if Patient.objects.filter(cns=patient.cns).exclude(user=user).exists():
        raise ApplicationError(
            _("Este CNS já está ligado a outro cadastro. Procure a sua unidade de saúde."),
            extra={"field": "cns"},
        )
    _clean(patient, exclude=["user"])
    patient.save()
    return patient


@transaction.atomic
def health_appointment_book(
    *,
    citizen: User,
    schedule: Schedule,
    starts_at: dt.datetime,
    kind: str = "",
    notes: str = "",
    now: dt.datetime | None = None,
    booked_by: User | None = None,
    channel: str = AppointmentChannel.ONLINE,
) -> Appointment:
    """Book a slot of a professional's agenda through the engine (its slot checks, the exclusion
    constraint against double booking, confirmation and reminders; the health policy for CNS,
    suspension, priority slots and the limit per specialty). A waiting-list entry of the specialty
    is closed by the booking. The reception books through `health_appointment_book_for`."""
    now = now or timezone.now()
    patient = Patient.objects.filter(user=citizen).first()
    if patient is None:
        raise ApplicationError(_("Informe o seu Cartão Nacional de Saúde (CNS) antes de agendar."))
    if not schedule.is_active or not schedule.unit.is_active:
        raise ApplicationError(_("Esta agenda está fechada."))
    kind = kind or visit_kind_for(patient=patient, specialty=schedule.specialty, now=now)
    if kind not in (KIND_FIRST, KIND_RETURN, KIND_PRIORITY):
        raise ApplicationError(_("Escolha o tipo de horário."), extra={"field": "kind"})
    appointment = engine.appointment_book(
        agenda=schedule.agenda,
        citizen=citizen,
        starts_at=starts_at,
        resource=schedule.professional.resource,
        slot_kind=schedule_kind(schedule=schedule, code=kind),
        notes=notes,
        booked_by=booked_by,
        channel=channel,
        now=now,
    )
    WaitingListEntry.objects.filter(
        patient=patient, specialty=schedule.specialty, status__in=[WaitStatus.WAITING, WaitStatus.OFFERED]
    ).update(status=WaitStatus.BOOKED, updated_at=now)
    return appointment


def health_appointment_cancel(
    *, appointment: Appointment, actor: User, reason: str = "", now: dt.datetime | None = None
) -> Appointment:
    """Cancel through the engine (the citizen until the city's limit), then offer the freed slot to the
    first person waiting for the specialty. The offer is its own transaction: the cancellation stands
    whatever happens to it."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = engine.appointment_cancel(appointment=appointment, actor=actor, reason=reason, now=now)
    schedule = Schedule.objects.select_related("specialty", "unit", "professional").get(
        agenda=appointment.agenda
    )
    if appointment.starts_at > now:
        slot_offer_next(
            schedule=schedule,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            slot_kind_id=appointment.slot_kind_id,
            now=now,
            skip_citizen_id=appointment.citizen_id,
        )
    return appointment


@transaction.atomic
def waiting_list_join(
    *, citizen: User, specialty: Specialty, unit: HealthUnit | None = None
) -> WaitingListEntry:
    patient = Patient.objects.filter(user=citizen).first()
    if patient is None:
        raise ApplicationError(_("Informe o seu Cartão Nacional de Saúde (CNS) antes."))
    if WaitingListEntry.objects.filter(
        patient=patient, specialty=specialty, status__in=[WaitStatus.WAITING, WaitStatus.OFFERED]
    ).exists():
        raise ApplicationError(_("Você já está na lista de espera de %(name)s.") % {"name": specialty.name})
    return WaitingListEntry.objects.create(patient=patient, specialty=specialty, unit=unit)


@transaction.atomic
def waiting_list_leave(*, entry: WaitingListEntry, citizen: User) -> WaitingListEntry:
    if entry.patient.user_id != citizen.pk:
        raise AccessDenied
    entry.status = WaitStatus.LEFT
    entry.save(update_fields=["status", "updated_at"])
    return entry


def offer_token_hash(*, token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewOffer:
    offer: SlotOffer
    token: str  # only in the notification's link; the row keeps its SHA-256


@transaction.atomic
def slot_offer_next(
    *,
    schedule: Schedule,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    slot_kind_id: int | None,
    now: dt.datetime,
    skip_citizen_id: int | None = None,
) -> NewOffer | None:
    """Offer a freed slot to the first person waiting for its specialty (at its unit or any) who has not
    been offered this slot yet. The slot is held for them by an engine absence for `offer_hold_minutes`,
    so nobody else can book it meanwhile; the link in the e-mail/SMS books it."""
    rules = health_settings()
    already = SlotOffer.objects.filter(schedule=schedule, starts_at=starts_at).values_list(
        "entry_id", flat=True
    )
    entry = _first_waiting(schedule=schedule, exclude_ids=list(already), skip_citizen_id=skip_citizen_id)
    if entry is None:
        return None
    try:
        with transaction.atomic():
            hold = engine.availability_exception_add(
                resource=schedule.professional.resource,
                starts_at=starts_at,
                ends_at=ends_at,
                reason=_("vaga reservada para a lista de espera"),
            )
    except PASS_THROUGH:
        raise
    except ApplicationError:
        return None
    token = secrets.token_urlsafe(24)
    expires_at = min(now + dt.timedelta(minutes=rules.offer_hold_minutes), starts_at)
    offer = SlotOffer.objects.create(
        entry=entry,
        schedule=schedule,
        starts_at=starts_at,
        ends_at=ends_at,
        slot_kind_id=slot_kind_id,
        hold=hold,
        token_hash=offer_token_hash(token=token),
        expires_at=expires_at,
    )
    entry.status = WaitStatus.OFFERED
    entry.save(update_fields=["status", "updated_at"])
    local = timezone.localtime(starts_at, agenda_zone(schedule.agenda))
    path = reverse("health:offer", kwargs={"offer_token": token})
    link = f"{municipality_base_url(current_tenant())}{path}"
    notification_queue(
        template_key="health_slot_offered",
        context={
            "municipality_name": current_tenant().display_name,
            "specialty_name": schedule.specialty.name,
            "professional_name": schedule.professional.name,
            "unit_name": schedule.unit.name,
            "when": f"{local:%d/%m/%Y} às {local:%H:%M}",
            "until": timezone.localtime(expires_at).strftime("%d/%m/%Y %H:%M"),
            "link": link,
        },
        recipient=entry.patient.user,
        channels=(Channel.EMAIL, Channel.SMS),
        link_url=link,
        subject_kind=SubjectKind.APPOINTMENT,
        subject_id=offer.pk,
    )
    return NewOffer(offer=offer, token=token)


def _first_waiting(
    *, schedule: Schedule, exclude_ids: list[int], skip_citizen_id: int | None
) -> WaitingListEntry | None:
    entries = (
        WaitingListEntry.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("patient__user")
        .filter(specialty=schedule.specialty, status=WaitStatus.WAITING)
        .filter(Q(unit__isnull=True) | Q(unit_id=schedule.unit_id))
        .exclude(pk__in=exclude_ids)
        .order_by("created_at", "id")
    )
    if skip_citizen_id is not None:
        entries = entries.exclude(patient__user_id=skip_citizen_id)
    return entries.first()


def _release(offer: SlotOffer) -> None:
    hold = offer.hold
    if hold is not None:
        offer.hold = None
        offer.save(update_fields=["hold", "updated_at"])
        engine.availability_exception_remove(exception=hold)


@transaction.atomic
def slot_offer_accept(*, token: str, citizen: User, now: dt.datetime | None = None) -> Appointment:
    """The waiting person takes the offered slot: the hold is lifted and the slot booked for them in
    one transaction."""
    now = now or timezone.now()
    offer = (
        SlotOffer.objects.select_for_update(of=("self",))
        .select_related("entry__patient", "schedule__agenda", "schedule__professional__resource")
        .filter(token_hash=offer_token_hash(token=token))
        .first()
    )
    if offer is None or offer.entry.patient.user_id != citizen.pk:
        raise ApplicationError(_("Esta oferta de vaga não existe ou não é sua."))
    if offer.status != OfferStatus.OPEN or offer.expires_at <= now:
        raise ApplicationError(
            _("Esta oferta de vaga expirou e a vaga passou para a próxima pessoa da lista.")
        )
    _release(offer)
    kind = offer.slot_kind
    appointment = engine.appointment_book(
        agenda=offer.schedule.agenda,
        citizen=citizen,
        starts_at=offer.starts_at,
        resource=offer.schedule.professional.resource,
        slot_kind=kind,
        now=now,
    )
    offer.status = OfferStatus.ACCEPTED
    offer.appointment = appointment
    offer.save(update_fields=["status", "appointment", "updated_at"])
    offer.entry.status = WaitStatus.BOOKED
    offer.entry.save(update_fields=["status", "updated_at"])
    return appointment


def slot_offers_expire(*, now: dt.datetime | None = None) -> int:
    """Expired offers release their slot and pass it to the next person waiting (periodic job)."""
    now = now or timezone.now()
    passed = 0
    for offer_id in list(
        SlotOffer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=now).values_list("id", flat=True)
    ):
        with transaction.atomic():
            offer = (
                SlotOffer.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related(
                    "entry", "schedule__agenda", "schedule__professional__resource", "schedule__specialty"
                )
                .filter(pk=offer_id, status=OfferStatus.OPEN)
                .first()
            )
            if offer is None:
                continue
            _release(offer)
            offer.status = OfferStatus.EXPIRED
            offer.save(update_fields=["status", "updated_at"])
            offer.entry.status = WaitStatus.WAITING
            offer.entry.save(update_fields=["status", "updated_at"])
            if offer.starts_at > now:
                slot_offer_next(
                    schedule=offer.schedule,
                    starts_at=offer.starts_at,
                    ends_at=offer.ends_at,
                    slot_kind_id=offer.slot_kind_id,
                    now=now,
                )
            passed += 1
    return passed


# --- reception and professionals --------------------------------------------------------------


def _schedule_of(appointment: Appointment) -> Schedule:
    schedule = (
        Schedule.objects.select_related("unit", "professional")
        .filter(agenda_id=appointment.agenda_id)
        .first()
    )
    if schedule is None:
        raise ApplicationError(_("Este agendamento não é da saúde."))
    return schedule


def staff_is_reception(*, user: User, unit: HealthUnit) -> bool:
    return getattr(user, "kind", None) == UserKind.STAFF and unit.org_unit_id in user_unit_ids(user)


@transaction.atomic
def check_in(*, appointment: Appointment, actor: User, now: dt.datetime | None = None) -> CheckIn:
    """The reception of the appointment's unit records the patient's arrival (on the day)."""
    now = now or timezone.now()
    schedule = _schedule_of(appointment)
    if not staff_is_reception(user=actor, unit=schedule.unit):
        raise AccessDenied
    appointment = engine.appointment_lock(appointment=appointment)
    if appointment.status != AppointmentStatus.BOOKED:
        raise ApplicationError(
            _("Esta consulta está %(status)s: não é possível registrar a chegada.")
            % {"status": appointment.get_status_display().lower()}
        )
    if timezone.localtime(appointment.starts_at).date() != timezone.localtime(now).date():
        raise ApplicationError(_("A chegada só é registrada no dia da consulta."))
    existing = CheckIn.objects.filter(appointment=appointment).first()
    if existing is not None:
        return existing
    return CheckIn.objects.create(appointment=appointment, arrived_at=now, checked_in_by=actor)


def no_show_mark(*, appointment: Appointment, actor: User, now: dt.datetime | None = None) -> Appointment:
    """The reception (or the professional) marks a missed appointment, through the engine."""
    schedule = _schedule_of(appointment)
    if not (staff_is_reception(user=actor, unit=schedule.unit) or schedule.professional.user_id == actor.pk):
        raise AccessDenied
    if CheckIn.objects.filter(appointment=appointment).exists():
        raise ApplicationError(_("O paciente chegou: não é uma falta."))
    return engine.appointment_mark_no_show(appointment=appointment, actor=actor, now=now)


def _require_own(appointment: Appointment, actor: User) -> Schedule:
    schedule = _schedule_of(appointment)
    if schedule.professional.user_id != actor.pk:
        raise AccessDenied(_("Só o profissional da consulta registra o atendimento."))
    return schedule


def attendance_start(*, appointment: Appointment, actor: User, now: dt.datetime | None = None) -> Appointment:
    _require_own(appointment, actor)
    return engine.appointment_start(appointment=appointment, actor=actor, now=now)


def attendance_finish(
    *,
    appointment: Appointment,
    actor: User,
    notes: str,
    outcome: str = AttendanceOutcome.RESOLVED,
    now: dt.datetime | None = None,
) -> Appointment:
    """The professional's notes stay on the appointment (engine `staff_notes`) and are read only
    through the patient's history (`selectors.patient_history`)."""
    _require_own(appointment, actor)
    return engine.appointment_finish(
        appointment=appointment, actor=actor, outcome=outcome, notes=notes, now=now
    )


@transaction.atomic
def record_open(
    *, professional: Professional, patient: Patient, reason: str = "", now: dt.datetime | None = None
) -> RecordAccess:
    """Open a patient's history and log it (LGPD art. 11 §2º and art. 37: sensitive data, processing
    recorded). Allowed while the patient is on the professional's agenda (the day before to the day
    after an appointment), otherwise only with a declared emergency reason."""
    now = now or timezone.now()
    appointment = history_access_allowed(professional=professional, patient=patient, now=now)
    reason = reason.strip()
    if appointment is None and len(reason) < 10:
        raise ApplicationError(
            _(
                "Este paciente não está na sua agenda (do dia anterior ao dia seguinte da consulta). "
                "Para abrir o histórico, declare o motivo da emergência (pelo menos 10 caracteres)."
            ),
            extra={"field": "motivo"},
        )
    if len(reason) > 500:
        raise ApplicationError(_("Use no máximo 500 caracteres no motivo."), extra={"field": "motivo"})
    return RecordAccess.objects.create(
        patient=patient,
        professional=professional,
        appointment=appointment,
        is_emergency=appointment is None,
        reason=reason,
        accessed_at=now,
    )


def slot_offer_for(*, token: str, citizen: User) -> SlotOffer | None:
    """The offer behind a link, for its own citizen only."""
    return (
        SlotOffer.objects.select_related(
            "schedule__professional", "schedule__unit", "schedule__specialty", "entry__patient"
        )
        .filter(
            token_hash=offer_token_hash(token=token),
            entry__patient__user_id=int(getattr(citizen, "pk", 0) or 0),
        )
        .first()
    )


SUSPENSION_REASON_MINIMUM = 10


@transaction.atomic
def suspension_lift(
    *, citizen: User, actor: User, reason: str, now: dt.datetime | None = None
) -> SuspensionLift:
    """The reception of a health unit (or a health manager) lifts a citizen's no-show suspension
    with a reason; the lift is kept as the audit record and the earlier no-shows stop counting."""
    now = now or timezone.now()
    if not (reception_units(user=actor).exists() or user_is_health_manager(user=actor)):
        raise AccessDenied
    reason = " ".join(reason.split())
    if len(reason) < SUSPENSION_REASON_MINIMUM:
        raise ApplicationError(
            _("Explique o motivo em pelo menos %(count)d caracteres.") % {"count": SUSPENSION_REASON_MINIMUM},
            extra={"field": "motivo"},
        )
    # one lift at a time per citizen
    type(citizen).objects.select_for_update().filter(pk=citizen.pk).first()
    if suspension_until(citizen=citizen, now=now) is None:
        raise ApplicationError(_("Este cidadão não está suspenso do agendamento pela internet."))
    lift = SuspensionLift.objects.create(citizen=citizen, lifted_by=actor, lifted_at=now, reason=reason)
    logger.info("health suspension lifted", extra={"lift_id": lift.pk, "actor_id": actor.pk})
    return lift


def patient_by_documents(*, cpf: str, cns: str) -> Patient | None:
    """The patient whose account has this CPF and whose card is this CNS (both must match)."""
    cpf, cns = digits_only(cpf), digits_only(cns)
    if len(cpf) != 11 or len(cns) != 15:
        return None
    return Patient.objects.select_related("user").filter(cns=cns, user__cpf=cpf).first()


@transaction.atomic
def health_appointment_book_for(
    *,
    actor: User,
    cpf: str,
    cns: str,
    schedule: Schedule,
    starts_at: dt.datetime,
    kind: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """The reception of the schedule's unit books on a citizen's behalf, identified by CPF and CNS:
    the engine records the staff member as `booked_by` and the channel "balcão" (in the case's
    history), the online suspension does not apply (the citizen came to the unit), every other
    rule does; the booking is logged with the appointment and the staff member."""
    if not staff_is_reception(user=actor, unit=schedule.unit):
        raise AccessDenied
    patient = patient_by_documents(cpf=cpf, cns=cns)
    if patient is None:
        raise ApplicationError(
            _("CPF e CNS não correspondem a um paciente cadastrado. Confira os dois números."),
            extra={"field": "cns"},
        )
    appointment = health_appointment_book(
        citizen=patient.user,
        schedule=schedule,
        starts_at=starts_at,
        kind=kind,
        now=now,
        booked_by=actor,
        channel=AppointmentChannel.STAFF,
    )
    logger.info(
        "health appointment booked by the reception",
        extra={"appointment_id": appointment.pk, "actor_id": actor.pk},
    )
    return appointment
