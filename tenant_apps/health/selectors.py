"""Reads of the health module, scoped to who may see them.

Health records (past and future appointments, attendances and the professionals' notes) are read
only through `patient_history`, which the pages call after `services.record_open` has checked and
logged the access (LGPD art. 11). Nothing here serves notes to the secretariat's managers, municipal
admins or vendor support: their figures are counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from paco.pagination import Page, keyset_page
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import Viewer
from tenant_apps.org.enums import Role
from tenant_apps.org.selectors import membership_list_current, user_is_municipal_admin, user_unit_ids
from tenant_apps.scheduling.enums import AppointmentStatus
from tenant_apps.scheduling.models import Appointment
from tenant_apps.scheduling.slots import Slot, slot_grid, slot_list_free

from .enums import KIND_FIRST, KIND_PRIORITY, DayStatus, OfferStatus, WaitStatus
from .models import (
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
from .policies import health_settings, patient_is_priority, suspension_until, visit_kind_for

# A professional sees a patient's history from the day before to the day after an appointment.
HISTORY_DAYS_AROUND = 1


def specialty_list_bookable() -> QuerySet[Specialty]:
    return Specialty.objects.filter(is_active=True, schedules__is_active=True).distinct().order_by("name")


def schedule_list_bookable(
    *, specialty: Specialty, professional_id: int | None = None, unit_id: int | None = None
) -> QuerySet[Schedule]:
    schedules = Schedule.objects.filter(
        specialty=specialty,
        is_active=True,
        unit__is_active=True,
        professional__is_active=True,
        agenda__is_active=True,
    ).select_related("agenda", "unit", "professional", "specialty")
    if professional_id:
        schedules = schedules.filter(professional_id=professional_id)
    if unit_id:
        schedules = schedules.filter(unit_id=unit_id)
    return schedules.order_by("professional__name", "unit__name")


@dataclass(frozen=True)
class HealthSlot:
    schedule: Schedule
    slot: Slot
    kind: str

    @property
    def starts_at(self) -> dt.datetime:
        return self.slot.starts_at


def free_slots(
    *,
    specialty: Specialty,
    patient: Patient | None,
    professional_id: int | None = None,
    unit_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[HealthSlot]:
    """The slots the patient may book now in the specialty (one professional or any, at one unit or
    any): their kind
    (first visit or return) and, for a priority patient, the reserved priority slots too."""
    now = now or timezone.now()
    kinds = [KIND_FIRST]
    if patient is not None:
        kinds = [visit_kind_for(patient=patient, specialty=specialty, now=now)]
        if patient_is_priority(patient, today=timezone.localtime(now).date()):
            kinds.append(KIND_PRIORITY)
    found: list[HealthSlot] = []
    for schedule in schedule_list_bookable(
        specialty=specialty, professional_id=professional_id, unit_id=unit_id
    ):
        slot_kinds = {kind.code: kind for kind in schedule.agenda.slot_kinds.all()}
        for code in kinds:
            kind = slot_kinds.get(code)
            if kind is None:
                continue
            for slot in slot_list_free(agenda=schedule.agenda, slot_kind=kind, now=now):
                if slot.slot_kind_id == kind.pk:
                    found.append(HealthSlot(schedule=schedule, slot=slot, kind=code))
    found.sort(key=lambda item: (item.slot.starts_at, item.schedule.professional.name))
    return found


# --- citizens ---------------------------------------------------------------------------------


def patient_of(*, user: Viewer) -> Patient | None:
    if getattr(user, "kind", None) != UserKind.CITIZEN:
        return None
    return Patient.objects.filter(user_id=user.pk).first()


def _health_appointments() -> QuerySet[Appointment]:
    return Appointment.objects.filter(agenda__health_schedule__isnull=False).select_related(
        "agenda__health_schedule__specialty",
        "agenda__health_schedule__unit",
        "agenda__health_schedule__professional",
        "slot_kind",
    )


def appointment_list_for_citizen(*, user: Viewer) -> QuerySet[Appointment]:
    if getattr(user, "kind", None) != UserKind.CITIZEN:
        return Appointment.objects.none()
    return _health_appointments().filter(citizen_id=user.pk).order_by("-starts_at", "-id")


CITIZEN_PAGE_SIZE = 20


def appointment_page_for_citizen(
    *, user: Viewer, cursor: str = "", limit: int = CITIZEN_PAGE_SIZE
) -> Page[Appointment]:
    """One page of the patient's health appointments, the latest first (keyset cursors)."""
    return keyset_page(appointment_list_for_citizen(user=user), key="starts_at", cursor=cursor, limit=limit)


