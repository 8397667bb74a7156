"""The indicators in Chromium: the municipal admin opens the indicators page of a city with a few
months of history (bulk, committed), the charts are drawn by Chart.js with their tables beneath, and
open data is reachable without login. Screenshots at 390 px and 1366 px in test-artifacts/."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.insights.history import HistorySpec, history_generate
from tenant_apps.insights.services import aggregates_rebuild, neighbourhoods_ensure
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
DESKTOP = {"width": 1366, "height": 900}


def _history(aracaju) -> None:
    def create() -> None:
        with tenant_context(aracaju):
            neighbourhoods_ensure(names=["Centro", "Atalaia", "Jardins"])
            staff = User.objects.get(email=demo.DEMO_STAFF["aracaju"]["email"])
            history_generate(
                spec=HistorySpec(
                    days=120,
                    cases_per_day=4,
                    manifestations_per_day=0.5,
                    memos_per_day=1,
                    neighbourhoods=("Centro", "Atalaia", "Jardins"),
                    slow_units=("SEFAZ-TRIB",),
                ),
                staff_user_id=staff.pk,
                seed="browser",
            )
            aggregates_rebuild()

    _in_thread(create)


def _login(page, base: str, email: str) -> None:
    staff_login(page, base, email)


def test_the_admin_reads_the_indicators_and_anyone_the_open_data(aracaju, live_url, browser):
    _history(aracaju)
    base = live_url.format(host="aracaju.localhost")
    session = None  # one login (a TOTP code is accepted once), then the phone reuses its cookies
    for name, viewport in (("desktop", DESKTOP), ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport, locale="pt-BR", storage_state=session)
        page = context.new_page()
        page.set_default_timeout(20000)
        if session is None:
            _login(page, base, demo.ARACAJU.admin.email)  # type: ignore[union-attr]
            session = context.storage_state()
        page.goto(f"{base}/staff/indicadores/")
        page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length >= 5")
        expect(page.locator("canvas[data-insights-chart]").nth(4)).to_be_attached()  # at least 5
        expect(page.get_by_role("table", name="Protocolos abertos e concluídos")).to_have_count(1)
        screenshot(page, f"insights-manager-{name}")

        page.goto(f"{base}/dados-abertos/")
        expect(page.get_by_role("heading", name="Dados abertos")).to_have_count(1)
        screenshot(page, f"insights-opendata-{name}")
        context.close()

    # open data without login: the catalogue, and a CSV fetched from it
    anonymous = browser.new_context(viewport=DESKTOP, locale="pt-BR")
    page = anonymous.new_page()
    page.goto(f"{base}/dados-abertos/")
    text = page.evaluate("async () => (await fetch('/dados-abertos/protocolos-por-servico.csv')).text()")
    assert text.lstrip("\ufeff").startswith("mes;servico_codigo")
    anonymous.close()
