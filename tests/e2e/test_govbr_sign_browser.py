"""gov.br assinatura in Chromium, against the local fake signing service: the clerk chooses "Assinar
com gov.br" on a document, is sent to the (fake) authorisation, comes back signed; a bronze account
lands on the page that tells how to raise its level. Pages photographed at 390 and 1366 px."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.org.models import OrgUnit
from tenant_apps.signatures.models import Signature
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login
from tests.signatures.conftest import CLERK_CPF, icp_settings, test_pki  # noqa: F401
from tests.signatures.test_govbr import CLIENT_ID, CLIENT_SECRET, govbr_server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
CLERK_EMAIL = demo.DEMO_STAFF["aracaju"]["email"]


def _both_widths(page: Any, name: str) -> None:
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-1366")


def _documents(aracaju: Any, tag: str) -> list[int]:
    from tenant_apps.documents.services import document_create

    def create() -> list[int]:
        with tenant_context(aracaju):
            clerk = User.objects.get(email=CLERK_EMAIL)
            clerk.cpf = CLERK_CPF
            clerk.save(update_fields=["cpf"])
            unit = OrgUnit.objects.get(acronym=demo.DEMO_STAFF["aracaju"]["unit"])
            return [
                document_create(
                    kind="OFIC", unit=unit, title=f"Ofício gov.br {tag} {n}", body="Texto.", author=clerk
                ).pk
                for n in (1, 2)
            ]

    return list(_in_thread(create))


def test_sign_with_govbr_and_the_bronze_page(
    live_url: Any,
    browser: Any,
    aracaju: Any,
    settings: Any,
    govbr_server: Any,  # noqa: F811 - the imported fixture
) -> None:
    base_url, handler = govbr_server
    settings.GOVBR_SIGN_CLIENT_ID = CLIENT_ID
    settings.GOVBR_SIGN_CLIENT_SECRET = CLIENT_SECRET
    settings.GOVBR_SIGN_OAUTH_URL = f"{base_url}/oauth2.0"
    settings.GOVBR_SIGN_API_URL = f"{base_url}/externo/v2"
    base = live_url.format(host="aracaju.localhost")
    signed_id, bronze_id = _documents(aracaju, uuid.uuid4().hex[:5].upper())
    page = browser.new_context(viewport=DESKTOP, locale="pt-BR").new_page()
    staff_login(page, base, CLERK_EMAIL)

    handler.authorize_code = "codigo-prata"
    page.goto(f"{base}/staff/documentos/{signed_id}/assinar/")
    _both_widths(page, "govbr-documento")
    page.get_by_role("button", name="Assinar com gov.br").click()
    page.get_by_text("1 documento(s) assinado(s) com gov.br (assinatura avançada).").wait_for()
    _both_widths(page, "govbr-assinado")

    handler.authorize_code = "codigo-bronze"
    page.goto(f"{base}/staff/documentos/{bronze_id}/assinar/")
    page.get_by_role("button", name="Assinar com gov.br").click()
    page.get_by_role("heading", name="Eleve o nível da sua conta gov.br").wait_for()
    _both_widths(page, "govbr-bronze")

    def levels() -> list[tuple[int, str]]:
        with tenant_context(aracaju):
            return list(
                Signature.objects.filter(document_id__in=[signed_id, bronze_id]).values_list(
                    "document_id", "level"
                )
            )

    assert _in_thread(levels) == [(signed_id, "avancada")]