def waiting_list_for_citizen(*, user: User) -> QuerySet[WaitingListEntry]:
    return (
        WaitingListEntry.objects.filter(
            patient__user=user, status__in=[WaitStatus.WAITING, WaitStatus.OFFERED]
        )
        .select_related("specialty", "unit")
        .prefetch_related(Prefetch("offers", queryset=SlotOffer.objects.filter(status=OfferStatus.OPEN)))
    )


def record_access_list_for_citizen(*, user: User) -> QuerySet[RecordAccess]:
    """'Quem acessou meus dados': every opening of the citizen's health record."""
    return (
        RecordAccess.objects.filter(patient__user=user)
        .select_related("professional", "appointment__agenda__health_schedule__unit")
        .order_by("-accessed_at", "-id")
    )


# --- staff ------------------------------------------------------------------------------------


def professional_of(*, user: Viewer) -> Professional | None:
    if getattr(user, "kind", None) != UserKind.STAFF:
        return None
    return Professional.objects.filter(user_id=user.pk, is_active=True).select_related("resource").first()


def reception_units(*, user: Viewer) -> QuerySet[HealthUnit]:
    """The health units whose reception the staff member works in (membership in its org unit)."""
    if getattr(user, "kind", None) != UserKind.STAFF:
        return HealthUnit.objects.none()
    return HealthUnit.objects.filter(org_unit_id__in=user_unit_ids(user), is_active=True).order_by("name")


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, zone)
    return start, start + dt.timedelta(days=1)


def day_status(*, appointment: Appointment) -> str:
    if appointment.status == AppointmentStatus.CANCELLED:
        return DayStatus.CANCELLED
    if appointment.status == AppointmentStatus.NO_SHOW:
        return DayStatus.MISSED
    if appointment.status == AppointmentStatus.DONE:
        return DayStatus.ATTENDED
    if appointment.status == AppointmentStatus.IN_PROGRESS:
        return DayStatus.IN_PROGRESS
    if getattr(appointment, "health_check_in", None) is not None:
        return DayStatus.WAITING
    return DayStatus.EXPECTED


def _day_queryset(day: dt.date) -> QuerySet[Appointment]:
    start, end = _day_bounds(day)
    return (
        _health_appointments()
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("citizen", "citizen__health_patient", "health_check_in")
        .order_by("starts_at", "id")
    )


def professional_day(*, professional: Professional, day: dt.date) -> list[Appointment]:
    """The professional's day (a constant number of queries whatever the number of patients)."""
    appointments = list(_day_queryset(day).filter(resource=professional.resource))
    for appointment in appointments:
        appointment.day_status = day_status(appointment=appointment)  # type: ignore[attr-defined]
    return appointments


def reception_day(*, user: Viewer, day: dt.date) -> list[Appointment]:
    units = list(reception_units(user=user).values_list("pk", flat=True))
    appointments = list(_day_queryset(day).filter(agenda__health_schedule__unit_id__in=units))
    for appointment in appointments:
        appointment.day_status = day_status(appointment=appointment)  # type: ignore[attr-defined]
    return appointments


