"""On a phone: "Entrar com gov.br" through the demo stand-in provider, link the demo citizen's
existing account, download "Meus dados", file a correction request (issue 18)."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from paco_demo import cities as demo
from paco_demo.govbr_views import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, demo_issuer
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_citizen_signs_in_with_govbr_links_downloads_my_data_and_asks_a_correction(
    live_url, phone, browser, settings
):
    settings.GOVBR_DEMO_PROVIDER = True
    control = live_url.format(host="localhost")
    city = live_url.format(host="aracaju.localhost")

    def configure() -> None:
        from tenant_apps.govbr.services import govbr_client_save

        with schema_context("aracaju"):
            govbr_client_save(
                enabled=True,
                issuer=demo_issuer(control),
                client_id=DEMO_CLIENT_ID,
                client_secret=DEMO_CLIENT_SECRET,
            )

    def cleanup() -> None:
        from tenant_apps.govbr.models import GovBrClient, GovBrIdentity
        from tenant_apps.privacy.models import DataExport

        with schema_context("aracaju"):
            GovBrIdentity.objects.all().delete()
            GovBrClient.objects.all().delete()
            DataExport.objects.all().delete()

    _in_thread(configure)
    try:
        # sign in with gov.br (the demo stand-in, clearly labelled) as the demo CPF
        phone.goto(f"{city}/entrar/")
        phone.get_by_role("link", name=re.compile("Entrar com gov.br")).click()
        expect(phone.locator("main")).to_contain_text("DEMONSTRAÇÃO", use_inner_text=True)
        screenshot(phone, "govbr-demo-provider-390")
        phone.locator(f'button[data-cpf="{demo.DEMO_CITIZEN["cpf"]}"]').click()
        # the existing e-mail account with the same CPF asks for its password before linking
        expect(phone.locator("h1")).to_have_text("Vincular sua conta ao gov.br", use_inner_text=True)
        screenshot(phone, "govbr-link-confirm-390")
        phone.fill("#id_password", demo.CITIZEN_PASSWORD)
        phone.get_by_role("button", name="Confirmar e vincular").click()
        expect(phone.locator("main")).to_contain_text(
            "Pronto: sua conta está vinculada ao gov.br.", use_inner_text=True
        )

        # Meus dados: ask for the copy; the job assembles it; the e-mailed link downloads it
        phone.goto(f"{city}/meus-dados/")
        screenshot(phone, "meus-dados-390")
        phone.get_by_role("button", name="Pedir cópia dos meus dados").click()
        expect(phone.locator("main")).to_contain_text(
            "Estamos preparando a cópia dos seus dados.", use_inner_text=True
        )

        def build() -> str:
            from tenant_apps.notifications.models import Notification
            from tenant_apps.privacy.models import DataExport
            from tenant_apps.privacy.tasks import data_export_build_task

            with schema_context("aracaju"):
                export = DataExport.objects.get(status="pendente")
                data_export_build_task.fn(export_id=export.pk)
                body = Notification.objects.filter(template_key="privacy_export_ready").latest("id").body
            match = re.search(r"https?://\S+/meus-dados/copia/\S+/pdf/", body)
            assert match is not None
            return match.group(0)

        link = _in_thread(build)
        path = link.split("/meus-dados/", 1)[1]
        with phone.expect_download() as download:
            phone.evaluate("url => { window.location.href = url }", f"{city}/meus-dados/{path}")
        assert download.value.suggested_filename == "meus-dados.pdf"

        # a correction request: a case of the encarregado, answered in 15 days
        phone.goto(f"{city}/meus-dados/pedido/")
        phone.get_by_text("Correção de dados incompletos").click()
        phone.fill("#id_details", "Meu celular mudou: (79) 98888-0000.")
        screenshot(phone, "lgpd-correction-390")
        phone.get_by_role("button", name="Enviar pedido").click()
        expect(phone.locator("main")).to_contain_text("A resposta vem em até 15 dias.", use_inner_text=True)

        desktop = browser.new_context(
            viewport={"width": 1366, "height": 900}, storage_state=phone.context.storage_state()
        )
        page = desktop.new_page()
        page.goto(f"{city}/meus-dados/")
        screenshot(page, "meus-dados-1366")
        page.goto(f"{city}/privacidade/")
        screenshot(page, "privacidade-1366")
        desktop.close()
    finally:
        _in_thread(cleanup)
