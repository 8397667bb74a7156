"""Booking, cancelling and rescheduling.

Booking safety does not rest on the checks below but on the database: `Appointment` has an
exclusion constraint over (resource, seat, time range) for every appointment that holds its time,
so of any number of concurrent requests for one slot exactly one commits; the others get the
"already taken" message. The checks only explain, in Portuguese, why a time is not bookable.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import AccessDenied, ApplicationError
from paco.schemas import current_schema_name
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import user_lock_active
from tenant_apps.cases.enums import CaseChannel, EventKind
from tenant_apps.cases.models import Case
from tenant_apps.cases.services import case_open, case_open_for_citizen_find
from tenant_apps.workdays.selectors import holiday_names

from ..enums import AppointmentChannel, AppointmentStatus, Weekday
from ..jitsi import jitsi_room_name_new
from ..models import Agenda, AgendaResource, Appointment, Resource, SlotKind, Subject, VideoSession
from ..policies import booking_policy_check
from ..selectors import appointment_staff_can_act
from ..slots import Slot, agenda_zone, booking_window, slot_grid, week_opening
from .common import _case_record, _invitation, _locked, _notify, _require_booked, cancel_deadline, when_text
from .reminders import _reminders_cancel, _reminders_create

EXCLUSION_CONSTRAINT = "scheduling_no_double_booking"
DEADLOCK_DETECTED = "40P01"


def _code_new() -> str:
    return secrets.token_urlsafe(12)


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
    booked_by: User | None = None,
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
            f"Atendimento agendado ({agenda.get_mode_display().lower()}) para "
            f"{when_text(appointment=appointment)} com {appointment.resource.name}",
            actor=booked_by,
            payload=payload,
        )
        _notify(appointment, "appointment_booked", attachments=[_invitation(appointment)])
    else:
        _case_record(
            appointment,
            EventKind.APPOINTMENT_RESCHEDULED,
            f"Atendimento remarcado para {when_text(appointment=appointment)} com "
            f"{appointment.resource.name} (era {when_text(appointment=_replacing)})",
            actor=booked_by,
            payload={**payload, "previous": _replacing.code},
        )
    return appointment


def _require_citizen_may_change(appointment: Appointment, actor: User, now: dt.datetime, verb: str) -> None:
    if getattr(actor, "kind", None) == UserKind.CITIZEN:
        if appointment.citizen_id != actor.pk:
            raise AccessDenied
        deadline = cancel_deadline(appointment=appointment)
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
        f"Agendamento de {when_text(appointment=appointment)} cancelado"
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
        previous_when=when_text(appointment=old),
    )
    return new
