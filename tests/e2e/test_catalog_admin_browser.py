"""The municipal admin edits the Carta de Serviços and the holidays in a desktop Chromium."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tenant_apps.catalog.models import Service
from tenant_apps.workdays.models import MunicipalHoliday
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login
from tests.e2e.test_portal_browser import _outside_test_transaction

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pt-BR")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _admin_login(page, base: str) -> None:
    staff_login(page, base, "admin@aracaju.se.gov.br", landing="/admin-municipal/")


def test_the_admin_builds_a_service_form_and_adds_a_holiday(live_url, desktop):
    base = live_url.format(host="aracaju.localhost")
    page = desktop
    try:
        _admin_login(page, base)
        page.get_by_role("link", name="Carta de Serviços").first.click()
        page.wait_for_url(f"{base}/admin-municipal/servicos/")
        page.get_by_role("link", name="Novo serviço").click()

        page.get_by_label("Nome", exact=True).fill("Limpeza de terreno baldio")
        page.get_by_label("Código").fill("limpeza-de-terreno-e2e")
        page.get_by_label("Unidade responsável").select_option(
            label="EMSURB · Empresa Municipal de Serviços Urbanos"
        )
        page.get_by_label("Prazo de atendimento (dias)").fill("20")
        # two fields and one document, each row fetched with htmx without reloading the page
        page.get_by_role("button", name="Adicionar campo").click()
        page.locator("#id_fields-0-key").fill("endereco")
        page.locator("#id_fields-0-label").fill("Endereço do terreno")
        page.locator("#id_fields-0-kind").select_option("address")
        page.get_by_role("button", name="Adicionar campo").click()
        page.locator("#id_fields-1-key").fill("situacao")
        page.locator("#id_fields-1-label").fill("Situação")
        page.locator("#id_fields-1-kind").select_option("choice")
        page.locator("#id_fields-1-choices").fill("Mato alto\nLixo acumulado")
        page.locator("#id_fields-1-position").fill("0")
        page.get_by_role("button", name="Adicionar documento").click()
        page.locator("#id_attachments-0-name").fill("Foto do terreno")
        expect(page.locator("#id_fields-TOTAL_FORMS")).to_have_value("2")
        screenshot(page, "admin-catalog-new-service")
        page.get_by_role("button", name="Salvar serviço").click()

        page.wait_for_url(f"{base}/admin-municipal/servicos/*/")
        expect(page.get_by_text("Serviço “Limpeza de terreno baldio” criado.")).to_be_visible()
        expect(page.locator("#id_fields-0-key")).to_have_value("situacao")
        page.get_by_role("link", name="Ver o formulário como o cidadão").click()
        expect(page.get_by_label("Situação")).to_be_visible()
        expect(page.get_by_role("button", name="Enviar pedido")).to_be_disabled()
        screenshot(page, "admin-catalog-preview")

        page.goto(f"{base}/admin-municipal/feriados/?ano=2026")
        page.get_by_label("Data").fill("2026-12-08")
        page.get_by_label("Nome").fill("Nossa Senhora da Conceição")
        page.get_by_role("button", name="Adicionar feriado").click()
        page.wait_for_url(f"{base}/admin-municipal/feriados/?ano=2026")
        expect(page.get_by_role("row", name="Nossa Senhora da Conceição")).to_be_visible()
        screenshot(page, "admin-holidays")
    finally:

        def cleanup() -> None:
            with schema_context("aracaju"):
                Service.objects.filter(code="limpeza-de-terreno-e2e").delete()
                MunicipalHoliday.objects.filter(name="Nossa Senhora da Conceição").delete()

        _outside_test_transaction(cleanup)
