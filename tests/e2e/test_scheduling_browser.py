"""Video attendance end to end in Chromium: a citizen on a phone books a slot and gets the e-mail
with the .ics; the tax inspector opens the agenda and the room (Jitsi's IFrame API served by a local
stand-in, which records what the page gives it), records the attendance, and the case history
shows it.

The live server commits, so the test works on an agenda of its own (a 10-minute slot starting in a
few minutes, so the room is open) and leaves it behind in the session's database.
"""

from __future__ import annotations

import datetime as dt
import http.server
import re
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import dramatiq
import jwt
import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context
from dramatiq.brokers.stub import StubBroker
from playwright.sync_api import expect

from paco.jobs import jobs_drain
from paco_demo import cities as demo
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STAND_IN = b"""
window.JitsiMeetExternalAPI = function (domain, options) {
  window.pacoJitsiSeen = {domain: domain, room: options.roomName, jwt: options.jwt, commands: []};
  var frame = document.createElement("iframe");
  frame.title = "Jitsi (substituto de teste)";
  options.parentNode.appendChild(frame);
  this.addEventListener = function (name, callback) {
    if (name === "videoConferenceJoined") { window.setTimeout(callback, 10); }
  };
  this.executeCommand = function (command, value) { window.pacoJitsiSeen.commands.push([command, value]); };
};
"""
SECRET = "segredo-do-teste-de-navegador-0123456789"


