"""Templates and signatures end to end in Chromium: the admin builds a template with three merge
fields and previews it on a case; the clerk generates an ofício on the case and puts it in a block
for two signers; the first signs (advanced, second factor), the second (qualified, a test A1 file);
a citizen verifies the code at /verificar/ and downloads the PDF; pyHanko validates both signatures.

Pages are photographed at 390 and 1366 px (test-artifacts/). The live server commits, so the case,
the CPF and the share are written on a thread of their own.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.cases.models import CaseShare
from tenant_apps.cases.services import case_open
from tenant_apps.documents.models import Document
from tenant_apps.org.models import OrgUnit
from tenant_apps.signatures import pades
from tenant_apps.signatures.selectors import trust_roots
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login, totp_code
from tests.factories import ServiceFactory
from tests.signatures.conftest import A1_PASSWORD, MANAGER_CPF, icp_settings, test_pki  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ADMIN_EMAIL = "admin@aracaju.se.gov.br"
CLERK_EMAIL = demo.DEMO_STAFF["aracaju"]["email"]
MANAGER_EMAIL = "gestor@aracaju.gov.br"


def _login(page: Any, base: str, email: str) -> None:
    staff_login(page, base, email)


def _both_widths(page: Any, name: str) -> None:
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-1366")


def _only_block(page: Any, tag: str) -> None:
    """Leave only this test's block marked: other browser tests (the accessibility sweep's data)
    may have left blocks waiting for the same people in the demo city, and "Assinar todos os
    marcados" would sign them too (CI saw "2 documento(s) assinado(s).")."""
    for box in page.locator("input[name=blocks]").all():
        box.uncheck(force=True)
    page.get_by_label(re.compile(rf"^Bloco {tag} — ")).check(force=True)


def _signed(page: Any, who: str) -> None:
    """The signing request renders, signs and (qualified) timestamps and validates the PDF in the
    request: seconds alone, far more on a loaded CI machine, hence the long wait. On failure the
    page's own words say why (an error message instead of the success one)."""
    started = time.monotonic()
    try:
        page.get_by_text("1 documento(s) assinado(s).").wait_for(timeout=180_000)
    except Exception as error:
        screenshot(page, f"assinar-{who}-falhou")
        raise AssertionError(f"{who} could not sign: {page.locator('main').inner_text()[:3000]}") from error
    print(f"{who} signed in {time.monotonic() - started:.1f} s")


def _setup(aracaju: Any, tag: str) -> str:
    def create() -> str:
        with tenant_context(aracaju):
            unit = OrgUnit.objects.get(acronym=demo.DEMO_STAFF["aracaju"]["unit"])
            clerk = User.objects.get(email=CLERK_EMAIL)
            manager = User.objects.get(email=MANAGER_EMAIL)
            manager.cpf = MANAGER_CPF
            manager.save(update_fields=["cpf"])
            service = ServiceFactory(
                unit=unit, name=f"Alvará de obra {tag}", code=f"alvara-obra-{tag.lower()}"
            )
            case = case_open(
                service=service,
                opened_by=clerk,
                citizen=User.objects.get(email=demo.DEMO_CITIZEN["email"]),
                form_data={"endereco": "Rua do Teste, 1"},
                subject=f"Obra {tag}",
                notify_citizen=False,
                notify_unit=False,
            )
            CaseShare.objects.create(case=case, user=User.objects.get(email=ADMIN_EMAIL), shared_by=clerk)
            return case.nup

    return str(_in_thread(create))


def _template_body(aracaju: Any, name: str) -> str:
    from tenant_apps.doctemplates.models import DocumentTemplate

    with tenant_context(aracaju):
        template = DocumentTemplate.objects.get(name=name)
        return str(template.versions.order_by("-number").first().body)  # type: ignore[union-attr]


