"""The pages: a citizen books on a phone-sized flow, cancels, reschedules; staff see their agenda,
open the appointment and the room, record the attendance; the admin configures an agenda."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.scheduling.enums import AppointmentStatus
from tenant_apps.scheduling.models import Agenda, Appointment, AvailabilityRule, Resource
from tenant_apps.scheduling.services import appointment_book
from tenant_apps.scheduling.slots import slot_list_free
from tests.conftest import GRAVATAI_HOST

CODE = "atendimento-por-video-com-fiscal"


def _next_free(gravatai, *, days_ahead: int = 2):
    with tenant_context(gravatai):
        agenda = Agenda.objects.get(code=CODE)
        today = timezone.localdate()
        slots = slot_list_free(agenda=agenda, first_day=today + dt.timedelta(days=days_ahead))
        return slots[0]


def test_citizen_sees_slots_books_and_gets_the_confirmation(gravatai, login_as):
    client = login_as("citizen", gravatai)
    home = client.get("/agendamento/")
    assert home.status_code == 200
    assert "Atendimento por vídeo com fiscal" in home.content.decode()
    with tenant_context(gravatai):
        iptu = Agenda.objects.get(code=CODE).subjects.get(name="IPTU")
    page = client.get(f"/agendamento/{CODE}/", {"assunto": iptu.pk})
    assert page.status_code == 200
    body = page.content.decode()
    links = re.findall(r'href="(/agendamento/[^/]+/confirmar/\?[^"]+)"', body)
    assert links, body
    confirm_url = links[0].replace("&amp;", "&")
    confirm = client.get(confirm_url)
    assert confirm.status_code == 200
    booked = client.post(confirm_url, {"observacoes": "Quero revisar o valor venal."})
    assert booked.status_code == 302
    code = booked["Location"].rstrip("/").split("/")[-1]
    detail = client.get(booked["Location"])
    text = detail.content.decode()
    assert "Agendamento confirmado" in text
    assert "Entrar na sala de vídeo" in text
    ics = client.get(f"/agendamento/reserva/{code}/convite.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"TZID=America/Sao_Paulo" in ics.content
    # the same slot again: a clear message and nothing new
    with tenant_context(gravatai):
        before = Appointment.objects.count()
    again = login_as("citizen", gravatai).post(confirm_url.replace("atendente=&", "atendente=&"), {})
    assert again.status_code == 400
    assert "limite por dia" in again.content.decode()
    with tenant_context(gravatai):
        assert Appointment.objects.count() == before


def test_bad_slot_in_the_confirmation_is_refused(gravatai, login_as):
    client = login_as("citizen", gravatai)
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = client.post(f"/agendamento/{CODE}/confirmar/?inicio={past.replace('+', '%2B')}", {})
    assert response.status_code == 400
    assert (
        "Escolha o assunto do atendimento" in response.content.decode()
        or "já passou" in response.content.decode()
    )
    response = client.post(f"/agendamento/{CODE}/confirmar/?inicio=amanha", {})
    assert response.status_code == 400
    assert "Escolha um dos horários livres" in response.content.decode()


def test_staff_agenda_appointment_room_and_attendance(gravatai, login_as, settings):
    slot = _next_free(gravatai)
    with tenant_context(gravatai):
        agenda = Agenda.objects.get(code=CODE)
        from tenant_apps.accounts.models import User

        citizen = User.objects.get(email="cidadao@exemplo.com.br")
        resource = Resource.objects.get(user__email="servidor@gravatai.rs.gov.br")
        appointment = appointment_book(
            agenda=agenda,
            citizen=citizen,
            starts_at=_mine(gravatai).starts_at,
            resource=resource,
            subject=agenda.subjects.get(name="ISS"),
        )
    staff = login_as("staff", gravatai)
    day = timezone.localtime(appointment.starts_at).date().isoformat()
    agenda_page = staff.get(f"/staff/agenda/?dia={day}&vista=semana")
    assert agenda_page.status_code == 200
    assert "Maria da Silva Santos" in agenda_page.content.decode()
    detail = staff.get(f"/staff/agenda/{appointment.code}/")
    assert detail.status_code == 200
    room = staff.get(f"/staff/agenda/{appointment.code}/sala/")
    assert room.status_code == 200
    assert "A sala abre às" in room.content.decode() or "não está configurado" in room.content.decode()
    # too early to start: a clear message, nothing changes
    early = staff.post(f"/staff/agenda/{appointment.code}/iniciar/")
    assert early.status_code == 400
    assert "só pode começar a partir de" in early.content.decode()
    with tenant_context(gravatai):
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.BOOKED
    del slot


def _mine(gravatai):
    with tenant_context(gravatai):
        resource = Resource.objects.get(user__email="servidor@gravatai.rs.gov.br")
        agenda = Agenda.objects.get(code=CODE)
        today = timezone.localdate()
        return slot_list_free(
            agenda=agenda, first_day=today + dt.timedelta(days=2), resource_ids=[resource.pk]
        )[0]


def test_staff_feed_is_private_and_revocable(gravatai, login_as):
    staff = login_as("staff", gravatai)
    created = staff.post("/staff/agenda/calendario/", {"acao": "criar"})
    assert created.status_code == 200
    url = re.search(r'id="feed-url">([^<]+)<', created.content.decode()).group(1)
    path = url.split("localhost", 1)[1].split("/", 1)[1]
    path = "/" + path
    feed = login_as("anonymous", None).get(path, HTTP_HOST=GRAVATAI_HOST)
    assert feed.status_code == 200
    assert feed.content.startswith(b"BEGIN:VCALENDAR")
    staff.post("/staff/agenda/calendario/", {"acao": "revogar"})
    assert login_as("anonymous", None).get(path, HTTP_HOST=GRAVATAI_HOST).status_code == 404


def test_admin_configures_an_agenda_and_weekly_hours(gravatai, login_as):
    admin = login_as("admin", gravatai)
    assert admin.get("/admin-municipal/agendamento/").status_code == 200
    with tenant_context(gravatai):
        from tenant_apps.accounts.models import User
        from tenant_apps.org.models import OrgUnit

        unit = OrgUnit.objects.get(acronym="PGM")
        staff_id = User.objects.get(email="servidor@gravatai.rs.gov.br").pk
    form = {
        "name": "Atendimento da Procuradoria",
        "code": "atendimento-pgm",
        "description": "Dívida ativa",
        "unit": unit.pk,
        "mode": "presencial",
        "location": "",
        "time_zone": "America/Sao_Paulo",
        "slot_minutes": 20,
        "buffer_minutes": 10,
        "horizon_days": 15,
        "min_notice_minutes": 60,
        "cancel_limit_hours": 4,
        "daily_limit_per_citizen": 1,
        "no_show_limit": 2,
        "no_show_block_days": 30,
        "closes_on_holidays": "on",
        "is_public": "on",
        "is_active": "on",
        "assuntos": "Dívida ativa\nParcelamento",
        "atendentes": [staff_id],
    }
    refused = admin.post("/admin-municipal/agendamento/novo/", form)
    assert refused.status_code == 400
    assert "Informe o local do atendimento presencial" in refused.content.decode()
    with tenant_context(gravatai):
        assert not Agenda.objects.filter(code="atendimento-pgm").exists()
    form["location"] = "Procuradoria-Geral, térreo"
    saved = admin.post("/admin-municipal/agendamento/novo/", form)
    assert saved.status_code == 302
    with tenant_context(gravatai):
        agenda = Agenda.objects.get(code="atendimento-pgm")
        resource = Resource.objects.get(user_id=staff_id)
        assert list(agenda.subjects.values_list("name", flat=True)) == ["Dívida ativa", "Parcelamento"]
    page = admin.get(f"/admin-municipal/agendamento/{agenda.pk}/atendentes/{resource.pk}/")
    assert page.status_code == 200
    # the inspector already attends video calls on weekday mornings: an overlapping window is refused
    clash = admin.post(
        f"/admin-municipal/agendamento/{agenda.pk}/atendentes/{resource.pk}/horarios/",
        {"dias": ["0"], "inicio": "10:00", "fim": "11:00", "vagas": 1},
    )
    assert clash.status_code == 400
    assert "já atende Atendimento por vídeo com fiscal em segunda-feira" in clash.content.decode()
    added = admin.post(
        f"/admin-municipal/agendamento/{agenda.pk}/atendentes/{resource.pk}/horarios/",
        {"dias": ["5"], "inicio": "08:00", "fim": "10:00", "vagas": 1},
    )
    assert added.status_code == 302
    with tenant_context(gravatai):
        assert AvailabilityRule.objects.filter(agenda=agenda, resource=resource, weekday=5).count() == 1
        saturday = timezone.localdate() + dt.timedelta(days=(5 - timezone.localdate().weekday()) % 7 or 7)
        slots = slot_list_free(agenda=agenda, first_day=saturday, last_day=saturday)
    # 20-minute slots every 30 minutes (10-minute buffer) from 08:00 to 10:00
    assert [timezone.localtime(slot.starts_at).strftime("%H:%M") for slot in slots] in (
        ["08:00", "08:30", "09:00", "09:30"],
        [],  # a holiday Saturday
    )


def test_the_catalogue_page_of_a_bookable_service_leads_to_the_booking(gravatai, login_as):
    response = login_as("citizen", gravatai).get(f"/servicos/{CODE}/")
    assert response.status_code == 302
    assert response["Location"] == f"/agendamento/{CODE}/"


@pytest.mark.parametrize("role", ["staff", "manager", "admin"])
def test_staff_pages_answer(gravatai, login_as, role):
    client = login_as(role, gravatai)
    assert client.get("/staff/agenda/").status_code == 200
    assert client.get("/staff/agenda/?vista=semana&equipe=1").status_code == 200
