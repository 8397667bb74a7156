"""Reminders: made with each booking (24 h and 1 h before), cancelled when the appointment is,
sent once each by the periodic job."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ..enums import AppointmentStatus, ReminderKind
from ..models import Appointment, AppointmentReminder
from .common import _locked, _notify

REMINDER_OFFSETS = {
    ReminderKind.DAY_BEFORE: dt.timedelta(hours=24),
    ReminderKind.HOUR_BEFORE: dt.timedelta(hours=1),
}


def _reminders_create(appointment: Appointment, now: dt.datetime) -> None:
    for kind, offset in REMINDER_OFFSETS.items():
        due_at = appointment.starts_at - offset
        if due_at > now:  # a booking made less than 24 h ahead gets only the 1 h reminder
            AppointmentReminder.objects.create(appointment=appointment, kind=kind, due_at=due_at)


def _reminders_cancel(appointment: Appointment, now: dt.datetime) -> None:
    AppointmentReminder.objects.filter(
        appointment=appointment, sent_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=now, updated_at=now)


def reminders_due_ids(*, now: dt.datetime) -> list[int]:
    return list(
        AppointmentReminder.objects.filter(due_at__lte=now, sent_at__isnull=True, cancelled_at__isnull=True)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:1000]
    )


@transaction.atomic
def reminder_send(*, reminder_id: int, now: dt.datetime | None = None) -> bool:
    """Send one reminder at most once: the row is locked (SKIP LOCKED: a concurrent worker leaves it),
    and the notification and `sent_at` commit together. A cancelled, moved or past appointment
    gets none."""
    now = now or timezone.now()
    reminder = (
        AppointmentReminder.objects.select_for_update(skip_locked=True)
        .filter(pk=reminder_id, sent_at__isnull=True, cancelled_at__isnull=True)
        .first()
    )
    if reminder is None:
        return False
    appointment = _locked(reminder.appointment)
    if appointment.status != AppointmentStatus.BOOKED or now >= appointment.starts_at:
        reminder.cancelled_at = now
        reminder.save(update_fields=["cancelled_at", "updated_at"])
        return False
    _notify(appointment, "appointment_reminder", sms=True, reminder_label=ReminderKind(reminder.kind).label)
    reminder.sent_at = now
    reminder.save(update_fields=["sent_at", "updated_at"])
    return True


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Every due reminder of the current city, each in its own transaction."""
    now = now or timezone.now()
    return sum(reminder_send(reminder_id=reminder_id, now=now) for reminder_id in reminders_due_ids(now=now))
