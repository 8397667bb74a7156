"""Booking through the scheduling engine with the health rules: week-by-week opening, slot kinds,
priority slots, limits per specialty, suspension after no-shows, and the waiting list."""

import datetime as dt

import pytest

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.health import services
from tenant_apps.health.enums import KIND_FIRST, KIND_PRIORITY, KIND_RETURN, OfferStatus, WaitStatus
from tenant_apps.health.models import SlotOffer, WaitingListEntry
from tenant_apps.health.policies import suspension_until
from tenant_apps.health.selectors import free_slots
from tenant_apps.notifications.models import Notification
from tenant_apps.scheduling.enums import AppointmentStatus
from tenant_apps.scheduling.models import Appointment, AppointmentReminder, AvailabilityException

from .conftest import NOW, at, patient


def test_book_a_first_visit_with_a_chosen_doctor(helena, citizen):
    # when
    appointment = services.health_appointment_book(
        citizen=citizen, schedule=helena, starts_at=at(13, 8), now=NOW
    )
    # then
    assert appointment.agenda_id == helena.agenda_id
    assert appointment.resource_id == helena.professional.resource_id
    assert appointment.slot_kind.code == KIND_FIRST
    assert appointment.ends_at == at(13, 8, 20)
    assert appointment.case is None  # no Protocolo case for health
    assert set(
        AppointmentReminder.objects.filter(appointment=appointment).values_list("kind", flat=True)
    ) == {"24h", "1h"}
    assert Notification.objects.filter(recipient=citizen, template_key="appointment_booked").count() == 1


def test_slot_list_has_first_visits_only_in_the_open_week(helena, citizen):
    slots = free_slots(specialty=helena.specialty, patient=patient(citizen), now=NOW)
    days = {timezone_day(item.starts_at) for item in slots}
    assert max(days) <= dt.date(2030, 3, 17)
    assert {item.kind for item in slots} == {KIND_FIRST}
    assert all(item.starts_at.astimezone(at(1, 0).tzinfo).hour in (8, 9) for item in slots)
    # Monday 11/03 after 08:30 (minimum notice 30 min) to Friday 15/03: two doctors, 6 slots a morning
    assert len([item for item in slots if item.schedule == helena]) == 6 * 5 - 2


def timezone_day(value):
    return value.astimezone(at(1, 0).tzinfo).date()


def test_next_week_opens_on_friday_at_seven(helena, citizen):
    with pytest.raises(ApplicationError) as error:
        services.health_appointment_book(citizen=citizen, schedule=helena, starts_at=at(19, 8), now=NOW)
    assert error.value.message == (
        "A agenda desta semana ainda não abriu: os horários até 24/03/2030 abrem em sexta-feira, "
        "15/03/2030 às 07:00."
    )
    assert not Appointment.objects.filter(citizen=citizen).exists()
    # one minute before the opening: still closed; at 07:00 it opens
    with pytest.raises(ApplicationError):
        services.health_appointment_book(
            citizen=citizen, schedule=helena, starts_at=at(19, 8), now=at(15, 6, 59)
        )
    appointment = services.health_appointment_book(
        citizen=citizen, schedule=helena, starts_at=at(19, 8), now=at(15, 7, 0)
    )
    assert appointment.starts_at == at(19, 8)


def test_one_open_booking_per_specialty(helena, rodrigo, citizen):
    services.health_appointment_book(citizen=citizen, schedule=helena, starts_at=at(12, 8), now=NOW)
    with pytest.raises(ApplicationError) as error:
        services.health_appointment_book(citizen=citizen, schedule=rodrigo, starts_at=at(13, 9), now=NOW)
    assert error.value.message == (
        "Você já tem 1 consulta(s) marcada(s) em Clínico geral, o limite por especialidade. "
        "Cancele a consulta marcada se quiser outro horário."
    )
    assert Appointment.objects.filter(citizen=citizen).count() == 1


def test_priority_slots_are_reserved(helena, citizen, elderly):
    with pytest.raises(ApplicationError) as error:
        services.health_appointment_book(
            citizen=citizen, schedule=helena, starts_at=at(12, 11), kind=KIND_PRIORITY, now=NOW
        )
    assert "reservado ao atendimento prioritário" in error.value.message
    assert not Appointment.objects.filter(citizen=citizen).exists()
    appointment = services.health_appointment_book(
        citizen=elderly, schedule=helena, starts_at=at(12, 11), kind=KIND_PRIORITY, now=NOW
    )
    assert appointment.slot_kind.code == KIND_PRIORITY
    elderly_slots = free_slots(specialty=helena.specialty, patient=patient(elderly), now=NOW)
    assert {item.kind for item in elderly_slots} == {KIND_FIRST, KIND_PRIORITY}


def test_a_first_visit_time_is_not_a_return_time(helena, citizen):
    with pytest.raises(ApplicationError) as error:
        services.health_appointment_book(citizen=citizen, schedule=helena, starts_at=at(12, 10), now=NOW)
    assert (
        error.value.message
        == "Este horário está fora do horário de atendimento. Escolha um dos horários livres."
    )


