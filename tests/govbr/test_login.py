"""Sign-in with gov.br end to end against the local provider (tests/govbr/provider_server.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from paco.encryption import decrypt
from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.govbr.models import GovBrClient, GovBrIdentity

from .conftest import CLIENT_SECRET, DEMO_CPF, NEW_CPF, authorization_request, configure, govbr_sign_in

ARACAJU = "aracaju.localhost"
REFUSED = "Não foi possível entrar com gov.br"


def _client() -> Client:
    return Client(HTTP_HOST=ARACAJU)


def _identities(municipality: Any) -> list[tuple[str, str]]:
    with tenant_context(municipality):
        return list(GovBrIdentity.objects.values_list("cpf", "user__email"))


def test_new_person_signs_in_and_gets_an_account_with_level(aracaju_govbr, provider_server, provider):
    # given a person the city does not know
    client = _client()
    # when they sign in with gov.br
    response = govbr_sign_in(client, provider_server, NEW_CPF)
    # then they are signed in to a new citizen account made from gov.br's data
    assert response.status_code == 302
    assert response["Location"] == "/meus-pedidos/"
    with tenant_context(aracaju_govbr):
        user = User.objects.get(cpf=NEW_CPF)
        assert (user.email, user.full_name, user.phone, user.kind) == (
            "joao.pereira@exemplo.com.br",
            "João Pereira",
            "+5579988887777",
            "citizen",
        )
        assert not user.has_usable_password()
        identity = GovBrIdentity.objects.get(user=user)
        assert identity.reliability_level == "prata"
        assert identity.reliability_read_at is not None
    assert client.get("/meus-pedidos/").status_code == 200
    # and the request carried PKCE S256, state, nonce, the scopes; the token request the verifier
    (endpoint, authorize), (token_endpoint, token) = provider.log
    assert endpoint == "authorize"
    assert token_endpoint == "token"
    assert authorize["code_challenge_method"] == "S256"
    assert authorize["scope"] == "openid email profile govbr_confiabilidades"
    assert authorize["redirect_uri"] == "http://aracaju.localhost/entrar/govbr/retorno/"
    assert len(authorize["state"]) >= 32
    assert len(authorize["nonce"]) >= 32
    assert len(token["code_verifier"]) >= 43


def test_logout_ends_the_govbr_session_too(aracaju_govbr, provider_server, provider):
    client = _client()
    govbr_sign_in(client, provider_server, NEW_CPF)
    response = client.post("/sair/")
    location = urlsplit(response["Location"])
    assert response.status_code == 302
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/logout"
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == ["http://aracaju.localhost/"]
    assert query["id_token_hint"][0].count(".") == 2
    assert client.get("/meus-pedidos/").status_code == 302  # signed out of Paço


def test_existing_account_links_only_after_its_password(aracaju_govbr, provider_server, provider):
    client = _client()
    # the demo citizen has an e-mail account with the same CPF
    response = govbr_sign_in(client, provider_server, DEMO_CPF)
    assert response.status_code == 302
    assert response["Location"] == "/entrar/govbr/vincular/"
    assert client.get("/meus-pedidos/").status_code == 302  # not signed in: never silently merged
    page = client.get("/entrar/govbr/vincular/")
    assert "ci•" in page.content.decode()  # the masked e-mail of the account
    # a wrong password links nothing
    wrong = client.post("/entrar/govbr/vincular/", {"password": "errada-123"})
    assert wrong.status_code == 400
    assert "Senha incorreta. As contas não foram vinculadas." in wrong.content.decode()
    assert _identities(aracaju_govbr) == []
    # the right one links and signs in
    right = client.post("/entrar/govbr/vincular/", {"password": demo.CITIZEN_PASSWORD})
    assert right.status_code == 302
    assert _identities(aracaju_govbr) == [(DEMO_CPF, demo.DEMO_CITIZEN["email"])]
    assert client.get("/meus-pedidos/").status_code == 200
    # afterwards both ways work: gov.br straight in, and e-mail + password
    again = govbr_sign_in(_client(), provider_server, DEMO_CPF)
    assert again.status_code == 302
    assert again["Location"] == "/meus-pedidos/"
    password_client = _client()
    assert (
        password_client.post(
            "/entrar/", {"email": demo.DEMO_CITIZEN["email"], "password": demo.CITIZEN_PASSWORD}
        ).status_code
        == 302
    )
    # the e-mail of the account stays the account's own
    with tenant_context(aracaju_govbr):
        assert User.objects.get(cpf=DEMO_CPF).email == demo.DEMO_CITIZEN["email"]


def test_unlink_keeps_the_account_and_password_login(aracaju_govbr, provider_server, provider):
    client = _client()
    govbr_sign_in(client, provider_server, DEMO_CPF)
    client.post("/entrar/govbr/vincular/", {"password": demo.CITIZEN_PASSWORD})
    page = client.get("/minha-conta/govbr/")
    assert "Bronze" in page.content.decode()
    response = client.post("/minha-conta/govbr/desvincular/")
    assert response.status_code == 302
    assert _identities(aracaju_govbr) == []
    # a new gov.br sign-in asks for the password again
    assert govbr_sign_in(_client(), provider_server, DEMO_CPF)["Location"] == "/entrar/govbr/vincular/"


def test_unlink_refused_for_account_without_password(aracaju_govbr, provider_server, provider):
    client = _client()
    govbr_sign_in(client, provider_server, NEW_CPF)
    response = client.post("/minha-conta/govbr/desvincular/", follow=True)
    assert "Crie uma senha antes de desvincular" in response.content.decode()
    assert [cpf for cpf, _email in _identities(aracaju_govbr)] == [NEW_CPF]


def test_cpf_linked_to_another_account_is_refused(aracaju_govbr, provider_server, provider):
    # NEW_CPF signs in and gets its own account
    govbr_sign_in(_client(), provider_server, NEW_CPF)
    # the demo citizen, signed in with e-mail and password, tries to link NEW_CPF's gov.br account
    client = _client()
    client.post("/entrar/", {"email": demo.DEMO_CITIZEN["email"], "password": demo.CITIZEN_PASSWORD})
    response = govbr_sign_in(client, provider_server, NEW_CPF, start="/entrar/govbr/?vincular=1")
    assert response.status_code == 400
    assert "Este CPF já está vinculado a outra conta desta prefeitura" in response.content.decode()
    assert sorted(cpf for cpf, _email in _identities(aracaju_govbr)) == [NEW_CPF]


def test_wrong_state_is_refused_and_changes_nothing(aracaju_govbr, provider_server, provider):
    client = _client()
    path, query = authorization_request(client, provider_server, NEW_CPF)
    response = client.get(path, {**query, "state": "x" * 43})
    assert response.status_code == 400
    assert "não corresponde a um pedido de entrada em andamento" in response.content.decode()
    with tenant_context(aracaju_govbr):
        assert not User.objects.filter(cpf=NEW_CPF).exists()


def test_replayed_callback_is_refused(aracaju_govbr, provider_server, provider):
    client = _client()
    path, query = authorization_request(client, provider_server, NEW_CPF)
    assert client.get(path, query).status_code == 302
    replay = client.get(path, query)
    assert replay.status_code == 400
    assert "já foi usada" in replay.content.decode()


def test_error_from_provider_is_explained(aracaju_govbr, provider_server, provider):
    client = _client()
    path, query = authorization_request(client, provider_server, "00000000000")  # unknown: access_denied
    response = client.get(path, query)
    assert response.status_code == 400
    assert "O gov.br não autorizou a entrada (access_denied). Nada foi alterado." in response.content.decode()


@pytest.mark.parametrize("mode", ["bad_signature", "wrong_audience", "expired"])
def test_invalid_id_tokens_are_refused(aracaju_govbr, provider_server, provider, mode):
    provider.mode = mode
    client = _client()
    response = govbr_sign_in(client, provider_server, NEW_CPF)
    assert response.status_code == 400
    assert "O gov.br enviou uma identificação inválida ou vencida" in response.content.decode()
    with tenant_context(aracaju_govbr):
        assert not User.objects.filter(cpf=NEW_CPF).exists()
    assert client.get("/meus-pedidos/").status_code == 302


def test_replayed_nonce_is_refused(aracaju_govbr, provider_server, provider):
    govbr_sign_in(_client(), provider_server, NEW_CPF)
    provider.mode = "replay_nonce"  # the next ID token carries the previous authorization's nonce
    client = _client()
    response = govbr_sign_in(client, provider_server, NEW_CPF)
    assert response.status_code == 400
    assert client.get("/meus-pedidos/").status_code == 302


def test_wrong_client_secret_is_refused_by_the_provider(aracaju, provider_server, provider):
    configure(aracaju, provider, secret="outro-segredo")
    response = govbr_sign_in(_client(), provider_server, NEW_CPF)
    assert response.status_code == 400
    assert "recusou o código de autorização" in response.content.decode()


def test_unregistered_redirect_uri_is_refused_by_the_provider(gravatai, provider_server, provider):
    # Gravataí's callback is not registered with this client: the provider answers 400, no code
    configure(gravatai, provider)
    started = Client(HTTP_HOST="gravatai.localhost").get("/entrar/govbr/")
    import requests

    provider_server.next_cpf = NEW_CPF
    assert requests.get(started["Location"], allow_redirects=False, timeout=10).status_code == 400


def test_client_secret_is_encrypted_at_rest(aracaju_govbr):
    with tenant_context(aracaju_govbr):
        stored = GovBrClient.objects.get().client_secret_encrypted
        with connection.cursor() as cursor:
            cursor.execute("SELECT client_secret_encrypted FROM govbr_govbrclient")
            (raw,) = cursor.fetchone()
    assert CLIENT_SECRET not in raw
    assert decrypt(stored) == CLIENT_SECRET


def test_same_cpf_in_another_city_is_another_account(aracaju_govbr, gravatai, provider_server, provider):
    govbr_sign_in(_client(), provider_server, NEW_CPF)
    assert [cpf for cpf, _email in _identities(aracaju_govbr)] == [NEW_CPF]
    assert _identities(gravatai) == []
    with tenant_context(gravatai):
        assert not User.objects.filter(cpf=NEW_CPF).exists()


def test_a_never_activated_signup_with_the_cpf_does_not_block_gov_br(
    aracaju_govbr, provider_server, provider, django_capture_on_commit_callbacks
):
    # given: someone signed up on the web with this person's CPF and never followed the link
    with tenant_context(aracaju_govbr), django_capture_on_commit_callbacks(execute=True):
        response = _client().post(
            "/cadastro/",
            {
                "full_name": "Outra Pessoa",
                "cpf": NEW_CPF,
                "email": "outra.pessoa@exemplo.com.br",
                "password": "Sergipe#2026forte",
                "password_confirmation": "Sergipe#2026forte",
                "consent": "on",
            },
        )
        assert response.status_code == 302
        assert not User.objects.get(cpf=NEW_CPF).is_active
    # when: the owner of the CPF signs in with gov.br
    client = _client()
    response = govbr_sign_in(client, provider_server, NEW_CPF)
    # then: signed in to an account made from gov.br's data; the unconfirmed signup is gone
    assert response["Location"] == "/meus-pedidos/"
    with tenant_context(aracaju_govbr):
        user = User.objects.get(cpf=NEW_CPF)
        assert (user.email, user.is_active) == ("joao.pereira@exemplo.com.br", True)
        assert not User.objects.filter(email="outra.pessoa@exemplo.com.br").exists()
