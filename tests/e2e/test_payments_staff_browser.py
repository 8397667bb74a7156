"""Staff pages of payments in Chromium: the municipal admin issues a one-off guide and refunds part of
a paid one with a reason (1366 px), the citizen sees the refund on a phone (390 px), and the admin's
PSP page at both widths; screenshots under test-artifacts/."""

from __future__ import annotations

import re
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
REFERENCE = "e2e-devolucao"
ADMIN = "admin@aracaju.se.gov.br"
ONE_OFF = "Uso de espaço público: teste do navegador"


def test_admin_issues_a_one_off_guide_refunds_part_of_a_paid_one_and_the_citizen_sees_it(
    live_url, phone, browser
):
    city = live_url.format(host="aracaju.localhost")

    def create():
        from tenant_apps.accounts.models import User
        from tenant_apps.payments.purposes import GENERIC_FEE
        from tenant_apps.payments.services import guide_issue, guide_mark_paid

        with schema_context("aracaju"):
            guide = guide_issue(
                purpose=GENERIC_FEE,
                reference=REFERENCE,
                payer_name="Maria da Silva Santos",
                payer_document=demo.DEMO_CITIZEN["cpf"],
                amount=Decimal("100.00"),
                description="Taxa de expediente: certidão",
                owner=User.objects.get(email=demo.DEMO_CITIZEN["email"]),
            )
            return guide_mark_paid(
                guide=guide, actor=User.objects.get(email=ADMIN), reason="Pix conferido no extrato"
            )

    def cleanup():
        from tenant_apps.payments.models import GuideEvent, PaymentGuide, Refund

        with schema_context("aracaju"):
            guides = PaymentGuide.objects.filter(reference=REFERENCE) | PaymentGuide.objects.filter(
                description=ONE_OFF
            )
            Refund.objects.filter(guide__in=guides).delete()
            GuideEvent.objects.filter(guide__in=guides).delete()
            guides.delete()

    guide = _in_thread(create)
    desktop = browser.new_context(viewport={"width": 1366, "height": 900}, locale="pt-BR").new_page()
    desktop.set_default_timeout(15000)
    try:
        staff_login(desktop, city, ADMIN, landing="/admin-municipal/")
        desktop.goto(f"{city}/staff/guias/")
        desktop.get_by_role("link", name="Nova guia avulsa").click()
        desktop.get_by_label("Nome do contribuinte").fill("Maria da Silva Santos")
        desktop.get_by_label("CPF ou CNPJ do contribuinte").fill("529.982.247-25")
        desktop.get_by_label("Descrição").fill(ONE_OFF)
        desktop.get_by_label("Valor (R$)").fill("99,99")
        screenshot(desktop, "payments-one-off-form-1366")
        desktop.get_by_label("Vencimento").fill("2020-01-01")
        desktop.get_by_role("button", name="Emitir guia").click()
        desktop.get_by_text("O vencimento não pode ser no passado.").first.wait_for()
        desktop.get_by_label("Vencimento").fill("2099-12-31")
        desktop.get_by_role("button", name="Emitir guia").click()
        desktop.get_by_text("emitida.").wait_for()
        expect(desktop.locator("main")).to_contain_text("R$ 99,99", use_inner_text=True)
        screenshot(desktop, "payments-one-off-issued-1366")

        desktop.goto(f"{city}/staff/guias/{guide.year}/{guide.number}/")
        desktop.get_by_label("Valor a devolver (R$)").fill("30,00")
        desktop.get_by_label("Motivo da devolução").fill("Taxa cobrada a maior")
        desktop.get_by_role("button", name="Devolver").click()
        desktop.get_by_text("Devolução de R$ 30,00").wait_for()
        main = desktop.locator("main")
        expect(main).to_contain_text("R$ 30,00 devolvidos ao pagador.", use_inner_text=True)
        expect(main).to_contain_text("Taxa cobrada a maior", use_inner_text=True)
        screenshot(desktop, "payments-staff-refund-1366")

        desktop.goto(f"{city}/admin-municipal/pix/psp/")
        expect(desktop.locator("main")).to_contain_text(
            re.compile("o PSP da instalação|nenhum PSP"), use_inner_text=True
        )
        assert "demo-nao-e-um-segredo-real" not in desktop.content()
        screenshot(desktop, "payments-psp-settings-1366")

        _citizen_login(phone, city, demo.DEMO_CITIZEN["email"], demo.CITIZEN_PASSWORD)
        phone.goto(f"{city}/minha-conta/guias/{guide.year}/{guide.number}/")
        phone.get_by_text("R$ 30,00 devolvidos ao pagador.").wait_for()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, "payments-guide-refunded-390")
        phone.goto(f"{city}/minha-conta/guias/")
        expect(phone.locator("main")).to_contain_text(
            re.compile(f"{re.escape(ONE_OFF)}|99,99"), use_inner_text=True
        )

        admin_phone = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="pt-BR", is_mobile=True, has_touch=True
        ).new_page()
        staff_login(admin_phone, city, ADMIN, landing="/admin-municipal/")
        admin_phone.goto(f"{city}/admin-municipal/pix/psp/")
        assert admin_phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(admin_phone, "payments-psp-settings-390")
        admin_phone.goto(f"{city}/staff/guias/nova/")
        assert admin_phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(admin_phone, "payments-one-off-form-390")
        admin_phone.context.close()
    finally:
        desktop.context.close()
        _in_thread(cleanup)
