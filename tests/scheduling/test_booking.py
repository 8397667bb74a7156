"""The engine: free slots, booking and its refusals, cancelling, rescheduling, reminders, no-shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from paco.errors import ApplicationError
from tenant_apps.cases.enums import EventKind
from tenant_apps.cases.history import history_verify
from tenant_apps.notifications.models import Notification
from tenant_apps.scheduling.enums import AppointmentStatus
from tenant_apps.scheduling.models import (
    Appointment,
    AppointmentReminder,
    AvailabilityException,
    BookingBlock,
)
from tenant_apps.scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_finish,
    appointment_mark_no_show,
    appointment_reschedule,
    appointment_start,
    reminder_send,
    reminders_send_due,
)
from tenant_apps.scheduling.slots import slot_list_free
from tenant_apps.workdays.services import municipal_holiday_create

from .conftest import NOW, at


def test_free_slots_of_a_day_with_ten_inspectors(video_agenda):
    slots = slot_list_free(
        agenda=video_agenda, first_day=dt.date(2030, 3, 12), last_day=dt.date(2030, 3, 12), now=NOW
    )
    assert len(slots) == 10 * 12  # 09:00-12:00 and 13:30-16:30, 30-minute slots
    assert slots[0].starts_at == at(12, 9)
    assert slots[-1].ends_at == at(12, 16, 30)
    assert {slot.starts_at.astimezone(at(12, 9).tzinfo).strftime("%H:%M") for slot in slots} == {
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "13:30",
        "14:00",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
    }


def test_weekends_holidays_absences_and_bookings_produce_no_free_slot(
    video_agenda, inspector_resource, citizen, iptu
):
    municipal_holiday_create(date=dt.date(2030, 3, 13), name="Aniversário de teste")
    AvailabilityException.objects.create(
        resource=inspector_resource, starts_at=at(14, 0), ends_at=at(15, 0), reason="Férias"
    )
    appointment_book(
        agenda=video_agenda,
        citizen=citizen,
        starts_at=at(12, 9),
        resource=inspector_resource,
        subject=iptu,
        now=NOW,
    )

    def day(number: int, resource_ids=None) -> list:
        return slot_list_free(
            agenda=video_agenda,
            first_day=dt.date(2030, 3, number),
            last_day=dt.date(2030, 3, number),
            resource_ids=resource_ids,
            now=NOW,
        )

    assert day(16) == []  # Saturday
    assert day(13) == []  # the municipal holiday
    assert day(14, [inspector_resource.pk]) == []  # on leave
    mine = day(12, [inspector_resource.pk])
    assert len(mine) == 11
    assert at(12, 9) not in [slot.starts_at for slot in mine]


def test_booking_opens_a_case_records_it_and_sends_the_invitation(
    video_agenda, inspector_resource, citizen, iptu
):
    appointment = appointment_book(
        agenda=video_agenda,
        citizen=citizen,
        starts_at=at(12, 10),
        resource=inspector_resource,
        subject=iptu,
        notes="Dúvida sobre a planta de valores",
        now=NOW,
    )
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.ends_at == at(12, 10, 30)
    case = appointment.case
    assert case.service.code == "atendimento-por-video-com-fiscal"
    assert case.form_data == {"assunto": "IPTU"}
    event = case.events.order_by("-sequence").first()
    assert event.kind == EventKind.APPOINTMENT_BOOKED
    assert event.payload["appointment"] == appointment.code
    assert "terça-feira, 12/03/2030 às 10:00" in event.summary
    assert history_verify(case).is_valid
    assert len(appointment.video.room_name) == len("paco-") + 32
    assert sorted(
        AppointmentReminder.objects.filter(appointment=appointment).values_list("kind", "due_at")
    ) == [("1h", at(12, 9)), ("24h", at(11, 10))]
    email = Notification.objects.get(subject_kind="appointment", subject_id=appointment.pk, channel="email")
    assert email.template_key == "appointment_booked"
    assert case.nup in email.body
    [invitation] = email.attachments
    assert invitation["filename"] == "convite.ics"
    assert "METHOD:REQUEST" in invitation["content"]
    assert "DTSTART;TZID=America/Sao_Paulo:20300312T100000" in invitation["content"]
    assert "BEGIN:VTIMEZONE" in invitation["content"]
    # no separate "protocolo recebido" e-mail: the confirmation names the NUP
    assert not Notification.objects.filter(template_key="case_opened", subject_id=case.pk).exists()


def test_a_second_booking_on_the_same_subject_joins_the_open_case(
    video_agenda, inspector_resource, citizen, iptu
):
    video_agenda.daily_limit_per_citizen = 2
    video_agenda.save()
    first = appointment_book(
        agenda=video_agenda, citizen=citizen, starts_at=at(12, 10), subject=iptu, now=NOW
    )
    second = appointment_book(
        agenda=video_agenda, citizen=citizen, starts_at=at(12, 14), subject=iptu, now=NOW
    )
    iss = appointment_book(
        agenda=video_agenda,
        citizen=citizen,
        starts_at=at(13, 14),
        subject=video_agenda.subjects.get(name="ISS"),
        now=NOW,
    )
    assert second.case_id == first.case_id
    assert iss.case_id != first.case_id


def test_any_attendant_spreads_the_day_over_the_inspectors(video_agenda, citizen, other_citizen, iptu):
    one = appointment_book(agenda=video_agenda, citizen=citizen, starts_at=at(12, 9), subject=iptu, now=NOW)
    two = appointment_book(
        agenda=video_agenda, citizen=other_citizen, starts_at=at(12, 9), subject=iptu, now=NOW
    )
    assert one.resource_id != two.resource_id


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        (at(11, 7), "Este horário já passou"),
        (at(11, 8, 30), "pelo menos 60 minutos de antecedência"),
        (at(12, 12), "fora do horário de atendimento"),
        (at(12, 9, 10), "fora do horário de atendimento"),
        (at(16, 9), "fora do horário de atendimento"),
        (at(19, 9, month=4), "é feriado (Sexta-feira Santa)"),
        (at(15, 9, month=4), "Só é possível agendar até 10/04/2030"),
    ],
)
def test_bad_times_are_refused_in_portuguese_and_change_nothing(
    video_agenda, inspector_resource, citizen, iptu, starts_at, message
):
    video_agenda.horizon_days = 60 if "feriado" in message else 30
    video_agenda.save()
    before = (Appointment.objects.count(), Notification.objects.count())
    with pytest.raises(ApplicationError) as error:
        appointment_book(
            agenda=video_agenda,
            citizen=citizen,
            starts_at=starts_at,
            resource=inspector_resource,
            subject=iptu,
            now=NOW,
        )
    assert message in error.value.message
    assert (Appointment.objects.count(), Notification.objects.count()) == before


def test_a_taken_slot_an_absence_and_a_foreign_subject_are_refused(
    video_agenda, inspector_resource, citizen, other_citizen, iptu
):
    appointment_book(
        agenda=video_agenda,
        citizen=citizen,
        starts_at=at(12, 9),
        resource=inspector_resource,
        subject=iptu,
        now=NOW,
    )
    with pytest.raises(ApplicationError, match="já foi reservado"):
        appointment_book(
            agenda=video_agenda,
            citizen=other_citizen,
            starts_at=at(12, 9),
            resource=inspector_resource,
            subject=iptu,
            now=NOW,
        )
    AvailabilityException.objects.create(
        resource=inspector_resource, starts_at=at(13, 0), ends_at=at(14, 0), reason="Treinamento"
    )
    with pytest.raises(ApplicationError, match=r"não atende neste horário \(Treinamento\)"):
        appointment_book(
            agenda=video_agenda,
            citizen=other_citizen,
            starts_at=at(13, 9),
            resource=inspector_resource,
            subject=iptu,
            now=NOW,
        )
    from tenant_apps.scheduling.models import Agenda

    sesmt = Agenda.objects.get(code="atendimento-sesmt")
    with pytest.raises(ApplicationError, match="Escolha um dos assuntos deste serviço"):
        appointment_book(agenda=sesmt, citizen=other_citizen, starts_at=at(12, 9), subject=iptu, now=NOW)
    assert Appointment.objects.filter(citizen=other_citizen).count() == 0


def test_the_daily_limit_per_citizen(video_agenda, citizen, iptu):
    appointment_book(agenda=video_agenda, citizen=citizen, starts_at=at(12, 9), subject=iptu, now=NOW)
    with pytest.raises(ApplicationError, match="limite por dia"):
        appointment_book(agenda=video_agenda, citizen=citizen, starts_at=at(12, 14), subject=iptu, now=NOW)
    appointment_book(agenda=video_agenda, citizen=citizen, starts_at=at(13, 14), subject=iptu, now=NOW)


def test_cancel_until_the_limit_then_refused(video_agenda, citizen, other_citizen, iptu):
    appointment = appointment_book(
        agenda=video_agenda, citizen=citizen, starts_at=at(12, 10), subject=iptu, now=NOW
    )
    with pytest.raises(PermissionDenied):
        appointment_cancel(appointment=appointment, actor=other_citizen, now=NOW)
    with pytest.raises(ApplicationError, match="o prazo terminou em 12/03/2030 08:00"):
        appointment_cancel(appointment=appointment, actor=citizen, now=at(12, 8, 1))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED

    cancelled = appointment_cancel(appointment=appointment, actor=citizen, now=at(12, 7))
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert not AppointmentReminder.objects.filter(appointment=appointment, cancelled_at__isnull=True).exists()
    email = Notification.objects.get(template_key="appointment_cancelled", subject_id=appointment.pk)
    assert "METHOD:CANCEL" in email.attachments[0]["content"]
    assert cancelled.case.events.order_by("-sequence").first().kind == EventKind.APPOINTMENT_CANCELLED
    # the slot is free again
    again = appointment_book(
        agenda=video_agenda,
        citizen=other_citizen,
        starts_at=at(12, 10),
        resource=appointment.resource,
        subject=iptu,
        now=at(12, 7),
    )
    assert again.resource_id == appointment.resource_id


def test_reschedule_moves_the_appointment_and_its_reminders(video_agenda, inspector_resource, citizen, iptu):
    old = appointment_book(
        agenda=video_agenda,
        citizen=citizen,
        starts_at=at(12, 10),
        resource=inspector_resource,
        subject=iptu,
        now=NOW,
    )
    new = appointment_reschedule(
        appointment=old, actor=citizen, starts_at=at(12, 10, 30), resource=inspector_resource, now=NOW
    )
    old.refresh_from_db()
    assert old.status == AppointmentStatus.CANCELLED
    assert new.rescheduled_from_id == old.pk
    assert new.case_id == old.case_id
    assert new.starts_at == at(12, 10, 30)
    kinds = list(new.case.events.order_by("sequence").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.APPOINTMENT_BOOKED, EventKind.APPOINTMENT_RESCHEDULED]
    email = Notification.objects.get(template_key="appointment_rescheduled", subject_id=new.pk)
    assert [item["filename"] for item in email.attachments] == ["cancelamento.ics", "convite.ics"]
    # a reschedule to a taken or bad time leaves the old appointment as it was
    with pytest.raises(ApplicationError, match="fora do horário"):
        appointment_reschedule(appointment=new, actor=citizen, starts_at=at(12, 12), now=NOW)
    new.refresh_from_db()
    assert new.status == AppointmentStatus.BOOKED


def test_reminders_are_sent_once_and_never_for_a_cancelled_appointment(
    video_agenda, citizen, other_citizen, iptu
):
    kept = appointment_book(agenda=video_agenda, citizen=citizen, starts_at=at(12, 10), subject=iptu, now=NOW)
    dropped = appointment_book(
        agenda=video_agenda, citizen=other_citizen, starts_at=at(12, 10), subject=iptu, now=NOW
    )
    appointment_cancel(appointment=dropped, actor=other_citizen, now=NOW)

    assert reminders_send_due(now=at(11, 10, 1)) == 1  # the 24 h reminder of the kept one
    assert reminders_send_due(now=at(11, 10, 2)) == 0
    day_before = AppointmentReminder.objects.get(appointment=kept, kind="24h")
    assert reminder_send(reminder_id=day_before.pk, now=at(11, 11)) is False
    assert reminders_send_due(now=at(12, 9, 1)) == 1  # the 1 h one
    sent = Notification.objects.filter(template_key="appointment_reminder")
    assert set(sent.values_list("subject_id", flat=True)) == {kept.pk}
    emails = list(sent.filter(channel="email").order_by("id").values_list("subject", flat=True))
    assert emails == [
        "Lembrete (24 horas antes): Atendimento por vídeo com fiscal, terça-feira, 12/03/2030 às 10:00",
        "Lembrete (1 hora antes): Atendimento por vídeo com fiscal, terça-feira, 12/03/2030 às 10:00",
    ]


def test_no_shows_block_online_booking(video_agenda, inspector, citizen, iptu):
    video_agenda.no_show_limit = 2
    video_agenda.no_show_block_days = 30
    video_agenda.save()
    for day in (12, 13):
        appointment = appointment_book(
            agenda=video_agenda, citizen=citizen, starts_at=at(day, 9), subject=iptu, now=NOW
        )
        with pytest.raises(ApplicationError, match="depois do horário marcado"):
            appointment_mark_no_show(appointment=appointment, actor=inspector, now=at(day, 8, 59))
        appointment_mark_no_show(appointment=appointment, actor=inspector, now=at(day, 9, 20))
    block = BookingBlock.objects.get(citizen=citizen, agenda=video_agenda)
    assert block.no_shows == 2
    with pytest.raises(
        ApplicationError, match="faltou a 2 atendimentos agendados e não pode agendar pela internet até"
    ):
        appointment_book(
            agenda=video_agenda, citizen=citizen, starts_at=at(15, 9), subject=iptu, now=at(13, 10)
        )


def test_attendance_is_recorded_on_the_case_and_video_minutes_are_metered(
    video_agenda, inspector, citizen, iptu, gravatai
):
    from django_tenants.utils import schema_context

    from shared_apps.metering.models import UsageEvent

    appointment = appointment_book(
        agenda=video_agenda, citizen=citizen, starts_at=at(12, 10), resource=None, subject=iptu, now=NOW
    )
    appointment.resource.user = (
        inspector if appointment.resource.user_id == inspector.pk else appointment.resource.user
    )
    actor = appointment.resource.user
    with pytest.raises(ApplicationError, match="só pode começar a partir de 12/03/2030 09:50"):
        appointment_start(appointment=appointment, actor=actor, now=at(12, 9, 40))
    appointment_start(appointment=appointment, actor=actor, now=at(12, 9, 55))
    done = appointment_finish(
        appointment=appointment,
        actor=actor,
        outcome="resolvido",
        notes="Orientado sobre o parcelamento.",
        now=at(
            12,
            10,
            17,
        ),
    )
    assert done.status == AppointmentStatus.DONE
    assert done.video.duration_seconds == 22 * 60
    ended = done.case.events.order_by("-sequence").first()
    assert ended.kind == EventKind.ATTENDANCE_ENDED
    assert ended.payload["duration_minutes"] == 22
    assert ended.payload["outcome"] == "resolvido"
    assert ended.payload["notes"] == "Orientado sobre o parcelamento."
    assert history_verify(done.case).is_valid
    with schema_context("public"):
        usage = UsageEvent.objects.get(
            municipality=gravatai, metric="video_minutes", idempotency_key=f"video:{done.video.pk}"
        )
    assert usage.quantity == 22
