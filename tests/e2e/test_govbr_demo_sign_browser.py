"""`make demo`'s "Assinar com gov.br" in Chromium, through the demo stand-in of gov.br assinatura
(paco_demo.govbr_sign, clearly labelled): a clerk of Aracaju and one of Gravataí sign a document, the
demo citizen signs her own request on her case page; then the memo and ombudsman forms with the
second-factor field and a memo whose signature is still being made. Pages photographed at 390 and
1366 px."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from paco_demo import cities as demo
from paco_demo.govbr_sign import DEMO_SIGN_CLIENT_ID, DEMO_SIGN_CLIENT_SECRET, DEMO_STAFF_CPFS, DemoSignChain
from tenant_apps.accounts.models import User
from tenant_apps.org.models import OrgUnit
from tenant_apps.signatures.models import Signature
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _both_widths(page: Any, name: str) -> None:
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-1366")


@pytest.fixture
def stand_in(live_url: Any, settings: Any, tmp_path: Any) -> str:
    control = live_url.format(host="localhost")
    chain = DemoSignChain(tmp_path / "demo-govbr-assinatura")
    chain.ensure()
    settings.GOVBR_SIGN_DEMO_STANDIN = True
    settings.GOVBR_SIGN_DEMO_DIR = str(chain.folder)
    settings.GOVBR_SIGN_CLIENT_ID = DEMO_SIGN_CLIENT_ID
    settings.GOVBR_SIGN_CLIENT_SECRET = DEMO_SIGN_CLIENT_SECRET
    settings.GOVBR_SIGN_OAUTH_URL = f"{control}/demo-govbr-assinatura/oauth2.0"
    settings.GOVBR_SIGN_API_URL = f"{control}/demo-govbr-assinatura/externo/v2"
    settings.GOVBR_SIGN_ROOTS = [str(chain.root_path)]
    return control


def _staff_document(municipality: Any, slug: str, tag: str) -> int:
    from tenant_apps.documents.services import document_create

    def create() -> int:
        with tenant_context(municipality):
            email = demo.DEMO_STAFF[slug]["email"]
            clerk = User.objects.get(email=email)
            clerk.cpf = DEMO_STAFF_CPFS[email]
            clerk.save(update_fields=["cpf"])
            unit = OrgUnit.objects.get(acronym=demo.DEMO_STAFF[slug]["unit"])
            return document_create(
                kind="OFIC", unit=unit, title=f"Ofício gov.br {tag}", body="Texto.", author=clerk
            ).pk

    return int(_in_thread(create))


@pytest.mark.parametrize("slug", ["aracaju", "gravatai"])
def test_staff_of_each_city_sign_with_the_demo_govbr(
    slug: str, live_url: Any, browser: Any, stand_in: str, request: Any
) -> None:
    municipality = request.getfixturevalue(slug)
    base = live_url.format(host=f"{slug}.localhost")
    document_id = _staff_document(municipality, slug, uuid.uuid4().hex[:5].upper())
    page = browser.new_context(viewport=DESKTOP, locale="pt-BR").new_page()
    staff_login(page, base, demo.DEMO_STAFF[slug]["email"])

    page.goto(f"{base}/staff/documentos/{document_id}/assinar/")
    page.get_by_role("button", name="Assinar com gov.br").click()
    page.wait_for_url(re.compile(r".*/demo-govbr-assinatura/oauth2.0/authorize\?.*"))
    expect(page.locator("main")).to_contain_text("não é o gov.br", use_inner_text=True)
    if slug == "aracaju":
        _both_widths(page, "govbr-demo-assinatura-autorizar")
    page.get_by_label(re.compile(demo.DEMO_STAFF[slug]["full_name"])).check()
    page.get_by_role("button", name="Autorizar assinatura").click()
    page.get_by_text("1 documento(s) assinado(s) com gov.br (assinatura avançada).").wait_for()
    if slug == "aracaju":
        _both_widths(page, "govbr-demo-assinado")

    def signed() -> list[str]:
        with tenant_context(municipality):
            return list(Signature.objects.filter(document_id=document_id).values_list("level", flat=True))

    assert _in_thread(signed) == ["avancada"]


def test_the_citizen_signs_her_request_with_the_demo_govbr(
    live_url: Any, phone: Any, aracaju: Any, stand_in: str
) -> None:
    from tenant_apps.cases.services import case_open
    from tests.factories import ServiceFactory

    def create() -> tuple[str, int]:
        with tenant_context(aracaju):
            citizen = User.objects.get(email=demo.DEMO_CITIZEN["email"])
            service = ServiceFactory(
                unit=OrgUnit.objects.get(acronym="SEPLOG-PROT"), name="Declaração de residência"
            )
            case = case_open(
                service=service,
                opened_by=citizen,
                citizen=citizen,
                form_data={"endereco": "Rua das Flores, 100"},
                subject="Declaro que resido no endereço informado",
                notify_citizen=False,
                notify_unit=False,
            )
            document = case.case_documents.get(document__kind="REQ").document
            return "".join(ch for ch in case.nup if ch.isdigit()), document.pk

    nup, document_id = _in_thread(create)
    base = live_url.format(host="aracaju.localhost")
    phone.goto(f"{base}/entrar/")
    phone.get_by_label("E-mail").fill(demo.DEMO_CITIZEN["email"])
    phone.get_by_label("Senha").fill(demo.CITIZEN_PASSWORD)
    phone.get_by_role("button", name="Entrar").click()
    phone.wait_for_url(f"{base}/meus-pedidos/")

    phone.goto(f"{base}/protocolos/{nup}/")
    phone.locator("#titulo-documentos").scroll_into_view_if_needed()
    _both_widths(phone, "govbr-cidadao-protocolo")
    phone.get_by_role("button", name="Assinar com gov.br").click()
    phone.get_by_label(re.compile(demo.DEMO_CITIZEN["full_name"])).check()
    phone.get_by_role("button", name="Autorizar assinatura").click()
    phone.get_by_text("Documento assinado com gov.br (assinatura avançada).").wait_for()
    expect(phone.locator("main")).to_contain_text("Assinado por você com gov.br", use_inner_text=True)
    _both_widths(phone, "govbr-cidadao-assinado")

    def signer() -> list[str]:
        with tenant_context(aracaju):
            return list(
                Signature.objects.filter(document_id=document_id).values_list("signer__email", flat=True)
            )

    assert _in_thread(signer) == [demo.DEMO_CITIZEN["email"]]


def test_a_memo_is_sent_at_once_and_its_reply_takes_the_second_factor(
    live_url: Any, browser: Any, aracaju: Any
) -> None:
    from tenant_apps.comms.services import memo_send
    from tests.e2e.helpers import totp_code

    email = demo.DEMO_STAFF["aracaju"]["email"]

    def create() -> tuple[int, str]:
        with tenant_context(aracaju):
            memo = memo_send(
                author=User.objects.get(email=email),
                sender_unit=OrgUnit.objects.get(acronym="SEPLOG-PROT"),
                subject=f"Memorando em processamento {uuid.uuid4().hex[:4]}",
                body="O PDF assinado deste memorando é feito por um job depois do envio.",
                to_units=[OrgUnit.objects.get(acronym="EMSURB")],
            )
            return memo.pk, memo.document.verification_code

    memo_id, code = _in_thread(create)
    base = live_url.format(host="aracaju.localhost")
    page = browser.new_context(viewport=DESKTOP, locale="pt-BR").new_page()
    staff_login(page, base, email)

    # no worker runs here: the memo is there at once, its signature "em processamento"
    page.goto(f"{base}/staff/memorandos/{memo_id}/")
    expect(page.locator("main")).to_contain_text("Assinatura em processamento", use_inner_text=True)
    page.get_by_text("Responder", exact=True).click()
    page.get_by_text("Encaminhar", exact=True).first.click()
    _both_widths(page, "memorando-em-processamento-segundo-fator")
    page.goto(f"{base}/verificar/{code}/")
    expect(page.locator("main")).to_contain_text("Assinatura em processamento", use_inner_text=True)
    _both_widths(page, "verificar-em-processamento")

    page.goto(f"{base}/staff/memorandos/{memo_id}/")
    page.get_by_text("Responder", exact=True).click()
    reply = page.locator("form", has=page.get_by_role("button", name="Assinar e responder"))
    reply.get_by_label("Resposta").fill("Recebido; a EMSURB responde amanhã.")
    reply.get_by_label(re.compile("Código do segundo fator")).fill(totp_code("aracaju", email))
    reply.get_by_role("button", name="Assinar e responder").click()
    page.get_by_text(re.compile(r"Resposta MEMO \d+/\d{4} - \S+ enviada\.")).wait_for()

    def levels() -> list[str]:
        from tenant_apps.signatures.models import SignatureRequest

        with tenant_context(aracaju):
            return list(
                SignatureRequest.objects.filter(document__memo__parent_id=memo_id).values_list(
                    "level", flat=True
                )
            )

    assert _in_thread(levels) == ["avancada"]
