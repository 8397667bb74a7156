"""Permits end to end in Chromium (issue 14), in Aracaju: on a phone, a MEI bakery (level II) asks for
its alvará de funcionamento, the pre-analysis job runs and the permit is issued automatically and
sealed; a restaurant (level III in Aracaju) is routed to SEMA and the sanitary unit (SEMUS-VISA) in
parallel, then to the licensing unit, whose staff member issues and signs it; both permits are shown
on /verificar/ with their status. Screenshots at 390 px and 1366 px in the artifacts folder.

The pre-analysis job runs as in the demo's in-process mode: the test drains the stub broker, so the
real actor runs on a real worker thread in the tenant carried by its message. With a Redis broker
(REDIS_URL) the test calls the job's service directly instead."""

from __future__ import annotations

import uuid

import dramatiq
import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from dramatiq.brokers.stub import StubBroker
from playwright.sync_api import expect

from paco.jobs import jobs_drain
from paco_demo import cities as demo
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login, totp_code
from tests.permits.conftest import text_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
DESKTOP = {"width": 1366, "height": 900}
CNPJ = "11222333000181"


def _run_jobs(aracaju, name: str) -> None:
    broker = dramatiq.get_broker()
    if isinstance(broker, StubBroker):
        jobs_drain(broker)
        return

    def run() -> None:
        from tenant_apps.permits.models import PermitRequest
        from tenant_apps.permits.services import request_analyse

        with tenant_context(aracaju):
            request_analyse(request_id=PermitRequest.objects.get(requester_name=name).pk)

    _in_thread(run)


def _both(page, browser, name: str) -> None:
    screenshot(page, f"{name}-390")
    context = browser.new_context(
        viewport=DESKTOP, locale="pt-BR", storage_state=page.context.storage_state()
    )
    wide = context.new_page()
    wide.goto(page.url)
    screenshot(wide, f"{name}-1366")
    context.close()


def _request(phone, base: str, *, name: str, cnae: str) -> None:
    today = timezone.localdate().strftime("%d/%m/%Y")
    phone.goto(f"{base}/alvaras/solicitar/alvara-funcionamento/")
    phone.get_by_label("CPF ou CNPJ do requerente").fill(CNPJ)
    phone.get_by_label("Nome ou razão social").fill(name)
    phone.get_by_label("É microempreendedor individual (MEI)?").select_option("Sim")
    phone.get_by_label("Endereço do local").fill("Rua Laranjeiras, 100")
    phone.get_by_label("Bairro").fill("Centro")
    phone.get_by_label("Atividades (códigos CNAE)").fill(cnae)
    phone.get_by_label("Área utilizada (m²)").fill("45")
    phone.get_by_label("Contrato social ou certificado MEI").set_input_files(
        {
            "name": "ccmei.pdf",
            "mimeType": "application/pdf",
            "buffer": text_pdf("Certificado da condicao de microempreendedor individual (CCMEI)."),
        }
    )
    phone.get_by_label("Ou envie vários documentos de uma vez").set_input_files(
        [
            {
                "name": "conta-de-luz.pdf",
                "mimeType": "application/pdf",
                "buffer": text_pdf(f"Conta de energia emitida em {today}. Rua Joao Pessoa, 100."),
            }
        ]
    )
    phone.get_by_label("Li e aceito o termo de ciência", exact=False).check()
    phone.get_by_role("button", name="Enviar pedido").click()
    phone.wait_for_url(f"{base}/alvaras/pedidos/*/")


def test_low_risk_issued_automatically_and_high_risk_routed_to_sema_and_visa_then_signed(
    live_url, phone, browser, aracaju
):
    base = live_url.format(host="aracaju.localhost")
    tag = uuid.uuid4().hex[:5].upper()
    broker = dramatiq.get_broker()
    if isinstance(broker, StubBroker):
        broker.flush_all()
    phone.goto(f"{base}/entrar/")
    phone.get_by_label("E-mail").fill(demo.DEMO_CITIZEN["email"])
    phone.get_by_label("Senha").fill(demo.CITIZEN_PASSWORD)
    phone.get_by_role("button", name="Entrar").click()
    phone.wait_for_url(f"{base}/meus-pedidos/")

    # level II (a MEI bakery): issued automatically once the checks pass, terms accepted on the form
    bakery = f"Padaria Estrela {tag}"
    phone.goto(f"{base}/alvaras/solicitar/alvara-funcionamento/")
    _both(phone, browser, "alvaras-1-formulario")
    _request(phone, base, name=bakery, cnae="4721-1/02")
    _run_jobs(aracaju, bakery)
    phone.reload()
    expect(phone.get_by_test_id("permit-status")).to_contain_text("Alvará emitido", use_inner_text=True)
    _both(phone, browser, "alvaras-2-emitido-automaticamente")
    phone.get_by_role("link", name="Verificar", exact=False).click()
    expect(phone.locator("body")).to_contain_text("situação atual: Vigente")
    _both(phone, browser, "alvaras-3-verificar-automatico")

    # level III (a restaurant, raised by Aracaju): SEMA and SEMUS-VISA in parallel, then SEPLOG-ALV
    restaurant = f"Restaurante Maré {tag}"
    _request(phone, base, name=restaurant, cnae="5611-2/01")
    request_url = phone.url
    _run_jobs(aracaju, restaurant)
    phone.reload()
    expect(phone.get_by_test_id("permit-status")).to_contain_text("Em análise", use_inner_text=True)
    expect(phone.get_by_test_id("countdown")).to_be_visible()
    _both(phone, browser, "alvaras-4-em-analise")
    staff_path = request_url.replace(base, "").replace("/alvaras/pedidos/", "/staff/alvaras/")
    for email in ("sema.licencas@aracaju.se.gov.br", "visa@aracaju.se.gov.br", "alvaras@aracaju.se.gov.br"):
        context = browser.new_context(viewport=DESKTOP, locale="pt-BR")
        page = context.new_page()
        staff_login(page, base, email)
        page.goto(f"{base}{staff_path}")
        page.get_by_label("Parecer", exact=True).select_option("favoravel")
        page.get_by_label("Fundamentação").fill("Exigências atendidas.")
        page.get_by_role("button", name="Registrar parecer").click()
        expect(page.get_by_role("alert").filter(has_text="Parecer registrado.")).to_be_visible()
        if email.startswith("alvaras@"):
            screenshot(page, "alvaras-5-licenciamento")
            page.get_by_label("Código do autenticador", exact=False).fill(totp_code("aracaju", email))
            page.get_by_role("button", name="Emitir alvará").click()
            expect(page.locator("body")).to_contain_text("Alvará emitido e assinado")
        context.close()
    phone.goto(request_url)
    expect(phone.get_by_test_id("permit-status")).to_contain_text("Alvará emitido", use_inner_text=True)
    phone.get_by_role("link", name="Verificar", exact=False).click()
    expect(phone.locator("body")).to_contain_text("situação atual: Vigente")
    _both(phone, browser, "alvaras-6-verificar-assinado")
