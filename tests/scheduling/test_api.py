"""`/api/v1/scheduling/...`: agendas, free slots, book, cancel, reschedule, the staff agenda."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.accounts.models import User
from tenant_apps.scheduling.models import Agenda, Appointment
from tenant_apps.scheduling.services import appointment_book

from .conftest import NOW, at

CODE = "atendimento-por-video-com-fiscal"


def test_a_citizen_books_reschedules_and_cancels_over_the_api(gravatai, login_as):
    citizen = login_as("citizen", gravatai)
    agendas = citizen.get("/api/v1/scheduling/agendas/").json()
    video = next(agenda for agenda in agendas if agenda["code"] == CODE)
    assert [subject["name"] for subject in video["subjects"]] == ["IPTU", "ISS", "ITBI", "NFS-e"]
    assert len(video["attendants"]) == 10
    start = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    slots = citizen.get(f"/api/v1/scheduling/agendas/{CODE}/slots/", {"start": start, "end": start}).json()
    first = slots[0]
    iss = next(subject["id"] for subject in video["subjects"] if subject["name"] == "ISS")

    booked = citizen.post(
        "/api/v1/scheduling/bookings/",
        {"agenda": CODE, "starts_at": first["starts_at"], "subject": iss, "attendant": first["attendant_id"]},
        content_type="application/json",
    )
    assert booked.status_code == 201, booked.content
    body = booked.json()
    assert body["status"] == "agendado"
    assert body["subject"] == "ISS"
    assert body["case_nup"]

    # the same slot again: a clear Portuguese refusal, nothing new
    with tenant_context(gravatai):
        before = Appointment.objects.count()
    again = login_as("citizen", gravatai).post(
        "/api/v1/scheduling/bookings/",
        {"agenda": CODE, "starts_at": first["starts_at"], "subject": iss, "attendant": first["attendant_id"]},
        content_type="application/json",
    )
    assert again.status_code == 400
    assert again.json() in (
        {"starts_at": ["Este horário já foi reservado. Escolha outro horário."]},
        {
            "starts_at": [
                "Você já tem 1 agendamento(s) neste serviço em "
                + timezone.localtime(dt.datetime.fromisoformat(first["starts_at"])).strftime("%d/%m/%Y")
                + ", o limite por dia."
            ]
        },
    )
    past = citizen.post(
        "/api/v1/scheduling/bookings/",
        {"agenda": CODE, "starts_at": "2020-01-06T10:00:00-03:00", "subject": iss},
        content_type="application/json",
    )
    assert past.status_code == 400
    with tenant_context(gravatai):
        assert Appointment.objects.count() == before

    later = next(slot for slot in slots if slot["starts_at"] != first["starts_at"])
    moved = citizen.post(
        f"/api/v1/scheduling/bookings/{body['code']}/reschedule/",
        {"starts_at": later["starts_at"], "attendant": later["attendant_id"]},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    new_code = moved.json()["code"]
    assert moved.json()["starts_at"] == later["starts_at"].replace("-03:00", "-03:00")
    cancelled = citizen.post(
        f"/api/v1/scheduling/bookings/{new_code}/cancel/", {}, content_type="application/json"
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelado"
    listing = citizen.get("/api/v1/scheduling/bookings/").json()
    assert {item["code"]: item["status"] for item in listing["results"]}[new_code] == "cancelado"


def _three_bookings(gravatai) -> list[str]:
    """Three appointments of the demo citizen in March 2030, later than any of the demo's."""
    with tenant_context(gravatai):
        agenda = Agenda.objects.get(code=CODE)
        citizen = User.objects.get(email="cidadao@exemplo.com.br")
        iptu = agenda.subjects.get(name="IPTU")
        booked = [
            appointment_book(agenda=agenda, citizen=citizen, starts_at=at(day, 10), subject=iptu, now=NOW)
            for day in (12, 13, 14)
        ]
    return [appointment.code for appointment in booked]


def test_the_citizens_appointments_come_in_keyset_pages(gravatai, login_as):
    # given three appointments, the latest on the 14th
    on_12th, on_13th, on_14th = _three_bookings(gravatai)
    citizen = login_as("citizen", gravatai)

    # when the citizen pages through them two at a time
    first = citizen.get("/api/v1/scheduling/bookings/", {"limit": 2}).json()
    second = citizen.get("/api/v1/scheduling/bookings/", {"limit": 2, "cursor": first["next"]}).json()

    # then the latest come first, and the second page starts right after the first
    assert [item["code"] for item in first["results"]] == [on_14th, on_13th]
    assert first["next"]
    assert second["results"][0]["code"] == on_12th
    assert on_14th not in {item["code"] for item in second["results"]}


def test_an_unreadable_cursor_of_the_appointment_list_is_refused(gravatai, login_as):
    response = login_as("citizen", gravatai).get("/api/v1/scheduling/bookings/", {"cursor": "nada"})
    assert response.status_code == 400
    assert response.json() == {"cursor": ["Cursor inválido: use o valor de `next` da página anterior."]}
    too_many = login_as("citizen", gravatai).get("/api/v1/scheduling/bookings/", {"limit": 1000})
    assert too_many.status_code == 400


def test_the_appointment_page_shows_older_appointments_after_the_cursor(gravatai, login_as):
    on_12th, _on_13th, on_14th = _three_bookings(gravatai)
    citizen = login_as("citizen", gravatai)
    cursor = citizen.get("/api/v1/scheduling/bookings/", {"limit": 2}).json()["next"]

    html = citizen.get("/agendamento/", {"cursor": cursor}).content.decode()

    assert f"/agendamento/reserva/{on_12th}/" in html
    assert on_14th not in html
    assert "Mais recentes" in html
    first_page = citizen.get("/agendamento/").content.decode()
    assert on_14th in first_page
    assert "Mais recentes" not in first_page


def test_slot_filters_are_checked(gravatai, login_as):
    client = login_as("anonymous", None)
    response = client.get(
        f"/api/v1/scheduling/agendas/{CODE}/slots/",
        {"start": "2030-01-10", "end": "2030-01-01"},
        HTTP_HOST="gravatai.localhost",
    )
    assert response.status_code == 400
    assert response.json() == {"end": ["A data final deve ser depois da inicial."]}


def test_staff_agenda_over_the_api(gravatai, login_as):
    staff = login_as("staff", gravatai)
    response = staff.get("/api/v1/scheduling/agenda/")
    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert login_as("citizen", gravatai).get("/api/v1/scheduling/agenda/").status_code == 403
