"""Permits wired to gov.br levels and insights, in Chromium: the demo citizen (not linked to gov.br)
opens Aracaju's alvará de construção, which asks a prata account, and is told how to link and raise
the account instead of a form; the municipal admin sees the permit kinds on the gov.br levels page
and the permit charts on the managers' page. Screenshots at 390 px and 1366 px in test-artifacts/."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from paco_demo import cities as demo
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.e2e.helpers import staff_login
from tests.permits.conftest import operation_answers, operation_files

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _issued_permit(aracaju) -> None:
    """A MEI's level II permit, issued automatically, and the aggregates refreshed (committed)."""

    def create() -> None:
        from tenant_apps.accounts.models import User
        from tenant_apps.insights.services import aggregates_refresh
        from tenant_apps.permits import services
        from tenant_apps.permits.models import PermitKind

        with tenant_context(aracaju):
            request = services.permit_request_submit(
                kind=PermitKind.objects.get(service__code="alvara-funcionamento"),
                citizen=User.objects.get(email=demo.DEMO_CITIZEN["email"]),
                form_data=operation_answers(
                    "4721-1/02", mei="Sim", nome_razao_social=f"Mercearia {uuid.uuid4().hex[:5]}"
                ),
                uploads=operation_files(today_text=timezone.localdate().strftime("%d/%m/%Y")),
                accept_terms=True,
            )
            services.request_analyse(request_id=request.pk)
            aggregates_refresh()

    _in_thread(create)


def test_a_citizen_below_the_level_is_told_how_to_raise_it_and_the_admin_sees_levels_and_charts(
    live_url, browser, aracaju
):
    base = live_url.format(host="aracaju.localhost")
    citizen_session = None
    for name, viewport in (("390", PHONE), ("1366", DESKTOP)):
        context = browser.new_context(viewport=viewport, locale="pt-BR", storage_state=citizen_session)
        page = context.new_page()
        if citizen_session is None:
            page.goto(f"{base}/entrar/")
            page.get_by_label("E-mail").fill(demo.DEMO_CITIZEN["email"])
            page.get_by_label("Senha").fill(demo.CITIZEN_PASSWORD)
            page.get_by_role("button", name="Entrar").click()
            page.wait_for_url(f"{base}/meus-pedidos/")
            citizen_session = context.storage_state()
        page.goto(f"{base}/alvaras/solicitar/")
        expect(page.get_by_text("Conta gov.br prata ou superior")).to_be_visible()
        screenshot(page, f"alvaras-nivel-lista-{name}")
        page.goto(f"{base}/alvaras/solicitar/alvara-construcao/")
        alert = page.locator("#nivel-govbr")
        expect(alert).to_be_visible()
        expect(alert).to_contain_text("nível prata ou superior", use_inner_text=True)
        expect(alert).to_contain_text("Vincule sua conta ao gov.br", use_inner_text=True)
        expect(page.get_by_role("button", name="Enviar pedido")).to_have_count(0)
        screenshot(page, f"alvaras-nivel-pedido-{name}")
        context.close()

    _issued_permit(aracaju)
    admin_session = None
    for name, viewport in (("1366", DESKTOP), ("390", PHONE)):
        context = browser.new_context(viewport=viewport, locale="pt-BR", storage_state=admin_session)
        page = context.new_page()
        page.set_default_timeout(20000)
        if admin_session is None:
            staff_login(page, base, demo.ARACAJU.admin.email)  # type: ignore[union-attr]
            admin_session = context.storage_state()
        page.goto(f"{base}/admin-municipal/govbr/niveis/")
        construction = page.get_by_label("Alvará ou licença: Alvará de construção")
        expect(construction).to_have_value("prata")
        screenshot(page, f"alvaras-nivel-admin-{name}")
        page.goto(f"{base}/staff/indicadores/")
        page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length >= 5")
        section = page.locator('section[aria-labelledby="grafico-alvaras"]')
        section.scroll_into_view_if_needed()
        expect(section).to_be_visible()
        expect(section).to_contain_text("Alvará de funcionamento — nível II", use_inner_text=True)
        expect(page.locator('section[aria-labelledby="grafico-alvaras-pareceres"]')).to_have_count(1)
        ARTIFACTS.mkdir(exist_ok=True)
        section.screenshot(path=str(ARTIFACTS / f"alvaras-indicadores-{name}.png"))
        context.close()
