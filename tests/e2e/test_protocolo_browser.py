"""The Protocolo end to end in Chromium: a citizen on a phone, a staff member on a desktop."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from paco_demo import cities as demo
from tests.cases.conftest import PNG
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _staff_login(page, base: str) -> None:
    staff_login(page, base, demo.DEMO_STAFF["aracaju"]["email"])


def test_citizen_opens_staff_forward_and_ask_citizen_answers_staff_close(live_url, phone, browser):
    base = live_url.format(host="aracaju.localhost")
    subject = f"Árvore caída {uuid.uuid4().hex[:6]}"

    # the citizen opens a case with an attachment, on a phone
    phone.goto(f"{base}/entrar/")
    phone.get_by_label("E-mail").fill(demo.DEMO_CITIZEN["email"])
    phone.get_by_label("Senha").fill(demo.CITIZEN_PASSWORD)
    phone.get_by_role("button", name="Entrar").click()
    phone.wait_for_url(f"{base}/meus-pedidos/")
    phone.goto(f"{base}/")
    phone.get_by_role("link", name=re.compile("Poda de árvore")).click()
    screenshot(phone, "protocolo-1-service-form")
    phone.get_by_label("Resumo do pedido").fill(subject)
    phone.get_by_label("Endereço da árvore").fill("Rua Laranjeiras, 100, Centro")
    phone.get_by_label("Motivo").select_option("Risco de queda")
    phone.get_by_label("Foto da árvore").set_input_files(
        {"name": "arvore.png", "mimeType": "image/png", "buffer": PNG}
    )
    phone.get_by_role("button", name="Enviar pedido").click()
    phone.wait_for_url(re.compile(r".*/protocolos/\d{17}/$"))
    nup = phone.locator("h1 .paco-nup").inner_text()
    assert re.fullmatch(r"10005\.\d{6}/\d{4}-\d{2}", nup)
    expect(phone.get_by_text("Pedido registrado com o protocolo")).to_be_visible()
    case_url = phone.url
    screenshot(phone, "protocolo-2-citizen-receipt")

    # staff of EMSURB forward it to the Protocolo Geral, then ask the citizen
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pt-BR").new_page()
    _staff_login(staff, base)
    staff.goto(f"{base}/staff/protocolos/?unidade=EMSURB")
    staff.get_by_role("link", name=nup).click()
    screenshot(staff, "protocolo-3-staff-case")
    staff.get_by_text("Tramitar para outra unidade").click()
    staff.get_by_label("Encaminhar para").select_option(label="SEPLOG-PROT — Protocolo Geral")
    staff.get_by_label("Observação").fill("Conferir endereço antes da vistoria")
    staff.get_by_role("button", name="Tramitar").click()
    expect(staff.get_by_role("alert").filter(has_text="Protocolo atualizado.")).to_be_visible()
    staff.goto(f"{base}/staff/protocolos/?unidade=SEPLOG-PROT")
    staff.get_by_role("link", name=nup).click()
    staff.get_by_text("Solicitar informações ao requerente").click()
    staff.get_by_label("O que o requerente precisa informar").fill("Qual o ponto de referência?")
    staff.get_by_role("button", name="Solicitar e suspender o prazo").click()
    expect(staff.get_by_text("Aguardando o requerente responder")).to_be_visible()

    # the citizen answers from the phone
    phone.goto(case_url)
    expect(phone.get_by_text("Qual o ponto de referência?").first).to_be_visible()
    screenshot(phone, "protocolo-4-citizen-question")
    phone.get_by_label("Sua resposta").fill("Em frente à padaria.")
    phone.get_by_role("button", name="Enviar resposta").click()
    expect(phone.get_by_text("Resposta enviada. O prazo voltou a correr.")).to_be_visible()

    # staff close it with the final answer
    staff.reload()
    staff.get_by_text("Concluir com resposta final").click()
    staff.get_by_label("Resposta final").fill("Poda realizada.")
    staff.get_by_role("button", name="Concluir").click()
    expect(staff.get_by_text("Concluído pela SEPLOG-PROT")).to_be_visible()
    screenshot(staff, "protocolo-5-staff-closed")

    # the citizen sees every step
    phone.goto(case_url)
    history = phone.locator(".paco-timeline")
    # (units by name, not acronym: a citizen does not know "EMSURB")
    for step in (
        "Protocolo aberto: Poda de árvore. Encaminhado à Empresa Municipal de Serviços Urbanos.",
        "Tramitado da Empresa Municipal de Serviços Urbanos para a Protocolo Geral",
        "Informações solicitadas ao requerente; prazo suspenso",
        "Requerente respondeu; prazo retomado",
        "Concluído pela Protocolo Geral",
    ):
        expect(history).to_contain_text(step, use_inner_text=True)
    expect(phone.locator("main")).to_contain_text("Poda realizada.", use_inner_text=True)
    screenshot(phone, "protocolo-6-citizen-history")
    staff.context.close()
