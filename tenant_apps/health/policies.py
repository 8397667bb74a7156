"""Who may book a health slot: the policy the health agendas name (SCHEDULING_BOOKING_POLICIES["saude"]).

The engine calls it inside the booking transaction with the citizen's row locked, so two bookings
of one person never race past a limit. Refusals are Portuguese messages; nothing is written.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import Viewer
from tenant_apps.scheduling.enums import AppointmentChannel, AppointmentStatus
from tenant_apps.scheduling.models import Agenda, Appointment, SlotKind

from .enums import KIND_FIRST, KIND_PRIORITY, KIND_RETURN, PriorityGroup
from .models import HealthSettings, Patient, Schedule, Specialty, SuspensionLift


def health_settings() -> HealthSettings:
    found = HealthSettings.objects.order_by("id").first()
    return found if found is not None else HealthSettings.objects.create()


def patient_is_priority(patient: Patient, *, today: dt.date) -> bool:
    """Lei 10.741/2003 (60 anos ou mais, from the birth date) or a group of Lei 10.048/2000 art. 1º."""
    birth = patient.birth_date
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return age >= 60 or patient.priority_group not in ("", PriorityGroup.NONE)


def visit_kind_for(*, patient: Patient, specialty: Specialty, now: dt.datetime) -> str:
    """A return when the patient was attended in the specialty within `return_window_days`."""
    days = health_settings().return_window_days
    attended = Appointment.objects.filter(
        citizen_id=patient.user_id,
        agenda__health_schedule__specialty=specialty,
        status=AppointmentStatus.DONE,
        starts_at__gte=now - dt.timedelta(days=days),
    ).exists()
    return KIND_RETURN if attended else KIND_FIRST


def suspension_until(
    *, citizen: Viewer, now: dt.datetime, rules: HealthSettings | None = None
) -> dt.datetime | None:
    """Online booking is suspended after `no_show_limit` no-shows in health agendas within the last
    `no_show_window_days`, until `suspension_days` after the last of them (None: not suspended);
    no-shows before the last lift of a suspension (`SuspensionLift`) do not count."""
    rules = rules or health_settings()
    since = now - dt.timedelta(days=rules.no_show_window_days)
    # a suspension lifted by the reception: the no-shows before it no longer count
    lifted = (
        SuspensionLift.objects.filter(citizen_id=citizen.pk, lifted_at__lte=now)
        .order_by("-lifted_at")
        .values_list("lifted_at", flat=True)
        .first()
    )
    missed = list(
        Appointment.objects.filter(
            citizen_id=citizen.pk,
            agenda__health_schedule__isnull=False,
            status=AppointmentStatus.NO_SHOW,
            starts_at__gte=max(since, lifted) if lifted else since,
        )
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)[: rules.no_show_limit]
    )
    if len(missed) < rules.no_show_limit:
        return None
    until = missed[0] + dt.timedelta(days=rules.suspension_days)
    return until if until > now else None


def health_policy(
    *,
    agenda: Agenda,
    citizen: User,
    starts_at: dt.datetime,
    channel: str,
    now: dt.datetime,
    replacing: Appointment | None = None,
    slot_kind: SlotKind | None = None,
) -> None:
    schedule = Schedule.objects.select_related("specialty").filter(agenda=agenda).first()
    if schedule is None:
        raise ApplicationError(_("Esta agenda não é uma agenda da saúde."))
    patient = Patient.objects.filter(user=citizen).first()
    if patient is None:
        raise ApplicationError(
            _("Informe o seu Cartão Nacional de Saúde (CNS) antes de agendar."), extra={"field": "cns"}
        )
    rules = health_settings()
    if channel != AppointmentChannel.STAFF:
        until = suspension_until(citizen=citizen, now=now, rules=rules)
        if until is not None:
            raise ApplicationError(
                _(
                    "Seu agendamento pela internet está suspenso até %(until)s porque você faltou a "
                    "%(count)d consultas sem cancelar. Procure a sua unidade de saúde se precisar antes."
                )
                % {"until": timezone.localtime(until).strftime("%d/%m/%Y"), "count": rules.no_show_limit},
                extra={"field": "starts_at", "code": "suspended"},
            )
    if slot_kind is not None and slot_kind.code == KIND_PRIORITY:
        if not patient_is_priority(patient, today=timezone.localtime(now).date()):
            raise ApplicationError(
                _(
                    "Este horário é reservado ao atendimento prioritário (pessoas idosas, com deficiência, "
                    "gestantes, lactantes, com criança de colo ou com obesidade — Lei 10.048/2000 e "
                    "Lei 10.741/2003)."
                ),
                extra={"field": "starts_at", "code": "priority"},
            )
    open_same_specialty = Appointment.objects.filter(
        citizen=citizen,
        agenda__health_schedule__specialty=schedule.specialty,
        status__in=(AppointmentStatus.BOOKED, AppointmentStatus.IN_PROGRESS),
        starts_at__gt=now,
    )
    if replacing is not None:
        open_same_specialty = open_same_specialty.exclude(pk=replacing.pk)
    if open_same_specialty.count() >= rules.open_bookings_per_specialty:
        raise ApplicationError(
            _(
                "Você já tem %(count)d consulta(s) marcada(s) em %(specialty)s, o limite por especialidade. "
                "Cancele a consulta marcada se quiser outro horário."
            )
            % {"count": rules.open_bookings_per_specialty, "specialty": schedule.specialty.name},
            extra={"field": "starts_at", "code": "limit"},
        )
