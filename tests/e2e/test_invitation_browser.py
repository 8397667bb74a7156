"""An invited member of staff opens the e-mailed link in Chromium and creates a password.

The page's address holds the invitation token, so it must never reach another site through the
Referer header; with `Referrer-Policy: no-referrer` Chromium also sent `Origin: null` with the
form's POST, which Django's CSRF check refuses (403): the person could not accept at all.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.accounts.models import User
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PASSWORD = "Convite#Chromium2026"  # noqa: S105 - test credentials


def _invite(email: str) -> str:
    from tenant_apps.accounts.services import staff_invite
    from tenant_apps.org.enums import Role
    from tenant_apps.org.models import OrgUnit

    with _aracaju():
        _invitation, token = staff_invite(
            invited_by=User.objects.get(email="admin@aracaju.se.gov.br"),
            email=email,
            full_name="Servidora Convidada",
            unit=OrgUnit.objects.get(acronym="SEFAZ"),
            role=Role.STAFF,
        )
    return str(token)


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1366, "height": 900}], ids=["390", "1366"])
def test_an_invited_person_creates_a_password_in_chromium(live_url: str, browser: Any, viewport: Any) -> None:
    aracaju = live_url.format(host="aracaju.localhost")
    email = f"convidada-{uuid.uuid4().hex[:8]}@aracaju.se.gov.br"
    token = _in_thread(lambda: _invite(email))
    context = browser.new_context(viewport=viewport, locale="pt-BR")
    page = context.new_page()
    page.set_default_timeout(15000)
    posts: list[dict[str, str]] = []
    page.on("request", lambda request: posts.append(request.headers) if request.method == "POST" else None)
    try:
        # when the person opens the link and chooses a password
        opened = page.goto(f"{aracaju}/convite/{token}/")
        assert opened is not None
        assert opened.status == 200
        assert opened.headers["referrer-policy"] == "same-origin"
        screenshot(page, f"convite-{viewport['width']}")
        page.get_by_label("Crie uma senha").fill(PASSWORD)
        page.get_by_label("Repita a senha").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Criar senha").click()
        assert page.url == f"{aracaju}/staff/entrar/", (posts, page.url, page.content()[:1500])

        # then the password is set and the person is sent to the staff login, told what comes next
        page.wait_for_url(f"{aracaju}/staff/entrar/")
        assert "no primeiro acesso você vai ativar a verificação em duas etapas" in page.content()
        # and the form's POST carried the page's origin (not `null`)
        assert posts
        assert posts[0].get("origin") == aracaju
        with_password = _in_thread(
            lambda: _in_aracaju(lambda: User.objects.get(email=email).check_password(PASSWORD))
        )
        assert with_password
    finally:
        context.close()
        _in_thread(lambda: _in_aracaju(lambda: User.objects.filter(email=email).delete()))


def _aracaju() -> Any:
    from tenants.models import Municipality

    return tenant_context(Municipality.objects.get(schema_name="aracaju"))


def _in_aracaju(function: Any) -> Any:
    with _aracaju():
        return function()
