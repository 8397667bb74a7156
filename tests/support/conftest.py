"""Vendor support tests: the Stripe stub of tests/billing, and helpers to run a support session."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.test import Client

from shared_apps.support.models import SupportSession
from tests.billing.conftest import _stripe_server, stripe_server  # noqa: F401
from tests.conftest import client_for

STAFF_EMAIL = "servidor@aracaju.se.gov.br"
ADMIN_EMAIL = "admin@aracaju.se.gov.br"
REASON = "Servidor relata que a caixa de entrada não carrega."


def support_client() -> Client:
    return client_for("support", None)


def session_request(support: Client, municipality: Any, **overrides: Any) -> Any:
    data = {"target_email": STAFF_EMAIL, "reason": REASON, "minutes": 30, **overrides}
    return support.post(f"/suporte/municipios/{municipality.pk}/sessoes/", data)


def approved_session(
    municipality: Any, *, target_email: str = STAFF_EMAIL, minutes: int = 30
) -> SupportSession:
    """A session support asked for and the city's admin approved (through the pages)."""
    support = support_client()
    response = session_request(support, municipality, target_email=target_email, minutes=minutes)
    assert response.status_code == 302, response.content.decode()
    session = SupportSession.objects.filter(municipality=municipality).latest("id")
    admin = client_for("admin", municipality)
    assert admin.post(f"/admin-municipal/suporte/sessoes/{session.pk}/aprovar/").status_code == 302
    session.refresh_from_db()
    return session


def handoff_path(municipality: Any, session: SupportSession) -> str:
    """Support clicks "Entrar": the path of the one-time link on the city's host."""
    response = support_client().post(f"/suporte/municipios/{municipality.pk}/sessoes/{session.pk}/entrar/")
    assert response.status_code == 302, response.content.decode()
    location = urlparse(response["Location"])
    assert location.hostname == f"{municipality.slug}.localhost"
    return location.path


def entered_client(municipality: Any, **kwargs: Any) -> tuple[Client, SupportSession]:
    """A browser of support inside the city, through the whole flow."""
    session = approved_session(municipality, **kwargs)
    browser = Client(HTTP_HOST=f"{municipality.slug}.localhost")
    response = browser.get(handoff_path(municipality, session))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/staff/"
    session.refresh_from_db()
    return browser, session
