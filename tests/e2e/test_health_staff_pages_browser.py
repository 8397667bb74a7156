"""Issue 16's leftovers in Chromium, for the screenshots at 390 px and 1366 px (test-artifacts/):
the slot page filtered by health unit, the reception lifting a no-show suspension with a reason and
booking on the citizen's behalf by CPF and CNS.
The live server commits: the test makes a citizen of its own with two no-shows and leaves them."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
DESKTOP = {"width": 1366, "height": 900}


def valid_cpf(seed: int) -> str:
    base = [int(digit) for digit in f"{seed % 10**9:09d}"]
    for length in (9, 10):
        total = sum(digit * (length + 1 - index) for index, digit in enumerate(base[:length]))
        base.append((total * 10 % 11) % 10)
    return "".join(map(str, base))


def _setup(gravatai) -> dict[str, object]:
    from tenant_apps.accounts.models import User
    from tenant_apps.health.demo import cns_for
    from tenant_apps.health.models import HealthUnit, Schedule
    from tenant_apps.health.services import patient_register
    from tenant_apps.scheduling.models import Appointment

    tag = uuid.uuid4().hex[:6]

    def create() -> dict[str, object]:
        with tenant_context(gravatai):
            user = User.objects.create_user(
                f"faltas.{tag}@exemplo.com.br",
                "x",
                full_name=f"Rita Faltosa {tag}",
                kind="citizen",
                cpf=valid_cpf(int(tag, 16)),
            )
            cns = cns_for(int(tag, 16) % 90_000 + 5_000)
            patient_register(user=user, cns=cns, birth_date=dt.date(1980, 1, 1))
            # the demo's first schedule of this professional (another browser test may add one)
            schedule = (
                Schedule.objects.filter(professional__user__email="medica1@gravatai.rs.gov.br")
                .order_by("pk")
                .first()
            )
            assert schedule is not None
            now = timezone.now().replace(microsecond=0)
            for days in (3, 2):
                Appointment.objects.create(
                    code=f"falta-{tag}-{days}",
                    agenda=schedule.agenda,
                    resource=schedule.professional.resource,
                    citizen=user,
                    booked_by=user,
                    starts_at=now - dt.timedelta(days=days),
                    ends_at=now - dt.timedelta(days=days) + dt.timedelta(minutes=20),
                    status="nao_compareceu",
                )
            unit = (
                HealthUnit.objects.filter(schedules__specialty__code="clinico-geral").order_by("pk").first()
            )
            return {
                "name": user.full_name,
                "unit": unit.pk,
                "cpf": user.cpf,
                "cns": cns,
                "specialty": schedule.specialty_id,
            }

    return _in_thread(create)


def test_unit_filter_and_suspension_lift_pages(live_url, phone, browser, gravatai):
    base = live_url.format(host="gravatai.localhost")
    data = _setup(gravatai)

    # the slot page filtered by unit, on a phone and on a desktop
    url = f"{base}/saude/clinico-geral/?unidade={data['unit']}"
    phone.goto(url)
    expect(phone.get_by_label("Unidade de saúde")).to_be_visible()
    screenshot(phone, "saude-filtro-unidade-390")
    desktop = browser.new_context(viewport=DESKTOP, locale="pt-BR").new_page()
    desktop.goto(url)
    screenshot(desktop, "saude-filtro-unidade-1366")

    # the reception lifts the suspension with a reason
    staff_login(desktop, base, "recepcao1@gravatai.rs.gov.br")
    desktop.goto(f"{base}/staff/saude/recepcao/suspensoes/")
    expect(desktop.get_by_role("heading", name=str(data["name"]))).to_be_visible()
    screenshot(desktop, "saude-suspensoes-1366")
    phone_staff = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="pt-BR", storage_state=desktop.context.storage_state()
    ).new_page()
    phone_staff.goto(f"{base}/staff/saude/recepcao/suspensoes/")
    screenshot(phone_staff, "saude-suspensoes-390")
    section = phone_staff.get_by_role("region", name=str(data["name"]))
    section.get_by_label("Motivo para retirar a suspensão").fill(
        "Faltas por internação, comprovante apresentado."
    )
    section.get_by_role("button", name="Retirar a suspensão").click()
    expect(
        phone_staff.get_by_text(f"Suspensão retirada: {data['name']} pode agendar de novo.")
    ).to_be_visible()
    screenshot(phone_staff, "saude-suspensoes-retirada-390")

    # the reception books for her, by CPF and CNS
    query = f"cpf={data['cpf']}&cns={data['cns']}&especialidade={data['specialty']}"
    desktop.goto(f"{base}/staff/saude/recepcao/agendar/?{query}")
    expect(desktop.get_by_role("heading", name=f"Horários livres para {data['name']}")).to_be_visible()
    screenshot(desktop, "saude-agendar-para-1366")
    phone_staff.goto(f"{base}/staff/saude/recepcao/agendar/?{query}")
    screenshot(phone_staff, "saude-agendar-para-390")
    phone_staff.get_by_role("radio").first.check()
    phone_staff.get_by_role("button", name="Marcar a consulta").click()
    expect(phone_staff.get_by_text(f"Consulta marcada para {data['name']}")).to_be_visible()
    screenshot(phone_staff, "saude-agendar-para-feito-390")
