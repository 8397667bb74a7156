"""Writes of the scheduling engine: booking, cancelling, rescheduling, attendance, no-shows, reminders,
and the admin's configuration. Every service is atomic; messages leave after commit.

Booking safety does not rest on the checks below but on the database: `Appointment` has an
exclusion constraint over (resource, seat, time range) for every appointment that holds its time,
so of any number of concurrent requests for one slot exactly one commits; the others get the
"already taken" message. The checks only explain, in Portuguese, why a time is not bookable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import AccessDenied, ApplicationError
from paco.schemas import current_schema_name, current_tenant
from paco.usage import usage_record
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import user_lock_active
from tenant_apps.cases.enums import CaseChannel, EventKind
from tenant_apps.cases.models import Case
from tenant_apps.cases.services import (
    case_appointment_record,
    case_attach,
    case_attach_by_requester,
    case_open,
    case_open_for_citizen_find,
)
from tenant_apps.documents.models import Document
from tenant_apps.documents.uploads import Upload
from tenant_apps.notifications.enums import Channel, SubjectKind
from tenant_apps.notifications.services import EmailAttachment, notification_queue
from tenant_apps.workdays.selectors import holiday_names
from tenants.selectors import municipality_base_url

from .enums import AppointmentChannel, AppointmentStatus, AttendanceOutcome, ReminderKind, Weekday
from .ics import appointment_ics
from .jitsi import JitsiJoin, jitsi_is_configured, jitsi_join, jitsi_room_name_new
from .models import (
    Agenda,
    AgendaResource,
    Appointment,
    AppointmentReminder,
    AvailabilityException,
    AvailabilityRule,
    BookingBlock,
    CalendarFeed,
    Resource,
    SlotKind,
    Subject,
    VideoSession,
)
from .policies import booking_policy_check
from .selectors import appointment_staff_can_act
from .slots import Slot, agenda_zone, booking_window, slot_grid, week_opening

EXCLUSION_CONSTRAINT = "scheduling_no_double_booking"
DEADLOCK_DETECTED = "40P01"
REMINDER_OFFSETS = {
    ReminderKind.DAY_BEFORE: dt.timedelta(hours=24),
    ReminderKind.HOUR_BEFORE: dt.timedelta(hours=1),
}


# --- formatting and links ---------------------------------------------------------------------


def when_text(appointment: Appointment) -> str:
    """'terça-feira, 12/01/2027 às 14:00' in the agenda's time zone."""
    local = timezone.localtime(appointment.starts_at, agenda_zone(appointment.agenda))
    return f"{Weekday(local.weekday()).label.lower()}, {local:%d/%m/%Y} às {local:%H:%M}"


def appointment_url(appointment: Appointment) -> str:
    path = reverse("scheduling:citizen_appointment", kwargs={"appointment_code": appointment.code})
    return f"{municipality_base_url(current_tenant())}{path}"


def staff_appointment_url(appointment: Appointment) -> str:
    path = reverse("scheduling:staff_appointment", kwargs={"appointment_code": appointment.code})
    return f"{municipality_base_url(current_tenant())}{path}"


def cancel_deadline(appointment: Appointment) -> dt.datetime:
    return appointment.starts_at - dt.timedelta(hours=appointment.agenda.cancel_limit_hours)


def _code_new() -> str:
    return secrets.token_urlsafe(12)


