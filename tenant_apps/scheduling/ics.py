"""Calendar files (RFC 5545, the icalendar package): the citizen's invitation and the staff feed.

Times are written in the agenda's own time zone with its VTIMEZONE, so a phone in another zone
shows the right hour; the UID is the appointment's code, so an update or a cancellation replaces
the event the citizen already has (SEQUENCE grows with each change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, Event

from paco.schemas import current_tenant
from tenants.selectors import municipality_primary_hostname

from .enums import AppointmentStatus
from .models import Appointment

PRODID = "-//Paco//Agendamento//PT-BR"


@lru_cache(maxsize=16)
def _vtimezone(zone_key: str) -> bytes:
    """The VTIMEZONE of a zone, built once per process (icalendar takes tens of milliseconds)."""
    calendar = Calendar()
    event = Event()
    event.add("dtstart", dt.datetime(2030, 1, 1, tzinfo=ZoneInfo(zone_key)))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return next(component for component in calendar.subcomponents if component.name == "VTIMEZONE").to_ical()


def _with_timezones(ical: bytes, zone_keys: Iterable[str]) -> str:
    """The calendar's text with the cached VTIMEZONE of each zone before its first event."""
    zones = b"".join(_vtimezone(key) for key in sorted(set(zone_keys)))
    head, marker, tail = ical.partition(b"BEGIN:VEVENT")
    if not marker:
        head, marker, tail = ical.partition(b"END:VCALENDAR")
    return (head + zones + marker + tail).decode()


def _uid(appointment: Appointment) -> str:
    return f"{appointment.code}@{municipality_primary_hostname(current_tenant())}"


def _event(appointment: Appointment, *, url: str, for_staff: bool) -> Event:
    zone = ZoneInfo(appointment.agenda.time_zone)
    event = Event()
    event.add("uid", _uid(appointment))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", appointment.ends_at.astimezone(zone))
    event.add("sequence", appointment.ics_sequence)
    agenda = appointment.agenda
    subject = f" — {appointment.subject.name}" if appointment.subject is not None else ""
    if for_staff:
        event.add("summary", f"{agenda.name}{subject}: {appointment.citizen.full_name}")
    else:
        event.add("summary", f"{agenda.name}{subject}")
    lines = [f"Atendente: {appointment.resource.name}"]
    if appointment.case is not None:
        lines.append(f"Protocolo: {appointment.case.nup}")
    if agenda.is_video:
        lines.append(f"Atendimento por vídeo: entre pela página do agendamento, {url}")
        event.add("location", url)
    else:
        lines.append(f"Local: {agenda.location}" if agenda.location else "Atendimento presencial")
        if agenda.location:
            event.add("location", agenda.location)
    lines.append(f"Detalhes, cancelamento e remarcação: {url}")
    event.add("description", "\n".join(lines))
    event.add("url", url)
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def appointment_ics(appointment: Appointment, *, url: str) -> str:
    """The invitation (METHOD:REQUEST), or its cancellation (METHOD:CANCEL) once cancelled."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    calendar.add_component(_event(appointment, url=url, for_staff=False))
    return _with_timezones(calendar.to_ical(), [appointment.agenda.time_zone])


def agenda_feed_ics(appointments: Iterable[Appointment], *, name: str, url_for: dict[int, str]) -> str:
    """A staff member's subscription feed: their appointments, cancelled ones marked as such."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    appointments = list(appointments)
    for appointment in appointments:
        calendar.add_component(_event(appointment, url=url_for[appointment.pk], for_staff=True))
    return _with_timezones(calendar.to_ical(), [appointment.agenda.time_zone for appointment in appointments])
