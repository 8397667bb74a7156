from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.test import Client
from django_tenants.utils import tenant_context

from paco_demo.govbr_provider import Account, OpenIdProvider
from tenant_apps.govbr.services import govbr_client_save
from tests.govbr.provider_server import ProviderServer

CLIENT_ID = "paco-aracaju-teste"
CLIENT_SECRET = "s3gredo-do-cliente/com:caracteres&especiais"
NEW_CPF = "11144477735"  # a person the city does not know yet
DEMO_CPF = "52998224725"  # the demo citizen's CPF (an e-mail account in both cities)
REDIRECT_URIS = ["http://aracaju.localhost/entrar/govbr/retorno/"]


@pytest.fixture(scope="session")
def provider_server() -> Iterator[ProviderServer]:
    provider = OpenIdProvider(
        issuer="",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=list(REDIRECT_URIS),
        accounts={
            NEW_CPF: Account(
                NEW_CPF, "João Pereira", "joao.pereira@exemplo.com.br", "+5579988887777", ("bronze", "prata")
            ),
            DEMO_CPF: Account(
                DEMO_CPF, "Maria da Silva Santos", "maria.govbr@exemplo.com.br", "", ("bronze",)
            ),
        },
    )
    server = ProviderServer(provider).start()
    provider.issuer = f"http://127.0.0.1:{server.port}"
    yield server
    server.stop()


@pytest.fixture
def provider(provider_server: ProviderServer) -> Iterator[OpenIdProvider]:
    provider = provider_server.provider
    provider.mode = ""
    provider.log.clear()
    provider.sessions_ended.clear()
    provider.redirect_uris[:] = REDIRECT_URIS
    yield provider
    provider.mode = ""


def configure(municipality: Any, provider: OpenIdProvider, *, secret: str = CLIENT_SECRET) -> None:
    with tenant_context(municipality):
        govbr_client_save(enabled=True, issuer=provider.issuer, client_id=CLIENT_ID, client_secret=secret)


@pytest.fixture
def aracaju_govbr(aracaju: Any, provider: OpenIdProvider) -> Any:
    configure(aracaju, provider)
    return aracaju


def govbr_sign_in(client: Client, server: ProviderServer, cpf: str, *, start: str = "/entrar/govbr/") -> Any:
    """Start at Paço, sign in at the provider as `cpf`, come back: the callback's response."""
    started = client.get(start)
    assert started.status_code == 302, started.content[:300]
    server.next_cpf = cpf
    at_provider = requests.get(started["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    return client.get(back.path, dict(parse_qsl(back.query)))


def authorization_request(client: Client, server: ProviderServer, cpf: str) -> tuple[str, dict[str, str]]:
    """Start and sign in at the provider, but do not come back yet: (callback path, its query)."""
    started = client.get("/entrar/govbr/")
    server.next_cpf = cpf
    at_provider = requests.get(started["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["Location"])
    return back.path, dict(parse_qsl(back.query))