def _notify(
    appointment: Appointment,
    template_key: str,
    *,
    attachments: Sequence[EmailAttachment] = (),
    sms: bool = False,
    **extra: Any,
) -> None:
    agenda = appointment.agenda
    where = (
        _("por vídeo — entre pela página do agendamento no horário")
        if agenda.is_video
        else (agenda.location or _("presencial"))
    )
    deadline = timezone.localtime(cancel_deadline(appointment), agenda_zone(agenda))
    notification_queue(
        template_key=template_key,
        context={
            "municipality_name": current_tenant().display_name,
            "agenda_name": agenda.name,
            "subject_name": appointment.subject.name if appointment.subject is not None else "",
            "when": when_text(appointment),
            "attendant_name": appointment.resource.name,
            "where": where,
            "nup": appointment.case.nup if appointment.case is not None else "",
            "cancel_until": f"{deadline:%d/%m/%Y %H:%M}",
            **extra,
        },
        recipient=appointment.citizen,
        channels=(Channel.EMAIL, Channel.SMS) if sms else (Channel.EMAIL,),
        link_url=appointment_url(appointment),
        subject_kind=SubjectKind.APPOINTMENT,
        subject_id=appointment.pk,
        attachments=attachments,
    )


def _invitation(appointment: Appointment, filename: str = "convite.ics") -> EmailAttachment:
    return EmailAttachment(
        filename=filename,
        content_type="text/calendar",
        content=appointment_ics(appointment, url=appointment_url(appointment)),
    )


# --- booking ----------------------------------------------------------------------------------


def _locked_citizen(citizen: User) -> User:
    locked = user_lock_active(user_id=citizen.pk)
    if locked is None or locked.kind != UserKind.CITIZEN:
        raise ApplicationError(_("Só cidadãos com cadastro ativo podem ter agendamentos."))
    return locked


def _slot_explain(
    *,
    agenda: Agenda,
    starts_at: dt.datetime,
    resource: Resource | None,
    slot_kind: SlotKind | None,
    now: dt.datetime,
    respect_window: bool,
) -> list[Slot]:
    """The slots at exactly `starts_at` (one per resource that attends then), or the reason why none."""
    if timezone.is_naive(starts_at):
        raise ApplicationError(_("Informe o horário com o fuso horário."), extra={"field": "starts_at"})
    zone = agenda_zone(agenda)
    local = timezone.localtime(starts_at, zone)
    if starts_at <= now:
        raise ApplicationError(
            _("Este horário já passou. Escolha um horário futuro."), extra={"field": "starts_at"}
        )
    earliest, last_day = booking_window(agenda, now=now)
    if respect_window and starts_at < earliest:
        raise ApplicationError(
            _("Agende com pelo menos %(minutes)d minutos de antecedência.")
            % {"minutes": agenda.min_notice_minutes},
            extra={"field": "starts_at"},
        )
    opened_until, next_opening = week_opening(agenda, now=now)
    if (
        respect_window
        and opened_until is not None
        and next_opening is not None
        and local.date() > opened_until
    ):
        opening = timezone.localtime(next_opening, zone)
        raise ApplicationError(
            _(
                "A agenda desta semana ainda não abriu: os horários até %(until)s abrem em %(weekday)s, "
                "%(day)s às %(time)s."
            )
            % {
                "until": (opened_until + dt.timedelta(days=7)).strftime("%d/%m/%Y"),
                "weekday": Weekday(opening.weekday()).label.lower(),
                "day": opening.strftime("%d/%m/%Y"),
                "time": opening.strftime("%H:%M"),
            }
            if local.date() <= opened_until + dt.timedelta(days=7)
            else _("A agenda abre semana a semana: só é possível agendar até %(day)s.")
            % {"day": opened_until.strftime("%d/%m/%Y")},
            extra={"field": "starts_at", "code": "not_open"},
        )
    if respect_window and local.date() > last_day:
        raise ApplicationError(
            _("Só é possível agendar até %(day)s (%(days)d dias à frente).")
            % {"day": last_day.strftime("%d/%m/%Y"), "days": agenda.horizon_days},
            extra={"field": "starts_at"},
        )
    period = slot_grid(
        agenda=agenda,
        first_day=local.date(),
        last_day=local.date(),
        resource_ids=[resource.pk] if resource else None,
        slot_kind=slot_kind,
    )
    if local.date() in period.holidays:
        name = holiday_names(local.year).get(local.date(), _("feriado"))
        raise ApplicationError(
            _("%(day)s é feriado (%(name)s): não há atendimento.")
            % {"day": local.strftime("%d/%m/%Y"), "name": name},
            extra={"field": "starts_at"},
        )
    at_time = [slot for slot in period.slots if slot.starts_at == starts_at]
    if not at_time:
        absent = [
            reason
            for resource_id, items in period.absences.items()
            for a_start, a_end, reason in items
            if a_start <= starts_at < a_end and (resource is None or resource_id == resource.pk)
        ]
        if absent and resource is not None:
            raise ApplicationError(
                _("O atendente não atende neste horário (%(reason)s). Escolha outro horário.")
                % {"reason": absent[0]},
                extra={"field": "starts_at"},
            )
        raise ApplicationError(
            _("Este horário está fora do horário de atendimento. Escolha um dos horários livres."),
            extra={"field": "starts_at"},
        )
    free = [slot for slot in at_time if slot.is_free]
    if not free:
        raise ApplicationError(
            _("Este horário já foi reservado. Escolha outro horário."),
            extra={"field": "starts_at", "code": "taken"},
        )
    return free


