"""Health appointments end to end in Chromium (issue 16): a citizen on a phone books with a chosen
doctor; another cancels and the first person on the waiting list takes the freed slot from the link
of the offer; the reception checks the first citizen in; the doctor opens the day's agenda and the
patient's history; the citizen sees that access in "quem acessou meus dados". Screenshots at 390 px
(phone) and 1366 px (desktop) go to test-artifacts/.

The live server commits, so the test works on a specialty of its own with two slots today (an hour
ahead) at Dra. Helena Prado's agenda, and leaves it behind in the session's database.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from paco_demo import cities as demo
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "Paciente#2026"


def _setup(gravatai) -> dict[str, Any]:
    """A specialty with two first-visit slots today at Dra. Helena's agenda; Bruno holds the second
    slot, Carla waits for the specialty."""
    from tenant_apps.accounts.models import User
    from tenant_apps.health.demo import cns_for
    from tenant_apps.health.models import Schedule
    from tenant_apps.health.services import (
        health_appointment_book,
        patient_register,
        schedule_create,
        schedule_window_add,
        specialty_save,
        waiting_list_join,
    )

    now = timezone.localtime()
    first = (now + dt.timedelta(minutes=60 - now.minute % 20)).replace(second=0, microsecond=0)
    if first.date() != now.date() or first.time() > dt.time(23, 0):
        pytest.skip("too close to midnight for two slots today")
    tag = uuid.uuid4().hex[:6]

    def create() -> dict[str, Any]:
        with tenant_context(gravatai):
            helena = Schedule.objects.get(professional__user__email="medica1@gravatai.rs.gov.br").professional
            specialty = specialty_save(name=f"Clínica ampliada {tag}")
            helena.specialties.add(specialty)
            schedule = schedule_create(
                professional=helena, unit=Schedule.objects.get(professional=helena).unit, specialty=specialty
            )
            schedule.agenda.cancel_limit_hours = 0
            schedule.agenda.closes_on_holidays = False
            schedule.agenda.save(update_fields=["cancel_limit_hours", "closes_on_holidays"])
            schedule_window_add(
                schedule=schedule,
                weekdays=[first.weekday()],
                start_time=first.time(),
                end_time=(first + dt.timedelta(minutes=40)).time(),
                kind="primeira",
                valid_from=first.date(),
                valid_until=first.date(),
            )
            people = {}
            for name, cpf, seed in (
                ("Bruno Cancela", "15350946056", 8001),
                ("Carla Espera", "86288366757", 8002),
            ):
                email = f"{name.split()[0].lower()}.{tag}@exemplo.com.br"
                user = User.objects.create_user(email, PASSWORD, full_name=name, kind="citizen", cpf=cpf)
                patient_register(
                    user=user, cns=cns_for(seed + int(tag, 16) % 1000), birth_date=dt.date(1991, 3, 3)
                )
                people[name.split()[0].lower()] = email
            bruno = User.objects.get(email=people["bruno"])
            health_appointment_book(
                citizen=bruno, schedule=schedule, starts_at=first + dt.timedelta(minutes=20)
            )
            waiting_list_join(citizen=User.objects.get(email=people["carla"]), specialty=specialty)
            return {"specialty": specialty.code, "name": specialty.name, **people}

    return {**_in_thread(create), "first": first}


def _offer_path(gravatai, email: str) -> str:
    from tenant_apps.notifications.models import Notification

    def read() -> str:
        with tenant_context(gravatai):
            notification = Notification.objects.filter(
                recipient__email=email, template_key="health_slot_offered", channel="email"
            ).latest("id")
            return re.search(r"/saude/vaga/[^/]+/", notification.link_url).group(0)

    return _in_thread(read)


def _citizen_login(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/entrar/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(password)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{base}/meus-pedidos/")


def _staff_login(page, base: str, email: str) -> None:
    staff_login(page, base, email)


def _both(page, browser, url: str, name: str) -> None:
    """The page at 390 px (the phone it is open on) and at 1366 px (same cookies)."""
    screenshot(page, f"{name}-390")
    desktop = browser.new_context(
        viewport=DESKTOP, locale="pt-BR", storage_state=page.context.storage_state()
    )
    wide = desktop.new_page()
    wide.goto(url)
    screenshot(wide, f"{name}-1366")
    desktop.close()


def test_book_cancel_waiting_list_check_in_agenda_history_and_access_log(live_url, phone, browser, gravatai):
    base = live_url.format(host="gravatai.localhost")
    data = _setup(gravatai)
    first = data["first"]

    # Maria books the first slot with Dra. Helena, on a phone
    _citizen_login(phone, base, demo.DEMO_CITIZEN["email"], demo.CITIZEN_PASSWORD)
    phone.goto(f"{base}/saude/")
    _both(phone, browser, f"{base}/saude/", "saude-1-inicio")
    phone.get_by_role("link", name=data["name"]).click()
    phone.get_by_label("Profissional").select_option(label="Dra. Helena Prado")
    phone.get_by_role("button", name="Ver horários livres").click()
    slot = phone.get_by_role("link", name=re.compile(f"às {first:%H:%M}, Dra. Helena Prado"))
    expect(slot).to_be_visible()
    _both(phone, browser, phone.url, "saude-2-horarios")
    slot.click()
    expect(phone.get_by_role("button", name="Confirmar consulta")).to_be_visible()
    _both(phone, browser, phone.url, "saude-3-confirmar")
    phone.get_by_role("button", name="Confirmar consulta").click()
    phone.wait_for_url(re.compile(r".*/saude/consulta/[\w-]+/$"))
    expect(phone.get_by_text("Consulta marcada")).to_be_visible()
    _both(phone, browser, phone.url, "saude-4-consulta")

    # Bruno cancels; Carla, first on the waiting list, takes the slot from the offer's link
    bruno = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="pt-BR", is_mobile=True
    ).new_page()
    _citizen_login(bruno, base, data["bruno"], PASSWORD)
    bruno.goto(f"{base}/saude/")
    bruno.get_by_role("link", name=f"{data['name']} — Dra. Helena Prado").click()
    bruno.get_by_role("button", name="Cancelar a consulta").click()
    expect(bruno.get_by_text("Consulta cancelada")).to_be_visible()
    carla = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="pt-BR", is_mobile=True
    ).new_page()
    _citizen_login(carla, base, data["carla"], PASSWORD)
    carla.goto(f"{base}{_offer_path(gravatai, data['carla'])}")
    _both(carla, browser, carla.url, "saude-5-oferta-da-lista-de-espera")
    carla.get_by_role("button", name="Quero esta vaga").click()
    expect(carla.get_by_text("A vaga é sua")).to_be_visible()
    expect(carla.get_by_text(f"{first + dt.timedelta(minutes=20):%H:%M}").first).to_be_visible()

    # the reception checks Maria in
    reception = browser.new_context(viewport=DESKTOP, locale="pt-BR").new_page()
    _staff_login(reception, base, "recepcao1@gravatai.rs.gov.br")
    reception.goto(f"{base}/staff/saude/recepcao/")
    reception.get_by_role("button", name="Registrar chegada de Maria da Silva Santos").first.click()
    expect(reception.get_by_text("Chegada registrada: Maria da Silva Santos.")).to_be_visible()
    screenshot(reception, "saude-6-recepcao-1366")

    # the doctor: the day's agenda, then Maria's history
    doctor = browser.new_context(viewport=DESKTOP, locale="pt-BR").new_page()
    _staff_login(doctor, base, "medica1@gravatai.rs.gov.br")
    doctor.goto(f"{base}/staff/saude/agenda/")
    expect(doctor.get_by_text("Chegou — aguardando").first).to_be_visible()
    expect(doctor.get_by_text("Carla Espera")).to_be_visible()
    screenshot(doctor, "saude-7-agenda-do-dia-1366")
    doctor.get_by_role("link", name="Abrir histórico").first.click()
    expect(doctor.get_by_text("Acesso registrado: o paciente está na sua agenda.")).to_be_visible()
    screenshot(doctor, "saude-8-historico-1366")

    # Maria sees who accessed her data
    phone.goto(f"{base}/saude/acessos/")
    expect(phone.get_by_text("Dra. Helena Prado").first).to_be_visible()
    _both(phone, browser, phone.url, "saude-9-quem-acessou")
