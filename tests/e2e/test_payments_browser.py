"""On a phone: the demo citizen opens a fee guide (DAM), sees the QR code and the Pix copia e cola,
pays it at the demo stand-in bank (which calls the city's webhook over HTTP) and sees it paid;
staff see it in the list at 1366 px (issue 14, fees by Pix)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from paco_demo import cities as demo
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login
from tests.e2e.test_health_browser import _citizen_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
REFERENCE = "e2e-pix"


def test_citizen_pays_a_guide_by_pix_at_the_demo_bank_and_staff_see_it_paid(
    live_url, phone, browser, settings
):
    settings.PAYMENTS_DEMO_BANK = True
    city = live_url.format(host="aracaju.localhost")

    def create():
        from tenant_apps.accounts.models import User
        from tenant_apps.payments.purposes import GENERIC_FEE
        from tenant_apps.payments.services import guide_issue

        with schema_context("aracaju"):
            return guide_issue(
                purpose=GENERIC_FEE,
                reference=REFERENCE,
                payer_name="Maria da Silva Santos",
                payer_document=demo.DEMO_CITIZEN["cpf"],
                amount=Decimal("257.30"),
                description="Taxa de expediente: alvará de evento",
                owner=User.objects.get(email=demo.DEMO_CITIZEN["email"]),
            )

    def cleanup():
        from tenant_apps.payments.models import GuideEvent, PaymentGuide, WebhookEvent

        with schema_context("aracaju"):
            guides = PaymentGuide.objects.filter(reference=REFERENCE)
            WebhookEvent.objects.filter(guide__in=guides).delete()
            GuideEvent.objects.filter(guide__in=guides).delete()
            guides.delete()

    guide = _in_thread(create)
    try:
        _citizen_login(phone, city, demo.DEMO_CITIZEN["email"], demo.CITIZEN_PASSWORD)
        phone.get_by_role("link", name="Minhas guias de pagamento").click()
        phone.get_by_role("link", name=guide.display_number).click()
        phone.wait_for_load_state()
        phone.locator(".paco-copy").wait_for()
        main = phone.locator("main")
        expect(main).to_contain_text("R$ 257,30", use_inner_text=True)
        expect(phone.locator(".paco-guide-qr svg")).to_be_visible()
        expect(phone.locator(".paco-guide-brcode")).to_have_text(guide.br_code, use_inner_text=True)
        expect(phone.locator("main textarea")).to_have_count(0)  # a code to copy, not a form field
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        screenshot(phone, "payments-guide-390")
        phone.get_by_role("button", name="Copiar código Pix").click()
        phone.get_by_text("Código copiado").wait_for()
        # the demo bank: reads the code, pays, and the city's webhook answers
        phone.get_by_role("link", name="Pagar no banco de demonstração").click()
        phone.get_by_role("button", name="Pagar com Pix").wait_for()
        expect(main).to_contain_text("DEMONSTRAÇÃO", use_inner_text=True)
        expect(main).to_contain_text("R$ 257,30", use_inner_text=True)
        screenshot(phone, "payments-demo-bank-390")
        phone.get_by_role("button", name="Pagar com Pix").click()
        phone.get_by_text("Pix enviado").wait_for()
        phone.goto(f"{city}/minha-conta/guias/{guide.year}/{guide.number}/")
        phone.locator(".paco-guide-paid").wait_for()
        expect(main).to_contain_text("Pagamento confirmado em", use_inner_text=True)
        expect(phone.locator(".paco-guide-status")).to_contain_text("Paga", use_inner_text=True)
        screenshot(phone, "payments-guide-paid-390")

        desktop = browser.new_context(viewport={"width": 1366, "height": 900}, locale="pt-BR").new_page()
        staff_login(desktop, city, demo.DEMO_STAFF["aracaju"]["email"])
        desktop.goto(f"{city}/staff/guias/?q={guide.number}/{guide.year}")
        row = desktop.locator("tbody tr").first
        expect(row).to_contain_text("***.982.247-**", use_inner_text=True)
        expect(row).to_contain_text("Paga", use_inner_text=True)
        screenshot(desktop, "payments-staff-list-1366")
        desktop.goto(f"{city}/staff/guias/{guide.year}/{guide.number}/")
        expect(desktop.locator("main")).to_contain_text("Paga (aviso do banco)", use_inner_text=True)
        screenshot(desktop, "payments-staff-guide-1366")
        desktop.context.close()
    finally:
        _in_thread(cleanup)
