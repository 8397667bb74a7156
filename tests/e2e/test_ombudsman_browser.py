"""The Ouvidoria end to end in Chromium: an anonymous denúncia, a unit's answer, one extension,
the final answer, and the citizen following it with the secret code and marking it resolved."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from paco_demo import cities as demo
from tenant_apps.ombudsman.demo import DEMO_OMBUDSMAN
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _staff_login(page, base: str, email: str) -> None:
    staff_login(page, base, email)


def _form(page, action: str):
    return page.locator(f"form[action$='/{action}/']")


def test_anonymous_denuncia_unit_answers_ombudsman_extends_and_closes_citizen_rates(live_url, phone, browser):
    base = live_url.format(host="aracaju.localhost")
    description = f"Entulho despejado na praça toda noite ({uuid.uuid4().hex[:6]})."

    # an anonymous citizen files a denúncia on a phone and keeps the code shown once
    phone.goto(f"{base}/ouvidoria/nova/")
    phone.get_by_label("Denúncia").check()
    phone.get_by_label("Anônimo").check()
    phone.get_by_label("Assunto").fill("Descarte irregular")
    phone.get_by_label("Sua manifestação ou pedido").fill(description)
    phone.wait_for_timeout(3200)  # the form refuses submissions faster than a person can type
    phone.get_by_role("button", name="Enviar").click()
    phone.wait_for_url(f"{base}/ouvidoria/registrada/")
    nup = phone.locator("#nup").inner_text()
    code = phone.locator("#codigo").inner_text()
    assert re.fullmatch(r"10007\.\d{6}/\d{4}-\d{2}", nup)
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", code)
    screenshot(phone, "ouvidoria-1-code")

    # the ombudsman (CGM) sends it to the Protocolo Geral for input
    ombudsman = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pt-BR").new_page()
    _staff_login(ombudsman, base, DEMO_OMBUDSMAN["aracaju"]["email"])
    ombudsman.goto(f"{base}/staff/ouvidoria/")
    ombudsman.get_by_role("link", name=nup).click()
    ombudsman.wait_for_url(re.compile(r".*/staff/ouvidoria/\d{17}/$"))
    detail_url = ombudsman.url
    expect(ombudsman.locator("#manifestante")).to_have_text(
        re.compile(r"^Manifestante "), use_inner_text=True
    )
    ombudsman.get_by_text("Encaminhar à unidade responsável").click()
    forward = _form(ombudsman, "encaminhar")
    forward.get_by_label("Unidade", exact=True).select_option(label="SEPLOG-PROT — Protocolo Geral")
    forward.get_by_label("O que a unidade deve responder").fill("Verifiquem e informem as providências.")
    forward.get_by_role("button", name="Encaminhar").click()
    ombudsman.wait_for_url(detail_url)
    expect(ombudsman.get_by_role("alert").filter(has_text="Registrado.")).to_be_visible()

    # the unit answers within its own deadline
    unit = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pt-BR").new_page()
    _staff_login(unit, base, demo.DEMO_STAFF["aracaju"]["email"])
    unit.goto(f"{base}/staff/ouvidoria/")
    unit.get_by_role("link", name=nup).click()
    answer = _form(unit, "responder-unidade")
    answer.get_by_label("Texto").fill("Fiscalização agendada; a EMSURB fará a limpeza.")
    answer.get_by_role("button", name="Responder").click()
    expect(unit.get_by_role("alert").filter(has_text="Registrado.")).to_be_visible()
    screenshot(unit, "ouvidoria-2-unit-answered")

    # the ombudsman extends once with a justification, then gives the final answer
    ombudsman.goto(detail_url)
    ombudsman.get_by_text("Prorrogar o prazo (uma vez").click()
    extend = _form(ombudsman, "prorrogar")
    extend.get_by_label("Texto").fill("Aguardando o relatório da fiscalização.")
    extend.get_by_role("button", name="Prorrogar").click()
    ombudsman.wait_for_url(detail_url)
    expect(ombudsman.locator("dl.paco-facts")).to_contain_text("Aguardando o relatório da fiscalização.")
    expect(ombudsman.get_by_text("Prorrogar o prazo (uma vez")).to_have_count(0)  # only once
    ombudsman.get_by_text("Concluir com a resposta final").click()
    close = _form(ombudsman, "concluir")
    close.get_by_label("Texto").fill("A praça foi limpa e a fiscalização passou a rondar o local.")
    # the final answer is signed: advanced with the second factor's code (as a memo or a dispatch)
    close.get_by_label(re.compile("Código do segundo fator")).fill(
        totp_code("aracaju", DEMO_OMBUDSMAN["aracaju"]["email"])
    )
    close.get_by_label(re.compile("Código do segundo fator")).scroll_into_view_if_needed()
    ombudsman.set_viewport_size({"width": 390, "height": 844})
    screenshot(ombudsman, "ouvidoria-concluir-segundo-fator-390")
    ombudsman.set_viewport_size({"width": 1366, "height": 900})
    screenshot(ombudsman, "ouvidoria-concluir-segundo-fator-1366")
    close.get_by_role("button", name="Concluir").click()
    ombudsman.wait_for_url(detail_url)
    expect(ombudsman.locator("dl.paco-facts")).to_contain_text("Concluído")
    screenshot(ombudsman, "ouvidoria-3-closed")

    # the citizen follows it with the secret code and marks it resolved
    follower = browser.new_context(viewport={"width": 390, "height": 844}, locale="pt-BR").new_page()
    follower.goto(f"{base}/ouvidoria/acompanhar/")
    follower.get_by_label("Número do protocolo").fill(nup)
    follower.get_by_label("Código de acompanhamento").fill(code)
    follower.get_by_role("button", name="Acompanhar").click()
    follower.wait_for_url(re.compile(r".*/ouvidoria/acompanhar/\d{17}/$"))
    expect(follower.locator("#prorrogacao")).to_contain_text(
        "Aguardando o relatório da fiscalização.", use_inner_text=True
    )
    expect(follower.locator("#resposta")).to_contain_text("A praça foi limpa", use_inner_text=True)
    rating = _form(follower, "avaliar")
    rating.get_by_label("Sim").check()
    rating.get_by_label("5", exact=True).check()
    rating.get_by_role("button", name="Enviar avaliação").click()
    follower.wait_for_url(re.compile(r".*/ouvidoria/acompanhar/\d{17}/$"))
    expect(follower.locator("#situacao").locator("..")).to_contain_text("resolvida", use_inner_text=True)
    screenshot(follower, "ouvidoria-4-rated")
