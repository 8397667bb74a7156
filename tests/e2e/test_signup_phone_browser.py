"""A municipal admin signs the city up on a phone-sized Chromium and lands on the live portal."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

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
        expect(phone.locator("h1")).to_have_text("Cadastre sua prefeitura", use_inner_text=True)
        phone.select_option("#id_uf", "SE")
        phone.wait_for_selector(f'#id_ibge_code option[value="{LAGARTO}"]', state="attached")
        phone.select_option("#id_ibge_code", LAGARTO)
        phone.fill("#id_admin_full_name", "Lúcia Prefeita Lagartense")
        phone.fill("#id_admin_cpf", VALID_CPF)
        phone.fill("#id_admin_email", "gabinete@lagarto.se.gov.br")
        phone.fill("#id_slug", "lagarto")
        phone.get_by_text("Médio porte (de 20.001 a 100.000 habitantes)").click()
        phone.get_by_text("Cartão de crédito (Stripe Checkout)").click()
        expect(phone.locator('input[name="plan_code"][value="medio"]')).to_be_checked()
        expect(phone.locator('input[name="payment_method"][value="card"]')).to_be_checked()
        screenshot(phone, "onboarding-form")
        phone.get_by_role("button", name="Enviar cadastro").click()

        # check your inbox (the demo shows the link), then the confirmation page
        expect(phone.locator("h1")).to_have_text("Confira seu e-mail", use_inner_text=True)
        expect(phone.locator("main")).to_contain_text("g******e@lagarto.se.gov.br", use_inner_text=True)
        phone.locator('a[href*="/cadastro/confirmar/"]').click()
        expect(phone.locator("h1")).to_have_text("Confirmar cadastro", use_inner_text=True)
        phone.get_by_role("button", name="Confirmar e criar o portal").click()
        expect(phone.locator('[data-status="verified"]')).to_have_count(1)

        # the worker provisions; the page, polling every second, shows the steps and the link
        signup_id = phone.url.rstrip("/").rsplit("/", 1)[-1]
        provisioning_jobs_run(signup_id, committed=_outside_test_transaction)
        phone.wait_for_selector('[data-status="ready"]')
        expect(phone.locator('[data-state="done"]')).to_have_count(8)
        screenshot(phone, "onboarding-ready")
        expect(phone.locator("main")).to_contain_text(
            "Enviamos para g******e@lagarto.se.gov.br o convite para criar sua senha.", use_inner_text=True
        )
        phone.get_by_role("link", name="Abrir o portal de Lagarto").click()
        expect(phone).to_have_title("Início · Prefeitura Municipal de Lagarto")
        screenshot(phone, "onboarding-portal")
    finally:
        _outside_test_transaction(lagarto_drop)
        with schema_context("public"):
            cache_clear()
