"""A citizen and a staff member use the two cities' portals on a phone-sized Chromium."""

from __future__ import annotations

import re
import threading
import uuid

import pytest
from django.core import mail
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import totp_code

# django_db makes pytest-django create the test database; the pages themselves are served by
# the live server's own connections, outside this test's transaction.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _outside_test_transaction(function) -> None:
    """Run `function` on another thread, whose own connection commits (for cleanup)."""
    errors: list[BaseException] = []

    def target() -> None:
        from django.db import connection

        try:
            function()
        except BaseException as error:  # noqa: BLE001 - re-raised below on the test thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _valid_cpf(seed: int) -> str:
    digits = [int(ch) for ch in f"{seed % 10**9:09d}"]
    for weights in (range(10, 1, -1), range(11, 1, -1)):
        total = sum(d * w for d, w in zip(digits, weights, strict=False))
        check = 11 - total % 11
        digits.append(0 if check >= 10 else check)
    return "".join(map(str, digits))


def test_citizen_registers_on_a_phone_and_the_session_stays_in_that_city(live_url, phone):
    aracaju = live_url.format(host="aracaju.localhost")
    gravatai = live_url.format(host="gravatai.localhost")
    email = f"e2e-{uuid.uuid4().hex[:8]}@exemplo.com.br"
    try:
        # the branded home of each city
        phone.goto(f"{aracaju}/")
        expect(phone).to_have_title("Início · Prefeitura Municipal de Aracaju")
        expect(phone.locator(".header-sign")).to_be_visible()
        expect(phone.locator(".header-sign")).to_have_text(
            re.compile(r"^Prefeitura Municipal de Aracaju"), use_inner_text=True
        )
        assert (
            phone.evaluate(
                "getComputedStyle(document.documentElement).getPropertyValue('--paco-primary')"
            ).strip()
            == "#0b4f9c"
        )
        assert phone.locator("img.paco-coat").evaluate("img => img.naturalWidth") > 0
        screenshot(phone, "portal-aracaju-home")

        # registration with CPF validation, on the phone
        phone.get_by_role("link", name="Criar conta").first.click()
        phone.get_by_label("Nome completo").fill("Teste Ponta a Ponta")
        phone.get_by_label("CPF").fill("123.456.789-00")
        phone.get_by_label("E-mail").fill(email)
        phone.get_by_label("Senha", exact=True).fill("Aracaju#2026forte")
        phone.get_by_label("Repita a senha").fill("Aracaju#2026forte")
        phone.locator("label[for=id_consent]").click()
        phone.get_by_role("button", name="Criar conta").click()
        expect(phone.get_by_text("CPF inválido: confira os números digitados.", exact=True)).to_be_visible()
        screenshot(phone, "portal-aracaju-register-error")
        phone.get_by_label("CPF").fill(_valid_cpf(uuid.uuid4().int))
        phone.get_by_label("Senha", exact=True).fill("Aracaju#2026forte")
        phone.get_by_label("Repita a senha").fill("Aracaju#2026forte")
        mail.outbox.clear()
        phone.get_by_role("button", name="Criar conta").click()

        # the same answer for anyone (issue 10): check your inbox; the account waits for the link
        phone.wait_for_url(f"{aracaju}/cadastro/enviado/")
        expect(phone.locator("h1")).to_have_text("Confira o seu e-mail", use_inner_text=True)
        screenshot(phone, "portal-aracaju-register-sent")
        [message] = [message for message in mail.outbox if message.to == [email]]
        link = re.search(r"https?://\S+(/cadastro/ativar/[^/\s]+/)", message.body)
        assert link is not None, message.body
        phone.goto(f"{aracaju}{link.group(1)}")
        phone.wait_for_url(f"{aracaju}/cadastro/ativacao/")  # the token left the address bar
        expect(phone.locator("h1")).to_have_text("Ativar conta", use_inner_text=True)
        screenshot(phone, "portal-aracaju-activate")
        phone.get_by_role("button", name="Ativar conta").click()
        phone.wait_for_url(f"{aracaju}/meus-pedidos/")
        expect(phone.get_by_text("Olá, Teste.")).to_be_visible()
        screenshot(phone, "portal-aracaju-my-requests")

        # accessibility: the contrast toggle is remembered
        phone.get_by_role("button", name="Alto contraste").click()
        phone.reload()
        expect(phone.locator("html")).to_have_class(re.compile(r"(^|\s)paco-contrast(\s|$)"))
        screenshot(phone, "portal-aracaju-contrast")

        # the browser keeps the cookie to Aracaju's host: Gravataí does not know this citizen
        phone.goto(f"{gravatai}/meus-pedidos/")
        expect(phone).to_have_url(re.compile(f"^{re.escape(gravatai)}/entrar/"))
        expect(phone).to_have_title("Entrar como cidadão · Prefeitura Municipal de Gravataí")
        screenshot(phone, "portal-gravatai-login")
    finally:

        def cleanup() -> None:
            with schema_context("aracaju"):
                User.objects.filter(email=email).delete()

        _outside_test_transaction(cleanup)


def test_staff_logs_in_with_a_second_factor(live_url, phone):
    gravatai = live_url.format(host="gravatai.localhost")

    phone.goto(f"{gravatai}/staff/entrar/")
    phone.get_by_label("E-mail").fill(demo.DEMO_STAFF["gravatai"]["email"])
    phone.get_by_label("Senha").fill(demo.DEMO_PASSWORD)
    phone.get_by_role("button", name="Entrar").click()
    phone.wait_for_url(f"{gravatai}/staff/entrar/codigo/")
    code = totp_code("gravatai", demo.DEMO_STAFF["gravatai"]["email"])
    phone.get_by_label("Código de 6 dígitos").fill(code)
    phone.get_by_role("button", name="Confirmar").click()
    phone.wait_for_url(f"{gravatai}/staff/")

    expect(phone.get_by_text("SMF-FISC").first).to_be_visible()
    screenshot(phone, "portal-gravatai-staff-home")
