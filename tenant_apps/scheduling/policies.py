"""Who may book: the hook an agenda names in `booking_policy` (settings SCHEDULING_BOOKING_POLICIES).

A policy is called inside the booking transaction, with the citizen's row locked (so two bookings
of one person never race past a limit), and refuses by raising ApplicationError with the message
the citizen reads. It is given the slot kind being booked (None for plain slots), so a policy can
reserve a kind (priority slots) for some citizens. The health module registers its own.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User

from .enums import AppointmentChannel, AppointmentStatus
from .models import Agenda, Appointment, BookingBlock, SlotKind
from .slots import agenda_zone


def booking_block_active(*, agenda: Agenda, citizen: User, now: dt.datetime) -> BookingBlock | None:
    return (
        BookingBlock.objects.filter(
            agenda=agenda, citizen=citizen, lifted_at__isnull=True, starts_at__lte=now, ends_at__gt=now
        )
        .order_by("-ends_at")
        .first()
    )


def default_policy(
    *,
    agenda: Agenda,
    citizen: User,
    starts_at: dt.datetime,
    channel: str,
    now: dt.datetime,
    replacing: Appointment | None = None,
    slot_kind: SlotKind | None = None,
) -> None:
    """Repeated no-shows block online booking for a period; a citizen books at most
    `daily_limit_per_citizen` appointments of the agenda per day (a rescheduled one does not count)."""
    if channel != AppointmentChannel.STAFF:
        block = booking_block_active(agenda=agenda, citizen=citizen, now=now)
        if block is not None:
            raise ApplicationError(
                _(
                    "Você faltou a %(count)d atendimentos agendados e não pode agendar pela internet até "
                    "%(until)s. Procure o atendimento presencial se precisar antes."
                )
                % {"count": block.no_shows, "until": timezone.localtime(block.ends_at).strftime("%d/%m/%Y")},
                extra={"field": "starts_at", "code": "blocked"},
            )
    zone = agenda_zone(agenda)
    day = timezone.localtime(starts_at, zone).date()
    day_start = dt.datetime.combine(day, dt.time.min, zone)
    same_day = Appointment.objects.filter(
        agenda=agenda,
        citizen=citizen,
        status__in=(AppointmentStatus.BOOKED, AppointmentStatus.IN_PROGRESS),
        starts_at__gte=day_start,
        starts_at__lt=day_start + dt.timedelta(days=1),
    )
    if replacing is not None:
        same_day = same_day.exclude(pk=replacing.pk)
    if same_day.count() >= agenda.daily_limit_per_citizen:
        raise ApplicationError(
            _("Você já tem %(count)d agendamento(s) neste serviço em %(day)s, o limite por dia.")
            % {"count": agenda.daily_limit_per_citizen, "day": day.strftime("%d/%m/%Y")},
            extra={"field": "starts_at", "code": "daily_limit"},
        )


def booking_policy_check(
    *,
    agenda: Agenda,
    citizen: User,
    starts_at: dt.datetime,
    channel: str,
    now: dt.datetime,
    replacing: Appointment | None = None,
    slot_kind: SlotKind | None = None,
) -> None:
    path = settings.SCHEDULING_BOOKING_POLICIES.get(agenda.booking_policy)
    if path is None:
        raise ApplicationError(
            _("Regra de agendamento desconhecida: %(name)s.") % {"name": agenda.booking_policy}
        )
    import_string(path)(
        agenda=agenda,
        citizen=citizen,
        starts_at=starts_at,
        channel=channel,
        now=now,
        replacing=replacing,
        slot_kind=slot_kind,
    )