def history_access_allowed(
    *, professional: Professional, patient: Patient, now: dt.datetime
) -> Appointment | None:
    """The patient's appointment with this professional that puts them on the professional's agenda
    now (from the day before to the day after it, local days), or None."""
    today = timezone.localtime(now).date()
    start, _end = _day_bounds(today - dt.timedelta(days=HISTORY_DAYS_AROUND))
    _start, end = _day_bounds(today + dt.timedelta(days=HISTORY_DAYS_AROUND))
    return (
        Appointment.objects.filter(
            resource=professional.resource,
            citizen_id=patient.user_id,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts_at")
        .first()
    )


def patient_history(*, patient: Patient) -> list[Appointment]:
    """Past and future health appointments of the patient at the city's units, with the attendances
    and notes. Call only after `services.record_open` (which checks and logs the access)."""
    return list(_health_appointments().filter(citizen_id=patient.user_id).order_by("-starts_at", "-id"))


def patient_get(*, patient_id: int) -> Patient | None:
    return Patient.objects.select_related("user").filter(pk=patient_id).first()


# --- managers ---------------------------------------------------------------------------------


def user_is_health_manager(*, user: Viewer) -> bool:
    """Managers (and admins) of the health secretariat's unit: the admin pages, figures and FHIR export.
    Never the notes: those pages show counts and schedules only."""
    if getattr(user, "kind", None) != UserKind.STAFF:
        return False
    secretariat_id = health_settings().secretariat_id
    return any(
        membership.unit_id == secretariat_id and membership.role in (Role.MANAGER, Role.ADMIN)
        for membership in membership_list_current(user_id=user.pk)
    )


def user_may_administer(*, user: Viewer) -> bool:
    """The secretariat's managers and the municipal admins configure units, professionals and agendas
    (no patient data on those pages)."""
    return user_is_health_manager(user=user) or (
        getattr(user, "kind", None) == UserKind.STAFF and user_is_municipal_admin(user_id=user.pk)
    )


@dataclass(frozen=True)
class UnitSpecialtyFigures:
    unit: HealthUnit
    specialty: Specialty
    slots: int  # bookable slots of the period (booked or free)
    booked: int
    no_show: int
    attended: int
    waiting: int  # people on the waiting list of the specialty (at this unit or any)
    days_to_first_free: int | None

    @property
    def occupancy(self) -> float | None:
        return round(100 * self.booked / self.slots, 1) if self.slots else None

    @property
    def no_show_rate(self) -> float | None:
        done = self.no_show + self.attended
        return round(100 * self.no_show / done, 1) if done else None


def manager_figures(
    *, first_day: dt.date, last_day: dt.date, now: dt.datetime | None = None
) -> list[UnitSpecialtyFigures]:
    """Per unit and specialty: occupancy (appointments held of the slots of the period), no-show rate
    (no-shows of the appointments that took place), the waiting list's length and the days until the
    first free first-visit slot."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    start, _end = _day_bounds(first_day)
    _start, end = _day_bounds(last_day)
    groups: dict[tuple[int, int], list[Schedule]] = {}
    for schedule in (
        Schedule.objects.filter(is_active=True)
        .select_related("unit", "specialty", "agenda")
        .prefetch_related("agenda__slot_kinds")
        .order_by("unit__name", "specialty__name", "id")
    ):
        groups.setdefault((schedule.unit_id, schedule.specialty_id), []).append(schedule)
    counts = {
        (row["agenda__health_schedule__unit_id"], row["agenda__health_schedule__specialty_id"]): row
        for row in Appointment.objects.filter(
            agenda__health_schedule__isnull=False, starts_at__gte=start, starts_at__lt=end
        )
        .values("agenda__health_schedule__unit_id", "agenda__health_schedule__specialty_id")
        .annotate(
            booked=Count("id", filter=~Q(status=AppointmentStatus.CANCELLED)),
            no_show=Count("id", filter=Q(status=AppointmentStatus.NO_SHOW)),
            attended=Count("id", filter=Q(status=AppointmentStatus.DONE)),
        )
    }
    waiting_list = list(
        WaitingListEntry.objects.filter(status__in=[WaitStatus.WAITING, WaitStatus.OFFERED]).values_list(
            "specialty_id", "unit_id"
        )
    )
    result = []
    for (unit_id, specialty_id), schedules in groups.items():
        slots = 0
        first: dt.datetime | None = None
        for schedule in schedules:
            for kind in schedule.agenda.slot_kinds.all():
                period = slot_grid(
                    agenda=schedule.agenda, first_day=first_day, last_day=last_day, slot_kind=kind
                )
                slots += sum(slot.capacity for slot in period.slots if slot.slot_kind_id == kind.pk)
                if kind.code == KIND_FIRST:
                    free = [
                        slot
                        for slot in slot_list_free(agenda=schedule.agenda, slot_kind=kind, now=now)
                        if slot.slot_kind_id == kind.pk
                    ]
                    if free and (first is None or free[0].starts_at < first):
                        first = free[0].starts_at
        row: dict[str, Any] = dict(counts.get((unit_id, specialty_id), {}))
        result.append(
            UnitSpecialtyFigures(
                unit=schedules[0].unit,
                specialty=schedules[0].specialty,
                slots=slots,
                booked=row.get("booked", 0),
                no_show=row.get("no_show", 0),
                attended=row.get("attended", 0),
                waiting=sum(
                    1 for s_id, u_id in waiting_list if s_id == specialty_id and u_id in (None, unit_id)
                ),
                days_to_first_free=(timezone.localtime(first).date() - today).days if first else None,
            )
        )
    return result


def fhir_locations() -> QuerySet[HealthUnit]:
    """Every health unit, for the FHIR `Location` bundle (in id order)."""
    return HealthUnit.objects.order_by("pk")


def fhir_practitioners() -> QuerySet[Professional]:
    """Every professional, for the FHIR `Practitioner` bundle (in id order)."""
    return Professional.objects.order_by("pk")


def fhir_schedules() -> QuerySet[Schedule]:
    """Every schedule with what its FHIR `Schedule` and `Slot` resources read (in id order)."""
    return Schedule.objects.select_related("professional", "unit", "specialty", "agenda").order_by("pk")


def fhir_appointments(*, first_day: dt.date, last_day: dt.date) -> QuerySet[Appointment]:
    start, _end = _day_bounds(first_day)
    _start, end = _day_bounds(last_day)
    return (
        _health_appointments()
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("citizen__health_patient", "health_check_in", "agenda__health_schedule__professional")
        .order_by("starts_at", "id")
    )


@dataclass(frozen=True)
class Suspension:
    citizen: User
    cns: str
    until: dt.datetime


def suspensions_current(*, now: dt.datetime | None = None) -> list[Suspension]:
    """Citizens whose online booking is suspended now for no-shows (the reception's page)."""
    now = now or timezone.now()
    rules = health_settings()
    candidates = (
        Appointment.objects.filter(
            agenda__health_schedule__isnull=False,
            status=AppointmentStatus.NO_SHOW,
            starts_at__gte=now - dt.timedelta(days=rules.no_show_window_days),
        )
        .order_by()
        .values("citizen_id")
        .annotate(total=Count("id"))
        .filter(total__gte=max(rules.no_show_limit, 1))
        .values_list("citizen_id", flat=True)
    )
    users = (
        User.objects.filter(pk__in=list(candidates)).select_related("health_patient").order_by("full_name")
    )
    found = []
    for user in users:
        until = suspension_until(citizen=user, now=now, rules=rules)
        if until is not None:
            patient = getattr(user, "health_patient", None)
            found.append(Suspension(citizen=user, cns=patient.cns if patient else "", until=until))
    return found


def suspension_lifts_recent(*, limit: int = 20) -> QuerySet[SuspensionLift]:
    return SuspensionLift.objects.select_related("citizen", "lifted_by").order_by("-lifted_at", "-id")[:limit]