def _load_order(agenda: Agenda, slots: list[Slot]) -> list[Slot]:
    """With "any attendant", the one with the fewest appointments that day goes first."""
    if len(slots) < 2:
        return slots
    zone = agenda_zone(agenda)
    day = timezone.localtime(slots[0].starts_at, zone).date()
    day_start = dt.datetime.combine(day, dt.time.min, zone)
    counts: dict[int, int] = {}
    for resource_id in Appointment.objects.filter(
        resource_id__in=[slot.resource_id for slot in slots],
        status__in=(AppointmentStatus.BOOKED, AppointmentStatus.IN_PROGRESS),
        starts_at__gte=day_start,
        starts_at__lt=day_start + dt.timedelta(days=1),
    ).values_list("resource_id", flat=True):
        counts[resource_id] = counts.get(resource_id, 0) + 1
    return sorted(slots, key=lambda slot: (counts.get(slot.resource_id, 0), slot.resource_id))


def _resource_lock(resource_id: int) -> bool:
    """Queue the bookings of one resource (a transaction-level advisory lock, per city schema).

    The exclusion constraint decides; the lock only orders the contenders. Without it, two
    transactions inserting overlapping rows at once each wait for the other's uncommitted row (an
    exclusion constraint checks after inserting), and PostgreSQL fails one with "deadlock
    detected" — possibly the winner, later in its transaction. With it, a contender inserts only
    once the previous one has committed or rolled back, and a taken slot is refused at once.
    False if waiting would deadlock with another booking (treated as "taken" for this resource).
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s), %s)",
                [f"scheduling:{current_schema_name()}", resource_id],
            )
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED:
            return False
        raise
    return True


def _insert(appointment: Appointment) -> bool:
    """Insert in a savepoint, holding the resource's lock; False when the exclusion constraint says
    the time is taken."""
    if not _resource_lock(appointment.resource_id):
        return False
    try:
        with transaction.atomic():
            appointment.save(force_insert=True)
    except IntegrityError as error:
        appointment.pk = None
        if EXCLUSION_CONSTRAINT in str(error):
            return False
        raise
    return True


def _reminders_create(appointment: Appointment, now: dt.datetime) -> None:
    for kind, offset in REMINDER_OFFSETS.items():
        due_at = appointment.starts_at - offset
        if due_at > now:  # a booking made less than 24 h ahead gets only the 1 h reminder
            AppointmentReminder.objects.create(appointment=appointment, kind=kind, due_at=due_at)


def _reminders_cancel(appointment: Appointment, now: dt.datetime) -> None:
    AppointmentReminder.objects.filter(
        appointment=appointment, sent_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=now, updated_at=now)


def _case_attach_or_open(
    *, agenda: Agenda, citizen: User, subject: Subject | None, notes: str, opened_by: User
) -> Case | None:
    """The booking opens a case on the agenda's catalogue service, or joins the citizen's open one
    on the same subject (the form's `assunto` answer)."""
    service = agenda.catalog_service
    if service is None:
        return None
    keys = set(service.fields.values_list("key", flat=True))
    subject_name = subject.name if subject is not None else ""
    form_data: dict[str, Any] = {"assunto": subject_name} if "assunto" in keys and subject_name else {}
    case = case_open_for_citizen_find(
        service=service, citizen=citizen, form_key="assunto" if form_data else "", form_value=subject_name
    )
    if case is None:
        case = case_open(
            service=service,
            opened_by=opened_by,
            citizen=citizen,
            form_data=form_data,
            subject=f"{agenda.name}{' — ' + subject_name if subject_name else ''}",
            description=notes.strip(),
            channel=CaseChannel.PORTAL if opened_by.kind == UserKind.CITIZEN else CaseChannel.STAFF,
            notify_citizen=False,
            notify_unit=False,
        )
    return case


def _case_record(
    appointment: Appointment, kind: str, summary: str, *, actor: User, payload: dict[str, Any] | None = None
) -> None:
    if appointment.case is None:
        return
    case_appointment_record(
        case=appointment.case,
        kind=kind,
        actor=actor,
        summary=summary,
        payload={"appointment": appointment.code, **(payload or {})},
    )


@transaction.atomic
def appointment_book(
    *,
    agenda: Agenda,
    citizen: User,
    starts_at: dt.datetime,
    resource: Resource | None = None,
    subject: Subject | None = None,
    slot_kind: SlotKind | None = None,
    notes: str = "",
    booked_by: Any = None,
    channel: str = AppointmentChannel.ONLINE,
    now: dt.datetime | None = None,
    _replacing: Appointment | None = None,
) -> Appointment:
    """Book the slot at `starts_at` with `resource` (or any attendant free then).

    Refused with a Portuguese message, changing nothing: an inactive or offline agenda, a subject or
    attendant of another agenda, a time in the past, before the minimum notice or beyond the horizon,
    on a holiday, outside the attendant's weekly hours or during an absence, the agenda's policy
    (repeated no-shows, the daily limit) and a slot already taken, even by a concurrent request.
    """
    now = now or timezone.now()
    booked_by = booked_by or citizen
    if not agenda.is_active or (channel != AppointmentChannel.STAFF and not agenda.is_public):
        raise ApplicationError(_("Este serviço não está aberto a agendamentos."))
    if subject is not None and (subject.agenda_id != agenda.pk or not subject.is_active):
        raise ApplicationError(_("Escolha um dos assuntos deste serviço."), extra={"field": "subject"})
    if subject is None and agenda.subjects.filter(is_active=True).exists():
        raise ApplicationError(_("Escolha o assunto do atendimento."), extra={"field": "subject"})
    if slot_kind is not None and (
        slot_kind.agenda_id != agenda.pk
        or (channel != AppointmentChannel.STAFF and not slot_kind.is_bookable_online)
    ):
        raise ApplicationError(
            _("Este tipo de horário não pode ser agendado aqui."), extra={"field": "slot_kind"}
        )
    if (
        resource is not None
        and not AgendaResource.objects.filter(
            agenda=agenda, resource=resource, resource__is_active=True
        ).exists()
    ):
        raise ApplicationError(_("Este atendente não atende este serviço."), extra={"field": "resource"})
    if len(notes) > 2000:
        raise ApplicationError(_("Use no máximo 2000 caracteres nas observações."), extra={"field": "notes"})
    citizen = _locked_citizen(citizen)
    booking_policy_check(
        agenda=agenda,
        citizen=citizen,
        starts_at=starts_at,
        channel=channel,
        now=now,
        replacing=_replacing,
        slot_kind=slot_kind,
    )
    free = _slot_explain(
        agenda=agenda,
        starts_at=starts_at,
        resource=resource,
        slot_kind=slot_kind,
        now=now,
        respect_window=channel != AppointmentChannel.STAFF,
    )
    appointment = None
    for slot in _load_order(agenda, free):
        for seat in slot.free_seats:
            candidate = Appointment(
                code=_code_new(),
                agenda=agenda,
                resource_id=slot.resource_id,
                seat=seat,
                subject=subject,
                slot_kind=slot_kind,
                citizen=citizen,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                channel=channel,
                notes=notes.strip(),
                booked_by=booked_by,
                rescheduled_from=_replacing,
                case=_replacing.case if _replacing is not None else None,
            )
            if _insert(candidate):
                appointment = candidate
                break
        if appointment is not None:
            break
    if appointment is None:
        raise ApplicationError(
            _("Este horário acabou de ser reservado por outra pessoa. Escolha outro horário."),
            extra={"field": "starts_at", "code": "taken"},
        )
    appointment = Appointment.objects.select_related("agenda", "resource", "subject", "citizen", "case").get(
        pk=appointment.pk
    )
    if agenda.is_video:
        VideoSession.objects.create(appointment=appointment, room_name=jitsi_room_name_new())
    _reminders_create(appointment, now)
    if _replacing is None:
        # only once the slot is ours: a contender that lost never opens a case
        appointment.case = _case_attach_or_open(
            agenda=agenda, citizen=citizen, subject=subject, notes=notes, opened_by=booked_by
        )
        if appointment.case is not None:
            appointment.save(update_fields=["case", "updated_at"])
    payload = {
        "starts_at": appointment.starts_at.isoformat(),
        "ends_at": appointment.ends_at.isoformat(),
        "attendant": appointment.resource.name,
        "mode": agenda.get_mode_display(),
        "subject": appointment.subject.name if appointment.subject is not None else "",
    }
    if _replacing is None:
        _case_record(
            appointment,
            EventKind.APPOINTMENT_BOOKED,
            f"Atendimento agendado ({agenda.get_mode_display().lower()}) para {when_text(appointment)} "
            f"com {appointment.resource.name}",
            actor=booked_by,
            payload=payload,
        )
        _notify(appointment, "appointment_booked", attachments=[_invitation(appointment)])
    else:
        _case_record(
            appointment,
            EventKind.APPOINTMENT_RESCHEDULED,
            f"Atendimento remarcado para {when_text(appointment)} com {appointment.resource.name} "
            f"(era {when_text(_replacing)})",
            actor=booked_by,
            payload={**payload, "previous": _replacing.code},
        )
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("agenda", "resource", "subject", "citizen", "case")
        .get(pk=appointment.pk)
    )


