"""The municipal admin publishes a service on Open311 from its page, at desktop and phone widths."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tenant_apps.catalog.models import Service
from tenant_apps.open311.models import PublishedService
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_catalog_admin_browser import _admin_login
from tests.e2e.test_portal_browser import _outside_test_transaction

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pt-BR")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_the_admin_publishes_a_service_on_open311_and_sees_what_it_exposes(live_url, desktop):
    base = live_url.format(host="aracaju.localhost")
    page = desktop
    try:
        _admin_login(page, base)
        page.goto(f"{base}/admin-municipal/servicos/")
        page.get_by_role("link", name="Poda de árvore").first.click()
        panel = page.locator("#open311")
        expect(panel.get_by_text("Não publicado no Open311.")).to_be_visible()
        expect(panel.get_by_text("nunca aparecem nome, e-mail, CPF, telefone")).to_be_visible()

        panel.get_by_role("button", name="Publicar no Open311").click()

        page.wait_for_url(f"{base}/admin-municipal/servicos/*/#open311")
        expect(page.get_by_text("Serviço publicado no Open311.")).to_be_visible()
        expect(page.locator("#open311").get_by_text("Publicado no Open311.")).to_be_visible()
        expect(
            page.locator("#open311").get_by_role("button", name="Deixar de publicar no Open311")
        ).to_be_visible()
        page.locator("#open311").scroll_into_view_if_needed()
        screenshot(page, "admin-open311-published-desktop")
        page.set_viewport_size(PHONE)
        page.reload()
        page.locator("#open311").scroll_into_view_if_needed()
        expect(
            page.locator("#open311").get_by_role("button", name="Deixar de publicar no Open311")
        ).to_be_visible()
        screenshot(page, "admin-open311-published-phone")

        page.goto(f"{base}/admin-municipal/servicos/")
        page.get_by_role("link", name="Alvará de funcionamento").first.click()
        expect(page.locator("#open311").get_by_text("Não pode ser publicado no Open311.")).to_be_visible()
        expect(page.locator("#open311").get_by_role("button")).to_have_count(0)
        page.locator("#open311").scroll_into_view_if_needed()
        screenshot(page, "admin-open311-documents-phone")
    finally:

        def cleanup() -> None:
            with schema_context("aracaju"):
                PublishedService.objects.filter(
                    service__in=Service.objects.filter(code="poda-de-arvore")
                ).delete()

        _outside_test_transaction(cleanup)