def test_template_block_advanced_and_qualified_signatures_and_public_verification(
    live_url: Any,
    browser: Any,
    aracaju: Any,
    test_pki: Any,  # noqa: F811 - the imported fixture
    tmp_path: Any,
) -> None:
    base = live_url.format(host="aracaju.localhost")
    tag = uuid.uuid4().hex[:5].upper()
    nup = _setup(aracaju, tag)
    pfx = tmp_path / "gestor.p12"
    pfx.write_bytes(test_pki.manager_a1)

    # the admin builds a template with three merge fields and previews it on the case
    admin = browser.new_context(viewport=DESKTOP, locale="pt-BR").new_page()
    _login(admin, base, ADMIN_EMAIL)
    admin.goto(f"{base}/admin-municipal/modelos/novo/")
    admin.get_by_label("Nome do modelo").fill(f"Ofício {tag}")
    admin.get_by_label("Espécie").select_option("OFIC")
    # the rich-text editor (Quill): bold from the toolbar, merge fields picked from the list
    editor = admin.get_by_role("textbox", name="Texto")
    editor.click()
    admin.get_by_role("button", name="Negrito").click()
    admin.keyboard.type("Processo")
    admin.get_by_role("button", name="Negrito").click()
    admin.keyboard.type(" ")

    def merge_field(key: str) -> None:
        admin.get_by_label("Inserir campo").select_option(key)
        admin.get_by_role("button", name="Inserir", exact=True).click()

    merge_field("caso.nup")
    admin.keyboard.type(" de ")
    merge_field("requerente.nome")
    admin.keyboard.type(".")
    admin.keyboard.press("Enter")
    merge_field("municipio.nome")
    admin.keyboard.type(", ")
    merge_field("data.hoje_extenso")
    admin.keyboard.type(".")
    _both_widths(admin, "modelo-novo-editor")
    admin.get_by_text("Publicado (os servidores já podem usar)").click()
    admin.get_by_role("button", name="Salvar", exact=True).click()
    admin.wait_for_url(re.compile(r".*/admin-municipal/modelos/\d+/$"))
    saved = _in_thread(lambda: _template_body(aracaju, f"Ofício {tag}"))
    assert saved == (
        "<p><strong>Processo</strong> {{ caso.nup }} de {{ requerente.nome }}.</p>"
        "<p>{{ municipio.nome }}, {{ data.hoje_extenso }}.</p>"
    )
    _both_widths(admin, "modelo-editar")
    admin.get_by_label("NUP de um processo").fill(nup)
    admin.get_by_role("button", name="Ver prévia").click()
    admin.get_by_text(f"Processo {nup} de Maria da Silva Santos.").wait_for()
    _both_widths(admin, "modelo-previa")

    # the clerk generates the ofício and puts it in a block for two signers
    clerk = browser.new_context(viewport=DESKTOP, locale="pt-BR").new_page()
    _login(clerk, base, CLERK_EMAIL)
    clerk.goto(f"{base}/staff/modelos/gerar/?nup={nup}")
    clerk.get_by_label("Modelo").select_option(label=f"Ofício · Ofício {tag}")
    clerk.get_by_role("button", name="Gerar documento").click()
    clerk.wait_for_url(re.compile(r".*/staff/documentos/\d+/assinar/$"))
    _both_widths(clerk, "documento-assinar")
    number = clerk.locator("h1").inner_text().removeprefix("Assinar ")
    clerk.goto(f"{base}/staff/assinaturas/blocos/novo/")
    clerk.get_by_label("Título do bloco").fill(f"Bloco {tag}")
    # documents and signers are checkbox lists of the form layer (no native multiple select)
    documents = clerk.get_by_role("group", name="Documentos")
    documents.get_by_label(f"{number} — Ofício {tag} — {nup}", exact=True).check()
    signers = clerk.get_by_role("group", name="Signatários")
    for name in ("Sérgio Servidor", "Gestor Sigiloso de aracaju"):
        signers.get_by_label(name, exact=True).check()
    # in parallel: the checked signers are sent in page order, not in the order they were checked
    _both_widths(clerk, "bloco-novo")
    clerk.get_by_role("button", name="Criar bloco").click()
    clerk.wait_for_url(re.compile(r".*/staff/assinaturas/blocos/\d+/$"))
    _both_widths(clerk, "bloco")

    # the first signer (the clerk) signs from the pending list with the second factor
    clerk.goto(f"{base}/staff/assinaturas/")
    clerk.get_by_label("Código do segundo fator").fill(totp_code("aracaju", CLERK_EMAIL))
    _only_block(clerk, tag)
    _both_widths(clerk, "pendentes")
    clerk.get_by_role("button", name="Assinar todos os marcados").click()
    _signed(clerk, "clerk")

    # the second (the manager) signs qualified with a test A1 file
    manager = browser.new_context(viewport=DESKTOP, locale="pt-BR").new_page()
    _login(manager, base, MANAGER_EMAIL)
    manager.goto(f"{base}/staff/assinaturas/")
    manager.get_by_label("Certificado A1 (blocos qualificados)").set_input_files(str(pfx))
    manager.get_by_label("Senha do certificado").fill(A1_PASSWORD)
    _only_block(manager, tag)
    manager.get_by_role("button", name="Assinar todos os marcados").click()
    _signed(manager, "manager")

    # a citizen verifies the code and downloads the signed PDF
    with tenant_context(aracaju):
        verification_code = Document.objects.get(title__startswith=f"Ofício {tag}").verification_code
    citizen = browser.new_context(viewport=PHONE, locale="pt-BR", is_mobile=True).new_page()
    citizen.goto(f"{base}/verificar/{verification_code}/")
    citizen.get_by_text("2 assinaturas válidas.").wait_for()
    _both_widths(citizen, "verificar")
    href = citizen.get_by_role("link", name="Baixar o PDF assinado").get_attribute("href")
    assert href == f"/verificar/{verification_code}/assinado.pdf"
    # fetched by the page itself (the browser resolves *.localhost; Playwright's API client does not)
    fetched = citizen.evaluate(
        """async (url) => { const r = await fetch(url);
            return [r.headers.get("content-type"), Array.from(new Uint8Array(await r.arrayBuffer()))]; }""",
        href,
    )
    assert fetched[0] == "application/pdf"
    data = bytes(fetched[1])

    def validate() -> list[Any]:
        # on a thread of its own: pyHanko runs asyncio, and Playwright's loop owns this thread
        with tenant_context(aracaju):
            return pades.pdf_validate(pdf=data, trust_roots=trust_roots())

    reports = _in_thread(validate)
    assert [(report.ok, report.is_certification) for report in reports] == [(True, True), (True, False)]
