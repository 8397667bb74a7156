"""Reads of the scheduling engine, scoped to what the person may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from paco.errors import NotFound
from paco.pagination import Page, keyset_page
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import Viewer
from tenant_apps.org.enums import Role
from tenant_apps.org.selectors import membership_list_current, user_is_municipal_admin

from .enums import GENERAL_PURPOSE, AppointmentStatus
from .models import Agenda, Appointment, CalendarFeed, Resource


def _unit_ids(user: Viewer, roles: set[str] | None = None) -> list[int]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != UserKind.STAFF:
        return []
    return [
        membership.unit_id
        for membership in membership_list_current(user_id=user.pk)
        if roles is None or membership.role in roles
    ]


def agenda_list_public() -> QuerySet[Agenda]:
    return (
        Agenda.objects.filter(is_active=True, is_public=True, purpose=GENERAL_PURPOSE)
        .select_related("unit")
        .prefetch_related("subjects")
        .order_by("name")
    )


def agenda_get_public(*, code: str) -> Agenda:
    agenda = agenda_list_public().filter(code=code).first()
    if agenda is None:
        raise NotFound
    return agenda


def agenda_resources(*, agenda: Agenda) -> QuerySet[Resource]:
    return Resource.objects.filter(agendas=agenda, is_active=True).order_by("name", "id")


def agenda_list_admin() -> QuerySet[Agenda]:
    return (
        Agenda.objects.filter(purpose=GENERAL_PURPOSE)
        .select_related("unit", "catalog_service")
        .annotate(attendant_count=Count("resources", distinct=True))
        .order_by("-is_active", "name")
    )


def _appointments() -> QuerySet[Appointment]:
    return Appointment.objects.select_related("agenda", "resource", "subject", "citizen", "case", "video")


def appointment_list_for_citizen(*, user: Viewer) -> QuerySet[Appointment]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != UserKind.CITIZEN:
        return Appointment.objects.none()
    return _appointments().filter(citizen_id=user.pk).order_by("-starts_at", "-id")


CITIZEN_PAGE_SIZE = 20


def appointment_page_for_citizen(
    *, user: Viewer, cursor: str = "", limit: int = CITIZEN_PAGE_SIZE
) -> Page[Appointment]:
    """One page of the citizen's appointments, the latest first (keyset cursors, `paco.pagination`)."""
    return keyset_page(appointment_list_for_citizen(user=user), key="starts_at", cursor=cursor, limit=limit)


def appointment_get_for_citizen(*, user: Viewer, code: str) -> Appointment:
    appointment = appointment_list_for_citizen(user=user).filter(code=code).first()
    if appointment is None:
        raise NotFound
    return appointment


def appointment_queryset_for_staff(*, user: Viewer) -> QuerySet[Appointment]:
    """Their own appointments, and those of the general agendas of their units (another module's
    agendas, such as health's, are seen through that module's pages only)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != UserKind.STAFF:
        return Appointment.objects.none()
    return _appointments().filter(
        Q(resource__user=user) | Q(agenda__unit_id__in=_unit_ids(user), agenda__purpose=GENERAL_PURPOSE)
    )


def appointment_staff_can_act(*, user: Viewer, appointment: Appointment) -> bool:
    if getattr(user, "kind", None) != UserKind.STAFF:
        return False
    if appointment.resource.user_id == user.pk:
        return True
    return appointment.agenda.unit_id in _unit_ids(user)


def appointment_get_for_staff(*, user: Viewer, code: str) -> Appointment:
    appointment = appointment_queryset_for_staff(user=user).filter(code=code).first()
    if appointment is None:
        raise NotFound
    return appointment


def staff_agenda(
    *, user: User, first_day: dt.date, last_day: dt.date, mine_only: bool = True
) -> QuerySet[Appointment]:
    """The staff member's appointments (or their units') between two local days, cancelled excluded."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time.min, zone)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, zone)
    appointments = appointment_queryset_for_staff(user=user)
    if mine_only:
        appointments = appointments.filter(resource__user=user)
    return (
        appointments.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts_at", "resource__name", "id")
    )


def staff_is_attendant(*, user: Viewer) -> bool:
    return Resource.objects.filter(user_id=int(getattr(user, "pk", 0) or 0), is_active=True).exists()


def calendar_feed_active(*, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def calendar_feed_owner(*, token_hash: str) -> Any:
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_hash, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return feed


def agenda_list_for_manager(*, user: Viewer) -> QuerySet[Agenda]:
    """Agendas of the units the person manages; every agenda for a municipal admin."""
    if getattr(user, "kind", None) != UserKind.STAFF:
        return Agenda.objects.none()
    general = Agenda.objects.filter(purpose=GENERAL_PURPOSE)
    if user_is_municipal_admin(user_id=user.pk):
        return general.order_by("name")
    return general.filter(unit_id__in=_unit_ids(user, {Role.MANAGER, Role.ADMIN})).order_by("name")


@dataclass(frozen=True)
class SubjectFigures:
    agenda: Agenda
    subject_name: str
    booked: int
    done: int
    no_show: int
    cancelled: int
    upcoming: int


def manager_figures(
    *, agendas: QuerySet[Agenda], first_day: dt.date, last_day: dt.date
) -> list[SubjectFigures]:
    """Bookings per agenda and subject with a start in the period, by outcome (one query)."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time.min, zone)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, zone)
    rows = (
        Appointment.objects.filter(agenda__in=agendas, starts_at__gte=start, starts_at__lt=end)
        .values("agenda_id", "subject__name")
        .annotate(
            booked=Count("id"),
            done=Count("id", filter=Q(status=AppointmentStatus.DONE)),
            no_show=Count("id", filter=Q(status=AppointmentStatus.NO_SHOW)),
            cancelled=Count("id", filter=Q(status=AppointmentStatus.CANCELLED)),
            upcoming=Count("id", filter=Q(status=AppointmentStatus.BOOKED)),
        )
        .order_by("agenda_id", "subject__name")
    )
    by_id = {agenda.pk: agenda for agenda in agendas}
    return [
        SubjectFigures(
            agenda=by_id[row["agenda_id"]],
            subject_name=row["subject__name"] or "—",
            booked=row["booked"],
            done=row["done"],
            no_show=row["no_show"],
            cancelled=row["cancelled"],
            upcoming=row["upcoming"],
        )
        for row in rows
        if row["agenda_id"] in by_id
    ]
