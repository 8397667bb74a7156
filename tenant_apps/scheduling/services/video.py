"""The video room: its opening window and who may enter it when (through the Jitsi adapter)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import AccessDenied
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User

from ..enums import AppointmentStatus
from ..jitsi import JitsiJoin, jitsi_is_configured, jitsi_join
from ..models import Appointment
from ..selectors import appointment_staff_can_act
from ..slots import agenda_zone


def room_window(*, appointment: Appointment) -> tuple[dt.datetime, dt.datetime]:
    from django.conf import settings

    opens = appointment.starts_at - dt.timedelta(minutes=settings.JITSI_OPENS_MINUTES_BEFORE)
    return opens, appointment.ends_at


@dataclass(frozen=True)
class RoomAccess:
    """What the room page shows: `join` when a token may be given now, else why not."""

    join: JitsiJoin | None
    reason: str = ""
    is_waiting: bool = False  # the page refreshes itself until the room opens


def video_room_access(*, appointment: Appointment, user: User, now: dt.datetime | None = None) -> RoomAccess:
    """A token for this appointment's room only, for its citizen or its attendants, only inside the
    window (10 minutes before the slot to its end). Citizens wait until the attendant has opened the
    room (and the lobby), so they always knock; staff get `moderator` "true", citizens "false"."""
    now = now or timezone.now()
    video = getattr(appointment, "video", None)
    if video is None or not appointment.agenda.is_video:
        return RoomAccess(None, _("Este atendimento é presencial."))
    is_staff = getattr(user, "kind", None) == UserKind.STAFF
    if is_staff:
        if not appointment_staff_can_act(user=user, appointment=appointment):
            raise AccessDenied
    elif appointment.citizen_id != getattr(user, "pk", None):
        raise AccessDenied
    if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.IN_PROGRESS):
        return RoomAccess(
            None,
            _("Este atendimento está %(status)s.") % {"status": appointment.get_status_display().lower()},
        )
    opens, closes = room_window(appointment=appointment)
    zone = agenda_zone(appointment.agenda)
    if now < opens:
        message = _("A sala abre às %(time)s de %(day)s, 10 minutos antes do horário.") % {
            "time": f"{timezone.localtime(opens, zone):%H:%M}",
            "day": f"{timezone.localtime(opens, zone):%d/%m/%Y}",
        }
        return RoomAccess(None, message, is_waiting=True)
    if now >= closes:
        return RoomAccess(None, _("O horário deste atendimento já terminou."))
    if not is_staff and video.started_at is None:
        return RoomAccess(
            None,
            _("Aguarde: o atendente ainda não abriu a sala. Esta página se atualiza sozinha."),
            is_waiting=True,
        )
    if not jitsi_is_configured():
        return RoomAccess(None, _("O atendimento por vídeo não está configurado nesta instalação."))
    return RoomAccess(
        jitsi_join(
            room_name=video.room_name,
            user_name=user.full_name or user.email,
            user_email=user.email,
            is_moderator=is_staff,
            not_before=opens,
            expires=closes,
        )
    )