def test_return_after_an_attendance(helena, citizen):
    first = services.health_appointment_book(citizen=citizen, schedule=helena, starts_at=at(11, 9), now=NOW)
    services.attendance_finish(
        appointment=first, actor=helena.professional.user, notes="Pressão 12x8.", now=at(11, 9, 15)
    )
    appointment = services.health_appointment_book(
        citizen=citizen, schedule=helena, starts_at=at(13, 10), now=at(11, 10)
    )
    assert appointment.slot_kind.code == KIND_RETURN


def test_no_shows_suspend_online_booking_with_the_end_date(helena, citizen, reception):
    for day in (11, 12):
        appointment = services.health_appointment_book(
            citizen=citizen, schedule=helena, starts_at=at(day, 9), now=at(day, 7)
        )
        services.no_show_mark(appointment=appointment, actor=reception, now=at(day, 10))
    assert suspension_until(citizen=citizen, now=at(12, 10)) == at(12, 9) + dt.timedelta(days=30)
    with pytest.raises(ApplicationError) as error:
        services.health_appointment_book(
            citizen=citizen, schedule=helena, starts_at=at(14, 9), now=at(12, 10)
        )
    assert error.value.message == (
        "Seu agendamento pela internet está suspenso até 11/04/2030 porque você faltou a 2 consultas sem "
        "cancelar. Procure a sua unidade de saúde se precisar antes."
    )
    assert Appointment.objects.filter(citizen=citizen, status=AppointmentStatus.BOOKED).count() == 0


def test_booking_needs_a_cns(helena, in_gravatai):
    user = User.objects.create_user(
        "semcns@exemplo.com.br", "x", full_name="Sem CNS", kind="citizen", cpf="12345678909"
    )
    with pytest.raises(ApplicationError) as error:
        services.health_appointment_book(citizen=user, schedule=helena, starts_at=at(12, 8), now=NOW)
    assert error.value.message == "Informe o seu Cartão Nacional de Saúde (CNS) antes de agendar."


def test_invalid_cns_changes_nothing(other):
    before = patient(other).cns
    with pytest.raises(ApplicationError) as error:
        services.patient_register(user=other, cns="898000000043209", birth_date=dt.date(1990, 1, 1))
    assert error.value.message == "Este número de CNS não é válido: confira os dígitos no seu cartão do SUS."
    assert patient(other).cns == before


def test_cancel_offers_the_slot_to_the_first_waiting_then_the_next(helena, citizen, other, third):
    # given: the citizen holds 12/03 08:00; two people wait for Clínico geral, `other` first
    appointment = services.health_appointment_book(
        citizen=citizen, schedule=helena, starts_at=at(12, 8), now=NOW
    )
    services.waiting_list_join(citizen=other, specialty=helena.specialty)
    services.waiting_list_join(citizen=third, specialty=helena.specialty)
    # when
    services.health_appointment_cancel(appointment=appointment, actor=citizen, now=NOW)
    # then: `other` is offered the slot, held for them
    offer = SlotOffer.objects.get()
    assert offer.entry.patient.user == other
    assert offer.starts_at == at(12, 8)
    assert offer.expires_at == NOW + dt.timedelta(minutes=120)
    assert Notification.objects.filter(recipient=other, template_key="health_slot_offered").count() >= 1
    with pytest.raises(ApplicationError) as error:
        services.health_appointment_book(citizen=third, schedule=helena, starts_at=at(12, 8), now=NOW)
    assert "vaga reservada para a lista de espera" in error.value.message
    # when the offer expires, the next person gets it
    assert services.slot_offers_expire(now=NOW + dt.timedelta(minutes=121)) == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    second = SlotOffer.objects.get(status=OfferStatus.OPEN)
    assert second.entry.patient.user == third
    assert AvailabilityException.objects.filter(pk=second.hold_id).exists()
    assert not AvailabilityException.objects.filter(pk=offer.hold_id or 0).exists()


def test_accepting_the_offer_books_the_slot(helena, citizen, other):
    appointment = services.health_appointment_book(
        citizen=citizen, schedule=helena, starts_at=at(12, 8), now=NOW
    )
    services.waiting_list_join(citizen=other, specialty=helena.specialty)
    services.health_appointment_cancel(appointment=appointment, actor=citizen, now=NOW)
    token = "x"
    offer = SlotOffer.objects.get()
    # the token is only in the e-mail: set a known one for the test
    offer.token_hash = services.offer_token_hash(token=token)
    offer.save(update_fields=["token_hash"])
    with pytest.raises(ApplicationError):
        services.slot_offer_accept(token=token, citizen=citizen, now=NOW)
    booked = services.slot_offer_accept(token=token, citizen=other, now=NOW + dt.timedelta(minutes=5))
    assert booked.starts_at == at(12, 8)
    assert booked.citizen == other
    assert WaitingListEntry.objects.get(patient__user=other).status == WaitStatus.BOOKED
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    assert offer.hold_id is None


def test_late_cancellation_is_refused(helena, citizen):
    appointment = services.health_appointment_book(
        citizen=citizen, schedule=helena, starts_at=at(12, 8), now=NOW
    )
    with pytest.raises(ApplicationError) as error:
        services.health_appointment_cancel(appointment=appointment, actor=citizen, now=at(11, 9))
    assert "cancelar" in error.value.message
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