def appointment_lock(*, appointment: Appointment) -> Appointment:
    """The appointment read again and locked until the caller's transaction ends, for a module built
    on scheduling (health) that changes it through its own rules."""
    return _locked(appointment)


def _require_citizen_may_change(appointment: Appointment, actor: User, now: dt.datetime, verb: str) -> None:
    if getattr(actor, "kind", None) == UserKind.CITIZEN:
        if appointment.citizen_id != actor.pk:
            raise AccessDenied
        deadline = cancel_deadline(appointment)
        if now > deadline:
            local = timezone.localtime(deadline, agenda_zone(appointment.agenda))
            raise ApplicationError(
                _(
                    "Não é mais possível %(verb)s pela internet: o prazo terminou em %(deadline)s "
                    "(%(hours)d horas antes do horário). Fale com o atendimento."
                )
                % {
                    "verb": verb,
                    "deadline": f"{local:%d/%m/%Y %H:%M}",
                    "hours": appointment.agenda.cancel_limit_hours,
                }
            )
    elif not appointment_staff_can_act(user=actor, appointment=appointment):
        raise AccessDenied


def _require_booked(appointment: Appointment) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise ApplicationError(
            _("Este agendamento está %(status)s e não pode mais ser alterado.")
            % {"status": appointment.get_status_display().lower()}
        )


