"""Attendance: starting and finishing it (video minutes to usage metering), no-shows and the
booking block they lead to, documents attached during it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import AccessDenied, ApplicationError
from paco.usage import usage_record
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.cases.enums import EventKind
from tenant_apps.cases.services import case_attach, case_attach_by_requester
from tenant_apps.documents.models import Document
from tenant_apps.documents.uploads import Upload

from ..enums import AppointmentStatus, AttendanceOutcome
from ..models import Appointment, BookingBlock, VideoSession
from ..slots import agenda_zone
from .common import _case_record, _locked, _require_booked, _require_staff, when_text
from .reminders import _reminders_cancel
from .video import room_window


@transaction.atomic
def appointment_start(
    *, appointment: Appointment, actor: User, now: dt.datetime | None = None
) -> Appointment:
    """The attendant starts the attendance (and opens the video room), from the room's opening time."""
    now = now or timezone.now()
    appointment = _locked(appointment)
    _require_staff(appointment, actor)
    if appointment.status == AppointmentStatus.IN_PROGRESS:
        return appointment
    _require_booked(appointment)
    opens, _closes = room_window(appointment=appointment)
    if now < opens:
        local = timezone.localtime(opens, agenda_zone(appointment.agenda))
        raise ApplicationError(
            _("O atendimento só pode começar a partir de %(when)s.") % {"when": f"{local:%d/%m/%Y %H:%M}"}
        )
    appointment.status = AppointmentStatus.IN_PROGRESS
    appointment.started_at = now
    appointment.attended_by = actor
    appointment.save(update_fields=["status", "started_at", "attended_by", "updated_at"])
    _reminders_cancel(appointment, now)
    video = VideoSession.objects.select_for_update().filter(appointment=appointment).first()
    if video is not None and video.started_at is None:
        video.started_at = now
        video.started_by = actor
        video.save(update_fields=["started_at", "started_by", "updated_at"])
    _case_record(
        appointment,
        EventKind.ATTENDANCE_STARTED,
        f"Atendimento iniciado por {actor.full_name}" + (" (por vídeo)" if video else ""),
        actor=actor,
        payload={"started_at": now.isoformat()},
    )
    return appointment


@transaction.atomic
def appointment_finish(
    *, appointment: Appointment, actor: User, outcome: str, notes: str = "", now: dt.datetime | None = None
) -> Appointment:
    """Record the attendance on the case (booked for, started, ended, duration, outcome, notes) and
    report the video minutes to usage metering once."""
    now = now or timezone.now()
    if outcome not in AttendanceOutcome.values:
        raise ApplicationError(_("Escolha o resultado do atendimento."), extra={"field": "outcome"})
    if len(notes) > 5000:
        raise ApplicationError(_("Use no máximo 5000 caracteres nas anotações."), extra={"field": "notes"})
    appointment = _locked(appointment)
    _require_staff(appointment, actor)
    if appointment.status == AppointmentStatus.BOOKED:
        appointment = appointment_start(appointment=appointment, actor=actor, now=now)
        appointment = _locked(appointment)
    if appointment.status != AppointmentStatus.IN_PROGRESS:
        raise ApplicationError(
            _("Este agendamento está %(status)s: não há atendimento em curso para encerrar.")
            % {"status": appointment.get_status_display().lower()}
        )
    started_at = appointment.started_at or now
    appointment.status = AppointmentStatus.DONE
    appointment.ended_at = now
    appointment.outcome = outcome
    appointment.staff_notes = notes.strip()
    appointment.save(update_fields=["status", "ended_at", "outcome", "staff_notes", "updated_at"])
    duration = max(0, int((now - started_at).total_seconds()))
    video = VideoSession.objects.select_for_update().filter(appointment=appointment).first()
    if video is not None:
        video_started = video.started_at or started_at
        video.ended_at = now
        video.duration_seconds = max(0, int((now - video_started).total_seconds()))
        minutes = math.ceil(video.duration_seconds / 60) if video.duration_seconds else 0
        if minutes and not video.minutes_reported:
            usage_record(metric="video_minutes", key=f"video:{video.pk}", quantity=minutes, occurred_at=now)
            video.minutes_reported = minutes
        video.save(update_fields=["ended_at", "duration_seconds", "minutes_reported", "updated_at"])
    _case_record(
        appointment,
        EventKind.ATTENDANCE_ENDED,
        f"Atendimento realizado por {actor.full_name}: {AttendanceOutcome(outcome).label.lower()} "
        f"({math.ceil(duration / 60)} min)",
        actor=actor,
        payload={
            "booked_for": appointment.starts_at.isoformat(),
            "started_at": started_at.isoformat(),
            "ended_at": now.isoformat(),
            "duration_minutes": math.ceil(duration / 60),
            "outcome": outcome,
            "notes": notes.strip(),
            "mode": appointment.agenda.mode,
        },
    )
    return appointment


