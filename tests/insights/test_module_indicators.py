"""Scheduling's and health's indicators (the convention of docs/architecture.md): their daily
aggregates are recomputed by the insights job from the appointments and waiting lists, and the
manager page shows them (bookings, no-shows, occupancy, waiting list) from the aggregates only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.health.demo import cns_for
from tenant_apps.health.indicators import waiting_lengths
from tenant_apps.health.models import Patient, Schedule, WaitingDay, WaitingListEntry
from tenant_apps.health.services import patient_register
from tenant_apps.insights.aggregation import days_recompute
from tenant_apps.insights.selectors import Period, Scope
from tenant_apps.scheduling.indicators import agenda_figures
from tenant_apps.scheduling.models import Agenda, Appointment, AppointmentDay
from tenant_apps.workdays.selectors import holiday_dates
from tenant_apps.workdays.services import municipal_holiday_create
from tests.conftest import GRAVATAI_HOST

ZONE = ZoneInfo("America/Sao_Paulo")
CITY = Scope(unit_ids=None, label="cidade")


def _appointment(agenda, resource, citizen, *, day, hour, status, code):
    starts = dt.datetime.combine(day, dt.time(hour), ZONE)
    return Appointment.objects.create(
        code=code,
        agenda=agenda,
        resource=resource,
        citizen=citizen,
        booked_by=citizen,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=30),
        status=status,
    )


def test_bookings_outcomes_and_occupancy_per_agenda(in_gravatai):
    from tenant_apps.accounts.models import User

    agenda = Agenda.objects.get(code="atendimento-por-video-com-fiscal")
    resources = list(agenda.resources.order_by("pk"))
    citizen = User.objects.get(email="cidadao@exemplo.com.br")
    # a Tuesday and Wednesday in the past, the Wednesday a municipal holiday
    today = timezone.localdate()
    tuesday = today - dt.timedelta(days=(today.weekday() - 1) % 7 + 7)
    while tuesday in holiday_dates(tuesday.year) or tuesday + dt.timedelta(days=1) in holiday_dates(
        tuesday.year
    ):
        tuesday -= dt.timedelta(days=7)
    wednesday = tuesday + dt.timedelta(days=1)
    municipal_holiday_create(date=wednesday, name="Feriado de teste")
    for index, status in enumerate(("realizado", "realizado", "nao_compareceu", "cancelado", "agendado")):
        _appointment(
            agenda, resources[index], citizen, day=tuesday, hour=9, status=status, code=f"ind-{index}"
        )

    days_recompute(first=tuesday, last=today)

    figures = {row["agenda"].code: row for row in agenda_figures(CITY, Period(tuesday, wednesday))}
    video = figures["atendimento-por-video-com-fiscal"]
    assert video["booked"] == 0  # booked today: they count on today's row
    booked_today = {row["agenda"].code: row for row in agenda_figures(CITY, Period(today, today))}
    assert booked_today["atendimento-por-video-com-fiscal"]["booked"] == 5
    assert (video["attended"], video["no_show"], video["cancelled"], video["scheduled"]) == (2, 1, 1, 4)
    assert video["no_show_rate"] == round(100 * 1 / 3, 1)
    # 10 inspectors x 12 half-hour slots on the Tuesday; nothing on the holiday
    assert video["offered"] == 10 * 12
    assert video["occupancy"] == round(100 * 4 / 120, 1)
    assert not AppointmentDay.objects.filter(day=wednesday, offered__gt=0).exists()

    # idempotent: the same days again give the same rows
    before = list(
        AppointmentDay.objects.order_by("day", "agenda", "resource").values(
            "day", "agenda", "resource", "booked", "scheduled", "attended", "no_show", "cancelled", "offered"
        )
    )
    days_recompute(first=tuesday, last=today)
    assert (
        list(
            AppointmentDay.objects.order_by("day", "agenda", "resource").values(
                "day",
                "agenda",
                "resource",
                "booked",
                "scheduled",
                "attended",
                "no_show",
                "cancelled",
                "offered",
            )
        )
        == before
    )


def test_waiting_list_length_from_the_aggregate(in_gravatai):
    from tenant_apps.accounts.models import User

    helena = Schedule.objects.get(professional__user__email="medica1@gravatai.rs.gov.br")
    entries = []
    for index, cpf in enumerate(("11144477735", "39053344705", "71428793860")):
        user = User.objects.create_user(
            f"espera{index}@exemplo.com.br", "x", full_name="Espera", kind="citizen", cpf=cpf
        )
        patient_register(user=user, cns=cns_for(950 + index), birth_date=dt.date(1990, 1, 1))
        entries.append(
            WaitingListEntry.objects.create(
                patient=Patient.objects.get(user=user), specialty=helena.specialty
            )
        )
    WaitingListEntry.objects.filter(pk=entries[0].pk).update(status="booked")
    today = timezone.localdate()

    days_recompute(first=today, last=today)

    row = WaitingDay.objects.get(day=today, specialty=helena.specialty)
    assert (row.joined, row.served, row.departed) == (3, 1, 0)
    assert waiting_lengths(today)[helena.specialty_id] == 2


def test_the_manager_page_shows_them_from_the_aggregates(gravatai, login_as):
    with tenant_context(gravatai):
        from tenant_apps.accounts.models import User

        agenda = Agenda.objects.get(code="atendimento-por-video-com-fiscal")
        citizen = User.objects.get(email="cidadao@exemplo.com.br")
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        _appointment(
            agenda,
            agenda.resources.first(),
            citizen,
            day=yesterday,
            hour=10,
            status="nao_compareceu",
            code="ind-page",
        )
        days_recompute(first=yesterday - dt.timedelta(days=1), last=timezone.localdate())
    client = login_as("admin", gravatai)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/staff/indicadores/", HTTP_HOST=GRAVATAI_HOST).content.decode()
    assert "Agendamentos por agenda" in body
    assert 'id="grafico-agendamentos"' in body
    assert 'id="grafico-saude"' in body
    assert "Atendimento por vídeo com fiscal" in body
    assert not [q for q in queries.captured_queries if '"scheduling_appointment"' in q["sql"]]
    csv = client.get("/staff/indicadores/agendamentos.csv", HTTP_HOST=GRAVATAI_HOST)
    assert csv.status_code == 200
    assert "Atendimento por vídeo com fiscal;" in csv.content.decode()