def _cancel_rows(appointment: Appointment, *, actor: User, reason: str, now: dt.datetime) -> None:
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    appointment.cancelled_by = actor
    appointment.cancel_reason = reason[:300]
    appointment.ics_sequence += 1
    appointment.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
            "ics_sequence",
            "updated_at",
        ]
    )
    _reminders_cancel(appointment, now)


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, actor: User, reason: str = "", now: dt.datetime | None = None
) -> Appointment:
    """The citizen cancels until `cancel_limit_hours` before; staff of the agenda at any time before it
    happens. The slot is free again at once; no reminder of it is ever sent."""
    now = now or timezone.now()
    appointment = _locked(appointment)
    _require_citizen_may_change(appointment, actor, now, _("cancelar"))
    _require_booked(appointment)
    _cancel_rows(appointment, actor=actor, reason=reason.strip() or _("Cancelado"), now=now)
    _case_record(
        appointment,
        EventKind.APPOINTMENT_CANCELLED,
        f"Agendamento de {when_text(appointment)} cancelado"
        + (" pelo cidadão" if actor.pk == appointment.citizen_id else f" por {actor.full_name}"),
        actor=actor,
        payload={"reason": reason.strip()},
    )
    _notify(appointment, "appointment_cancelled", attachments=[_invitation(appointment, "cancelamento.ics")])
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    actor: User,
    starts_at: dt.datetime,
    resource: Resource | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move to another free slot, under the same limit as cancelling. The old time is released first
    (so a move by a few minutes with the same attendant works) and held again if the new one fails."""
    now = now or timezone.now()
    old = _locked(appointment)
    _require_citizen_may_change(old, actor, now, _("remarcar"))
    _require_booked(old)
    _cancel_rows(old, actor=actor, reason=_("Remarcado"), now=now)
    new = appointment_book(
        agenda=old.agenda,
        citizen=old.citizen,
        starts_at=starts_at,
        resource=resource,
        subject=old.subject,
        slot_kind=old.slot_kind,
        notes=old.notes,
        booked_by=actor,
        channel=AppointmentChannel.STAFF if actor.kind == UserKind.STAFF else old.channel,
        now=now,
        _replacing=old,
    )
    _notify(
        new,
        "appointment_rescheduled",
        attachments=[_invitation(old, "cancelamento.ics"), _invitation(new)],
        previous_when=when_text(old),
    )
    return new


# --- attendance -------------------------------------------------------------------------------


def room_window(appointment: Appointment) -> tuple[dt.datetime, dt.datetime]:
    from django.conf import settings

    opens = appointment.starts_at - dt.timedelta(minutes=settings.JITSI_OPENS_MINUTES_BEFORE)
    return opens, appointment.ends_at


def _require_staff(appointment: Appointment, actor: User) -> None:
    if not appointment_staff_can_act(user=actor, appointment=appointment):
        raise AccessDenied(_("Só servidores que atendem este serviço podem registrar o atendimento."))


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
    opens, _closes = room_window(appointment)
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
        f"O cidadão não compareceu ao atendimento de {when_text(appointment)}",
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


# --- video ------------------------------------------------------------------------------------


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
    opens, closes = room_window(appointment)
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
            title=f"Documentos do atendimento {when_text(appointment)}",
        )
    _require_staff(appointment, actor)
    return case_attach(case=case, actor=actor, uploads=uploads)


# --- reminders --------------------------------------------------------------------------------


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


# --- staff calendar feed ----------------------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, user: User) -> tuple[CalendarFeed, str]:
    """A new private feed URL token (shown once); any previous one of the person stops working."""
    if getattr(user, "kind", None) != UserKind.STAFF:
        raise AccessDenied
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now, updated_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_hash=feed_token_hash(token))
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> int:
    now = timezone.now()
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )


# --- the admin's configuration ----------------------------------------------------------------


def _full_clean(instance: Any, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except DjangoValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ApplicationError(messages[0], extra={"field": field if field != "__all__" else ""}) from error


AGENDA_FIELDS = (
    "code",
    "name",
    "description",
    "unit",
    "catalog_service",
    "mode",
    "location",
    "time_zone",
    "slot_minutes",
    "buffer_minutes",
    "horizon_days",
    "min_notice_minutes",
    "cancel_limit_hours",
    "daily_limit_per_citizen",
    "no_show_limit",
    "no_show_block_days",
    "closes_on_holidays",
    "is_public",
    "is_active",
    # for agendas owned by another module (health): its purpose, its booking policy, and the
    # week-by-week opening
    "purpose",
    "booking_policy",
    "opens_weekday",
    "opens_time",
)


def _agenda_check(agenda: Agenda) -> None:
    if agenda.mode == "presencial" and not agenda.location.strip():
        raise ApplicationError(_("Informe o local do atendimento presencial."), extra={"field": "location"})
    if agenda.catalog_service_id and agenda.catalog_service and not agenda.catalog_service.is_public:
        raise ApplicationError(
            _("O serviço da Carta de Serviços precisa estar aberto ao cidadão."),
            extra={"field": "catalog_service"},
        )


@transaction.atomic
def agenda_save(
    *,
    agenda: Agenda | None = None,
    subjects: Sequence[str] = (),
    resource_user_ids: Sequence[int] = (),
    **values: Any,
) -> Agenda:
    """Create or update an agenda with its subjects (in order) and the staff who attend it. Subjects
    and attendants no longer listed are deactivated or unlinked; their past appointments stay."""
    unknown = set(values) - set(AGENDA_FIELDS)
    if unknown:
        raise ApplicationError(_("Campos desconhecidos: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    agenda = agenda or Agenda()
    for name, value in values.items():
        setattr(agenda, name, value)
    _full_clean(agenda, exclude=["unit", "catalog_service"] if agenda.unit_id is None else [])
    _agenda_check(agenda)
    names = [name.strip() for name in subjects if name.strip()]
    if len({name.lower() for name in names}) != len(names):
        raise ApplicationError(_("Há assuntos repetidos."), extra={"field": "subjects"})
    if any(len(name) > 120 for name in names):
        raise ApplicationError(_("Cada assunto pode ter até 120 caracteres."), extra={"field": "subjects"})
    staff = list(User.objects.filter(pk__in=list(resource_user_ids), kind=UserKind.STAFF, is_active=True))
    if len(staff) != len(set(resource_user_ids)):
        raise ApplicationError(_("Escolha servidores ativos como atendentes."), extra={"field": "attendants"})
    agenda.save()
    existing = {subject.name: subject for subject in Subject.objects.filter(agenda=agenda)}
    for position, name in enumerate(names):
        subject = existing.pop(name, None) or Subject(agenda=agenda, name=name)
        subject.position = position
        subject.is_active = True
        subject.save()
    Subject.objects.filter(pk__in=[subject.pk for subject in existing.values()]).update(is_active=False)
    keep: list[int] = []
    for user in staff:
        resource, _created = Resource.objects.get_or_create(
            user=user, defaults={"name": user.full_name, "unit": agenda.unit}
        )
        if not resource.is_active:
            resource.is_active = True
            resource.save(update_fields=["is_active", "updated_at"])
        AgendaResource.objects.get_or_create(agenda=agenda, resource=resource)
        keep.append(resource.pk)
    AgendaResource.objects.filter(agenda=agenda).exclude(resource_id__in=keep).delete()
    return agenda


@transaction.atomic
def slot_kind_save(
    *,
    agenda: Agenda,
    code: str,
    name: str,
    duration_minutes: int,
    is_bookable_online: bool = True,
    position: int = 0,
) -> SlotKind:
    """Create or update (by code) a kind of slot of an agenda (first visit, return, priority)."""
    slot_kind = SlotKind.objects.filter(agenda=agenda, code=code).first() or SlotKind(
        agenda=agenda, code=code
    )
    slot_kind.name = name
    slot_kind.duration_minutes = duration_minutes
    slot_kind.is_bookable_online = is_bookable_online
    slot_kind.position = position
    _full_clean(slot_kind)
    slot_kind.save()
    return slot_kind


@transaction.atomic
def resource_for_staff(*, user: User) -> Resource:
    """The resource that holds a staff member's appointments (created once, reactivated if needed)."""
    resource, _created = Resource.objects.get_or_create(user=user, defaults={"name": user.full_name})
    if not resource.is_active:
        resource.is_active = True
        resource.save(update_fields=["is_active", "updated_at"])
    return resource