@transaction.atomic
def appointment_mark_no_show(
    *, appointment: Appointment, actor: User, now: dt.datetime | None = None
) -> Appointment:
    """The citizen did not come. After `no_show_limit` no-shows since the last block, online booking of
    this agenda is blocked for `no_show_block_days` days."""
    now = now or timezone.now()
    appointment = _locked(appointment)
    _require_staff(appointment, actor)
    _require_booked(appointment)
    if now < appointment.starts_at:
        raise ApplicationError(_("Só é possível registrar a falta depois do horário marcado."))
    appointment.status = AppointmentStatus.NO_SHOW
    appointment.attended_by = actor
    appointment.save(update_fields=["status", "attended_by", "updated_at"])
    _reminders_cancel(appointment, now)
    _case_record(
        appointment,
        EventKind.ATTENDANCE_NO_SHOW,
        f"O cidadão não compareceu ao atendimento de {when_text(appointment=appointment)}",
        actor=actor,
    )
    agenda = appointment.agenda
    if agenda.no_show_limit:
        last_block = (
            BookingBlock.objects.filter(agenda=agenda, citizen_id=appointment.citizen_id)
            .order_by("-starts_at")
            .first()
        )
        no_shows = Appointment.objects.filter(
            agenda=agenda, citizen_id=appointment.citizen_id, status=AppointmentStatus.NO_SHOW
        )
        if last_block is not None:
            no_shows = no_shows.filter(updated_at__gt=last_block.starts_at)
        count = no_shows.count()
        if count >= agenda.no_show_limit:
            BookingBlock.objects.create(
                citizen_id=appointment.citizen_id,
                agenda=agenda,
                starts_at=now,
                ends_at=now + dt.timedelta(days=agenda.no_show_block_days),
                no_shows=count,
            )
    return appointment


@transaction.atomic
def appointment_document_attach(
    *, appointment: Appointment, actor: User, uploads: Sequence[Upload]
) -> Document:
    """During the attendance: staff attach what was shown or agreed to the case; the citizen uploads
    a document to it. Both go through the cases module (its rules, its history)."""
    appointment = _locked(appointment)
    case = appointment.case
    if case is None:
        raise ApplicationError(_("Este agendamento não tem protocolo para receber documentos."))
    if appointment.status not in (
        AppointmentStatus.BOOKED,
        AppointmentStatus.IN_PROGRESS,
        AppointmentStatus.DONE,
    ):
        raise ApplicationError(_("Este agendamento foi cancelado."))
    if not uploads:
        raise ApplicationError(_("Escolha ao menos um arquivo."), extra={"field": "uploads"})
    if getattr(actor, "kind", None) == UserKind.CITIZEN:
        if appointment.citizen_id != actor.pk:
            raise AccessDenied
        return case_attach_by_requester(
            case=case,
            citizen=actor,
            uploads=uploads,
            title=f"Documentos do atendimento {when_text(appointment=appointment)}",
        )
    _require_staff(appointment, actor)
    return case_attach(case=case, actor=actor, uploads=uploads)
