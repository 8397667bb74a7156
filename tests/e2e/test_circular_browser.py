"""Circulars end to end in Chromium: a manager sends to two units, two people click "Ciente", the
manager sees "2 de 3" and reminds the third.

The live server commits, so the people are created (unique e-mails, demo TOTP key) on a thread of
their own. The fan-out job runs as in the demo's in-process mode: the test drains the in-process
(stub) broker, so the real actor runs on a real worker thread, in the tenant carried by the message.
With a Redis broker configured (REDIS_URL), `jobs_drain` does not apply and the test calls the
fan-out service directly instead.
"""

from __future__ import annotations

import random
import re
import uuid

import dramatiq
import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context
from dramatiq.brokers.stub import StubBroker
from playwright.sync_api import expect

from paco.jobs import jobs_drain
from paco_demo import cities as demo
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.comms.fanout import circular_fanout
from tenant_apps.comms.models import Circular
from tenant_apps.org.enums import OrgUnitKind, Role
from tenant_apps.org.models import Membership, OrgUnit
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _people(aracaju, tag: str) -> dict[str, object]:
    """Three new units (sender, two addressees) and their people, committed."""

    def create() -> dict[str, object]:
        with tenant_context(aracaju):
            codes = random.sample(range(93000, 99999), 3)  # noqa: S311 - not a secret
            units = [
                OrgUnit.objects.create(
                    code=str(code), acronym=f"{name}-{tag}", name=f"{name} {tag}", kind=OrgUnitKind.SETOR
                )
                for code, name in zip(codes, ("GAB", "OBRAS", "SAUDE"), strict=True)
            ]
            people: dict[str, object] = {"units": units}
            for key, name, unit, role in (
                ("manager", "Marta Gestora", units[0], Role.MANAGER),
                ("ana", "Ana Obras", units[1], Role.STAFF),
                ("beto", "Beto Saúde", units[2], Role.STAFF),
                ("caio", "Caio Saúde", units[2], Role.STAFF),
            ):
                user = User.objects.create_user(
                    f"{key}-{tag}@teste.gov.br", demo.DEMO_PASSWORD, full_name=name, kind=UserKind.STAFF
                )
                Membership.objects.create(user=user, unit=unit, role=role)
                TOTPDevice.objects.create(
                    user=user, name="default", confirmed=True, key=demo.DEMO_TOTP_KEY_HEX
                )
                people[key] = user.email
            return people

    return _in_thread(create)


def _login(page, base: str, email: str) -> None:
    staff_login(page, base, email)


def _fan_out(aracaju, subject: str) -> None:
    broker = dramatiq.get_broker()
    if isinstance(broker, StubBroker):
        jobs_drain(broker)
        return

    def run() -> None:
        with tenant_context(aracaju):
            circular_fanout(circular_id=Circular.objects.get(subject=subject).pk)

    _in_thread(run)


def test_manager_sends_a_circular_two_people_acknowledge_and_the_manager_reminds(live_url, browser, aracaju):
    base = live_url.format(host="aracaju.localhost")
    tag = uuid.uuid4().hex[:5].upper()
    people = _people(aracaju, tag)
    units = people["units"]
    subject = f"Plantão de fim de ano {tag}"
    broker = dramatiq.get_broker()
    if isinstance(broker, StubBroker):
        broker.flush_all()  # only this test's jobs in the in-process queue

    def desktop():
        return browser.new_context(viewport={"width": 1280, "height": 900}, locale="pt-BR").new_page()

    # the manager sends a circular to two units
    manager = desktop()
    _login(manager, base, people["manager"])
    manager.goto(f"{base}/staff/circulares/")
    manager.get_by_role("link", name="Nova circular").click()
    manager.get_by_label("Assunto").fill(subject)
    manager.get_by_label("Texto").fill("Confirmem a escala do plantão até sexta.")
    destinations = manager.get_by_role("group", name="Unidades de destino")
    for unit in (units[1], units[2]):
        destinations.get_by_label(str(unit), exact=True).check()
    screenshot(manager, "circular-1-form")
    manager.get_by_role("button", name="Enviar circular").click()
    manager.wait_for_url(re.compile(r".*/staff/circulares/\d+/$"))
    circular_url = manager.url
    _fan_out(aracaju, subject)

    # two of the three recipients acknowledge it
    for key in ("ana", "beto"):
        page = desktop()
        _login(page, base, people[key])
        page.goto(f"{base}/staff/circulares/")
        page.locator("tr", has_text=subject).get_by_role("link").click()
        expect(page.get_by_text(subject).first).to_be_visible()
        page.get_by_role("button", name="Ciente").click()
        expect(page.get_by_text("Você deu ciência em")).to_be_visible()
        if key == "ana":
            screenshot(page, "circular-2-recipient-acknowledged")
        page.context.close()

    # the manager sees 2 of 3 and reminds the one who has not
    manager.goto(circular_url)
    expect(manager.get_by_text("2 de 3 deram ciência")).to_be_visible()
    pending = manager.locator("#ciencias tbody tr", has_text="Não abriu")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("Caio Saúde", use_inner_text=True)
    manager.get_by_role("button", name="Enviar lembrete a quem não deu ciência").click()
    expect(manager.get_by_text("Lembrete enviado a 1 pessoa(s).")).to_be_visible()
    screenshot(manager, "circular-3-sender-view")
    manager.context.close()