def _resource_of_agenda(agenda: Agenda, resource: Resource) -> None:
    if not AgendaResource.objects.filter(agenda=agenda, resource=resource).exists():
        raise ApplicationError(_("Este atendente não atende este serviço."))


@transaction.atomic
def availability_rule_add(
    *,
    agenda: Agenda,
    resource: Resource,
    weekdays: Sequence[int],
    start_time: dt.time,
    end_time: dt.time,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    capacity: int = 1,
    slot_kind: SlotKind | None = None,
) -> list[AvailabilityRule]:
    """Weekly hours of an attendant for an agenda; a window that overlaps another of the same person on
    the same weekday (in any agenda) is refused, since a person attends one thing at a time."""
    _resource_of_agenda(agenda, resource)
    if not weekdays:
        raise ApplicationError(_("Escolha ao menos um dia da semana."), extra={"field": "weekdays"})
    if end_time <= start_time:
        raise ApplicationError(_("O fim deve ser depois do início."), extra={"field": "end_time"})
    if valid_from and valid_until and valid_until < valid_from:
        raise ApplicationError(_("A data final deve ser depois da inicial."), extra={"field": "valid_until"})
    if slot_kind is not None and slot_kind.agenda_id != agenda.pk:
        raise ApplicationError(_("Tipo de horário de outro serviço."), extra={"field": "slot_kind"})
    created = []
    for weekday in sorted(set(weekdays)):
        clash = (
            AvailabilityRule.objects.filter(
                resource=resource, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time
            )
            .exclude(valid_until__lt=valid_from or dt.date.min)
            .exclude(valid_from__gt=valid_until or dt.date.max)
            .select_related("agenda")
            .first()
        )
        if clash is not None:
            raise ApplicationError(
                _("%(name)s já atende %(agenda)s em %(day)s das %(start)s às %(end)s.")
                % {
                    "name": resource.name,
                    "agenda": clash.agenda.name,
                    "day": Weekday(weekday).label.lower(),
                    "start": f"{clash.start_time:%H:%M}",
                    "end": f"{clash.end_time:%H:%M}",
                },
                extra={"field": "start_time"},
            )
        rule = AvailabilityRule(
            agenda=agenda,
            resource=resource,
            weekday=weekday,
            start_time=start_time,
            end_time=end_time,
            valid_from=valid_from,
            valid_until=valid_until,
            capacity=capacity,
            slot_kind=slot_kind,
        )
        _full_clean(rule)
        rule.save()
        created.append(rule)
    return created


@transaction.atomic
def availability_rule_remove(*, rule: AvailabilityRule) -> None:
    """Booked appointments stay (the attendant still attends them); no new slot comes from the rule."""
    rule.delete()


@transaction.atomic
def availability_exception_add(
    *, resource: Resource, starts_at: dt.datetime, ends_at: dt.datetime, reason: str
) -> AvailabilityException:
    """An absence (leave, training). Appointments already booked in it are listed for staff to move."""
    if not reason.strip():
        raise ApplicationError(_("Informe o motivo da ausência."), extra={"field": "reason"})
    if ends_at <= starts_at:
        raise ApplicationError(_("O fim da ausência deve ser depois do início."), extra={"field": "ends_at"})
    exception = AvailabilityException(
        resource=resource, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()
    )
    _full_clean(exception)
    exception.save()
    return exception


@transaction.atomic
def availability_exception_remove(*, exception: AvailabilityException) -> None:
    exception.delete()
