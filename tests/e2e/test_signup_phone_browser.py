"""A municipal admin signs the city up on a phone-sized Chromium and lands on the live portal."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tests.comms.test_fanout_job import _in_thread as _outside_test_transaction
from tests.conftest import cache_clear
from tests.e2e.conftest import screenshot
from tests.onboarding.conftest import LAGARTO, VALID_CPF, lagarto_drop, provisioning_jobs_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_a_municipal_admin_signs_the_city_up_and_opens_the_live_portal(live_url, phone, settings):
    control = live_url.format(host="localhost")
    settings.ONBOARDING_SHOW_VERIFICATION_LINK = True
    settings.CONTROL_PLANE_BASE_URL = control
    settings.PUBLIC_URL_PORT = control.rsplit(":", 1)[1]
    settings.STRIPE_API_KEY = ""
    try:
        # the product page's call to action, and the form (the UF fills the municipalities by htmx)
        phone.goto(f"{control}/")
        phone.get_by_role("link", name="Cadastre sua prefeitura").click()
        assert phone.locator("h1").inner_text() == "Cadastre sua prefeitura"
        phone.select_option("#id_uf", "SE")
        phone.wait_for_selector(f'#id_ibge_code option[value="{LAGARTO}"]', state="attached")
        phone.select_option("#id_ibge_code", LAGARTO)
        phone.fill("#id_admin_full_name", "Lúcia Prefeita Lagartense")
        phone.fill("#id_admin_cpf", VALID_CPF)
        phone.fill("#id_admin_email", "gabinete@lagarto.se.gov.br")
        phone.fill("#id_slug", "lagarto")
        phone.get_by_text("Médio porte (de 20.001 a 100.000 habitantes)").click()
        phone.get_by_text("Cartão de crédito (Stripe Checkout)").click()
        assert phone.locator('input[name="plan_code"][value="medio"]').is_checked()
        assert phone.locator('input[name="payment_method"][value="card"]').is_checked()
        screenshot(phone, "onboarding-form")
        phone.get_by_role("button", name="Enviar cadastro").click()

        # check your inbox (the demo shows the link), then the confirmation page
        assert phone.locator("h1").inner_text() == "Confira seu e-mail"
        assert "g******e@lagarto.se.gov.br" in phone.locator("main").inner_text()
        phone.locator('a[href*="/cadastro/confirmar/"]').click()
        assert phone.locator("h1").inner_text() == "Confirmar cadastro"
        phone.get_by_role("button", name="Confirmar e criar o portal").click()
        assert phone.locator('[data-status="verified"]').count() == 1

        # the worker provisions; the page, polling every second, shows the steps and the link
        signup_id = phone.url.rstrip("/").rsplit("/", 1)[-1]
        provisioning_jobs_run(signup_id, committed=_outside_test_transaction)
        phone.wait_for_selector('[data-status="ready"]')
        assert phone.locator('[data-state="done"]').count() == 8
        screenshot(phone, "onboarding-ready")
        assert (
            "Enviamos para g******e@lagarto.se.gov.br o convite para criar sua senha."
            in phone.locator("main").inner_text()
        )
        phone.get_by_role("link", name="Abrir o portal de Lagarto").click()
        assert phone.title() == "Início · Prefeitura Municipal de Lagarto"
        screenshot(phone, "onboarding-portal")
    finally:
        _outside_test_transaction(lagarto_drop)
        with schema_context("public"):
            cache_clear()
