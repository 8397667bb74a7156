"""Writes of the scheduling engine, by concern: `bookings` (booking, cancelling, rescheduling),
`attendance` (start, finish, no-shows, documents), `video` (the room), `reminders`, `feeds` (the staff
calendar feed) and `configuration` (agendas, kinds of slot, availability); `common` holds what they
share (links, wording, notices, the row lock). Every service is atomic; messages leave after commit.

Callers import from `tenant_apps.scheduling.services`; the names below are its public surface.
"""

from .attendance import (
    appointment_document_attach,
    appointment_finish,
    appointment_mark_no_show,
    appointment_start,
)
from .bookings import appointment_book, appointment_cancel, appointment_reschedule
from .common import appointment_lock, appointment_url, cancel_deadline, staff_appointment_url, when_text
from .configuration import (
    AGENDA_ADMIN_FIELDS,
    AGENDA_FIELDS,
    agenda_save,
    availability_exception_add,
    availability_exception_remove,
    availability_rule_add,
    availability_rule_remove,
    resource_for_staff,
    slot_kind_save,
)
from .feeds import calendar_feed_create, calendar_feed_revoke, feed_token_hash
from .reminders import REMINDER_OFFSETS, reminder_send, reminders_due_ids, reminders_send_due
from .video import RoomAccess, room_window, video_room_access

__all__ = [
    "AGENDA_ADMIN_FIELDS",
    "AGENDA_FIELDS",
    "REMINDER_OFFSETS",
    "RoomAccess",
    "agenda_save",
    "appointment_book",
    "appointment_cancel",
    "appointment_document_attach",
    "appointment_finish",
    "appointment_lock",
    "appointment_mark_no_show",
    "appointment_reschedule",
    "appointment_start",
    "appointment_url",
    "availability_exception_add",
    "availability_exception_remove",
    "availability_rule_add",
    "availability_rule_remove",
    "calendar_feed_create",
    "calendar_feed_revoke",
    "cancel_deadline",
    "feed_token_hash",
    "reminder_send",
    "reminders_due_ids",
    "reminders_send_due",
    "resource_for_staff",
    "room_window",
    "slot_kind_save",
    "staff_appointment_url",
    "video_room_access",
    "when_text",
]
