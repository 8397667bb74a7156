"""What every scheduling write shares: the appointment's links and wording, its notices to the
citizen (with the calendar invitation), its case history entry, and the row lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import AccessDenied, ApplicationError
from paco.schemas import current_tenant
from tenant_apps.accounts.models import User
from tenant_apps.cases.services import case_appointment_record
from tenant_apps.notifications.enums import Channel, SubjectKind
from tenant_apps.notifications.services import EmailAttachment, notification_queue
from tenants.selectors import municipality_base_url

from ..enums import AppointmentStatus, Weekday
from ..ics import appointment_ics
from ..models import Appointment
from ..selectors import appointment_staff_can_act
from ..slots import agenda_zone


def when_text(*, appointment: Appointment) -> str:
    """'terça-feira, 12/01/2027 às 14:00' in the agenda's time zone."""
    local = timezone.localtime(appointment.starts_at, agenda_zone(appointment.agenda))
    return f"{Weekday(local.weekday()).label.lower()}, {local:%d/%m/%Y} às {local:%H:%M}"


def appointment_url(*, appointment: Appointment) -> str:
    path = reverse("scheduling:citizen_appointment", kwargs={"appointment_code": appointment.code})
    return f"{municipality_base_url(current_tenant())}{path}"


def staff_appointment_url(*, appointment: Appointment) -> str:
    path = reverse("scheduling:staff_appointment", kwargs={"appointment_code": appointment.code})
    return f"{municipality_base_url(current_tenant())}{path}"


def cancel_deadline(*, appointment: Appointment) -> dt.datetime:
    return appointment.starts_at - dt.timedelta(hours=appointment.agenda.cancel_limit_hours)


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
    deadline = timezone.localtime(cancel_deadline(appointment=appointment), agenda_zone(agenda))
    notification_queue(
        template_key=template_key,
        context={
            "municipality_name": current_tenant().display_name,
            "agenda_name": agenda.name,
            "subject_name": appointment.subject.name if appointment.subject is not None else "",
            "when": when_text(appointment=appointment),
            "attendant_name": appointment.resource.name,
            "where": where,
            "nup": appointment.case.nup if appointment.case is not None else "",
            "cancel_until": f"{deadline:%d/%m/%Y %H:%M}",
            **extra,
        },
        recipient=appointment.citizen,
        channels=(Channel.EMAIL, Channel.SMS) if sms else (Channel.EMAIL,),
        link_url=appointment_url(appointment=appointment),
        subject_kind=SubjectKind.APPOINTMENT,
        subject_id=appointment.pk,
        attachments=attachments,
    )


def _invitation(appointment: Appointment, filename: str = "convite.ics") -> EmailAttachment:
    return EmailAttachment(
        filename=filename,
        content_type="text/calendar",
        content=appointment_ics(appointment, url=appointment_url(appointment=appointment)),
    )


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


def _require_booked(appointment: Appointment) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise ApplicationError(
            _("Este agendamento está %(status)s e não pode mais ser alterado.")
            % {"status": appointment.get_status_display().lower()}
        )


def _require_staff(appointment: Appointment, actor: User) -> None:
    if not appointment_staff_can_act(user=actor, appointment=appointment):
        raise AccessDenied(_("Só servidores que atendem este serviço podem registrar o atendimento."))