@pytest.fixture
def jitsi_stand_in(settings) -> Iterator[list[str]]:
    """A local HTTP server playing the Jitsi host: serves external_api.js, records the requests."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the base class's name
            requests.append(self.path)
            if self.path != "/external_api.js":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript")
            self.end_headers()
            self.wfile.write(STAND_IN)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.JITSI_DOMAIN = f"127.0.0.1:{server.server_port}"
    settings.JITSI_SCHEME = "http"
    settings.JITSI_APP_ID = "paco-teste"
    settings.JITSI_APP_SECRET = SECRET
    settings.JITSI_TENANT = "meet.teste"
    yield requests
    server.shutdown()
    server.server_close()


def _agenda_now(gravatai) -> tuple[str, dt.datetime]:
    """An agenda whose first slot starts within five minutes (committed, for the live server)."""
    from tenant_apps.accounts.models import User
    from tenant_apps.catalog.models import Service
    from tenant_apps.org.models import OrgUnit
    from tenant_apps.scheduling.models import AvailabilityRule, Resource
    from tenant_apps.scheduling.services import agenda_save

    now = timezone.localtime()
    start = (now + dt.timedelta(minutes=5 - now.minute % 5)).replace(second=0, microsecond=0)
    if start.date() != now.date() or start.time() > dt.time(23, 40):
        pytest.skip("too close to midnight for a slot today")
    code = f"e2e-video-{uuid.uuid4().hex[:6]}"

    def create() -> None:
        with tenant_context(gravatai):
            staff = User.objects.get(email=demo.DEMO_STAFF["gravatai"]["email"])
            agenda = agenda_save(
                code=code,
                name=f"Plantão fiscal por vídeo {code[-6:]}",
                unit=OrgUnit.objects.get(acronym="SMF-FISC"),
                catalog_service=Service.objects.get(code="atendimento-por-video-com-fiscal"),
                mode="video",
                slot_minutes=10,
                min_notice_minutes=0,
                closes_on_holidays=False,
                subjects=["IPTU", "ITBI"],
                resource_user_ids=[staff.pk],
            )
            AvailabilityRule.objects.create(
                agenda=agenda,
                resource=Resource.objects.get(user=staff),
                weekday=start.weekday(),
                start_time=start.time(),
                end_time=(start + dt.timedelta(minutes=10)).time(),
            )

    _in_thread(create)
    return code, start


def _deliver_emails(gravatai) -> None:
    broker = dramatiq.get_broker()
    if isinstance(broker, StubBroker):
        jobs_drain(broker)
        return

    def deliver() -> None:
        from tenant_apps.notifications.delivery import notification_deliver
        from tenant_apps.notifications.models import Notification

        with tenant_context(gravatai):
            for notification_id in Notification.objects.filter(status="queued", channel="email").values_list(
                "pk", flat=True
            ):
                notification_deliver(notification_id=notification_id)

    _in_thread(deliver)


def _staff_login(page, base: str) -> None:
    staff_login(page, base, demo.DEMO_STAFF["gravatai"]["email"])


def test_citizen_books_on_a_phone_and_the_inspector_attends_by_video(
    live_url, phone, browser, gravatai, jitsi_stand_in
):
    base = live_url.format(host="gravatai.localhost")
    code, start = _agenda_now(gravatai)
    mail.outbox.clear()

    # the citizen books on a phone
    phone.goto(f"{base}/entrar/")
    phone.get_by_label("E-mail").fill(demo.DEMO_CITIZEN["email"])
    phone.get_by_label("Senha").fill(demo.CITIZEN_PASSWORD)
    phone.get_by_role("button", name="Entrar").click()
    phone.wait_for_url(f"{base}/meus-pedidos/")
    phone.goto(f"{base}/agendamento/")
    screenshot(phone, "agendamento-1-servicos")
    phone.get_by_role("link", name=re.compile(f"Plantão fiscal por vídeo {code[-6:]}")).click()
    phone.get_by_label("Assunto").select_option(label="ITBI")
    phone.get_by_role("button", name="Ver horários livres").click()
    screenshot(phone, "agendamento-2-horarios")
    phone.get_by_role("link", name=re.compile(f"às {start:%H:%M}")).first.click()
    phone.get_by_label("Observações para o atendente (opcional)").fill(
        "Compra de um terreno: dúvida sobre a base de cálculo."
    )
    screenshot(phone, "agendamento-3-confirmar")
    phone.get_by_role("button", name="Confirmar agendamento").click()
    phone.wait_for_url(re.compile(r".*/agendamento/reserva/[\w-]+/$"))
    expect(phone.get_by_text("Agendamento confirmado")).to_be_visible()
    nup = phone.locator("a.paco-nup").inner_text()
    screenshot(phone, "agendamento-4-confirmado")

    # the confirmation e-mail carries the invitation, in Brasília time
    _deliver_emails(gravatai)
    [message] = [
        message
        for message in mail.outbox
        if message.to == [demo.DEMO_CITIZEN["email"]]
        and f"Agendamento confirmado: Plantão fiscal por vídeo {code[-6:]}" in message.subject
    ]
    assert message.to == [demo.DEMO_CITIZEN["email"]]
    assert nup in message.body
    [(filename, content, content_type)] = message.attachments
    assert filename == "convite.ics"
    assert content_type == "text/calendar"
    assert f"DTSTART;TZID=America/Sao_Paulo:{start:%Y%m%dT%H%M}00" in content

    # the inspector: agenda, appointment, room (the stand-in gets a moderator token for this room)
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pt-BR").new_page()
    _staff_login(staff, base)
    staff.goto(f"{base}/staff/agenda/")
    expect(staff.get_by_text("Maria da Silva Santos").first).to_be_visible()
    screenshot(staff, "agendamento-5-agenda-do-fiscal")
    staff.get_by_role("link", name=re.compile(f"{start:%H:%M}")).first.click()
    staff.get_by_role("link", name="Abrir a sala de vídeo").click()
    staff.wait_for_function("() => window.pacoJitsiSeen && window.pacoJitsiSeen.commands.length > 0")
    seen = staff.evaluate("() => window.pacoJitsiSeen")
    assert seen["domain"] == django_settings.JITSI_DOMAIN
    assert seen["commands"] == [["toggleLobby", True]]
    claims = jwt.decode(seen["jwt"], SECRET, algorithms=["HS256"], audience="jitsi")
    assert claims["room"] == seen["room"]
    assert claims["context"]["user"]["moderator"] == "true"
    assert "/external_api.js" in jitsi_stand_in
    staff.get_by_role("button", name="Iniciar o atendimento e liberar a sala de espera").click()
    staff.wait_for_function("() => window.pacoJitsiSeen && window.pacoJitsiSeen.commands.length > 0")
    screenshot(staff, "agendamento-6-sala-do-fiscal")

    # the citizen enters the room (no moderator)
    phone.get_by_role("link", name="Entrar na sala de vídeo").click()
    phone.wait_for_function("() => !!window.pacoJitsiSeen")
    citizen_claims = jwt.decode(
        phone.evaluate("() => window.pacoJitsiSeen.jwt"), SECRET, algorithms=["HS256"], audience="jitsi"
    )
    assert citizen_claims["room"] == claims["room"]
    assert citizen_claims["context"]["user"]["moderator"] == "false"
    screenshot(phone, "agendamento-7-sala-do-cidadao")

    # the inspector records the attendance; the case history shows it
    staff.get_by_label("Resultado do atendimento").select_option(label="Resolvido no atendimento")
    staff.get_by_label("Anotações (ficam no histórico do protocolo)").fill(
        "Explicada a base de cálculo do ITBI."
    )
    staff.get_by_role("button", name="Registrar atendimento realizado").click()
    expect(staff.get_by_text("Atendimento registrado no protocolo.")).to_be_visible()
    staff.get_by_role("link", name=nup).first.click()
    expect(staff.get_by_text(re.compile("Atendimento realizado por Gabriela Fiscal")).first).to_be_visible()
    screenshot(staff, "agendamento-8-historico")
    phone.goto(f"{base}/protocolos/{re.sub(r'[^0-9]', '', nup)}/")
    expect(phone.get_by_text(re.compile("Atendimento agendado")).first).to_be_visible()
    expect(phone.get_by_text(re.compile("Atendimento realizado")).first).to_be_visible()
    screenshot(phone, "agendamento-9-protocolo-do-cidadao")
