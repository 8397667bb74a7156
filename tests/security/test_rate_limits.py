"""Issue 10, finding 2 (and the login part of 8): rate limits per person, token and address; a
Portuguese 429 with Retry-After. The production rates are used here (the test settings relax them
for the rest of the suite)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from rest_framework.authtoken.models import Token

from paco.settings import security as production
from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case
from tests.conftest import client_for

ARACAJU = "aracaju.localhost"
CASE = {"service": "poda-de-arvore", "form_data": {"endereco": "Rua Laranjeiras, 100", "motivo": "Outro"}}


@pytest.fixture
def production_rates(settings):
    settings.API_THROTTLE_RATES = dict(production.API_THROTTLE_RATES)
    settings.FORM_RATE_LIMITS = dict(production.FORM_RATE_LIMITS)
    settings.LOGIN_ADDRESS_FAILURE_RATE = production.LOGIN_ADDRESS_FAILURE_RATE


def test_a_citizen_opening_cases_in_a_loop_gets_a_portuguese_429_after_the_write_limit(
    aracaju, production_rates
):
    client = client_for("citizen", aracaju)
    limit = int(production.API_THROTTLE_RATES["write"].split("/")[0])
    with tenant_context(aracaju):
        before = Case.objects.count()

    statuses = [
        client.post("/api/v1/cases/", CASE, content_type="application/json").status_code
        for _ in range(limit + 3)
    ]

    rate = production.API_THROTTLE_RATES["write"]
    print(f"\nPOST /api/v1/cases/: {statuses.count(201)} x 201 then 429 (rate {rate})")  # noqa: T201
    assert statuses == [201] * limit + [429] * 3
    refused = client.post("/api/v1/cases/", CASE, content_type="application/json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("Muitas requisições em pouco tempo. Tente de novo em")
    with tenant_context(aracaju):
        assert Case.objects.count() == before + limit


def test_the_limit_is_per_city(aracaju, gravatai, settings):
    settings.API_THROTTLE_RATES = {**production.API_THROTTLE_RATES, "user": "3/min"}
    aracaju_client = client_for("citizen", aracaju)
    gravatai_client = client_for("citizen", gravatai)

    aracaju_statuses = [aracaju_client.get("/api/v1/cases/").status_code for _ in range(4)]
    gravatai_status = gravatai_client.get("/api/v1/cases/").status_code

    assert aracaju_statuses == [200, 200, 200, 429]
    assert gravatai_status == 200


def test_a_token_and_an_address_have_their_own_budget(aracaju, settings):
    settings.API_THROTTLE_RATES = {**production.API_THROTTLE_RATES, "token": "2/min", "address": "5/min"}
    with tenant_context(aracaju):
        token, _ = Token.objects.get_or_create(user=User.objects.get(email="cidadao@exemplo.com.br"))
    by_token = Client(HTTP_HOST=ARACAJU, HTTP_AUTHORIZATION=f"Token {token.key}")
    anonymous = Client(HTTP_HOST=ARACAJU, REMOTE_ADDR="203.0.113.9")

    token_statuses = [by_token.get("/api/v1/cases/").status_code for _ in range(3)]
    anonymous_statuses = [anonymous.get("/api/v1/services/").status_code for _ in range(6)]

    assert token_statuses == [200, 200, 429]
    assert anonymous_statuses[-1] == 429
    assert Client(HTTP_HOST=ARACAJU, REMOTE_ADDR="203.0.113.10").get("/api/v1/services/").status_code != 429


def test_the_case_form_and_signup_form_answer_429_with_retry_after(aracaju, production_rates):
    citizen = client_for("citizen", aracaju)
    limit = int(production.FORM_RATE_LIMITS["case_open"].split("/")[0])
    statuses = [citizen.post("/servicos/poda-de-arvore/", {}).status_code for _ in range(limit + 1)]
    assert statuses[-1] == 429
    assert 429 not in statuses[:-1]

    anonymous = Client(HTTP_HOST=ARACAJU, REMOTE_ADDR="198.51.100.7")
    signup_limit = int(production.FORM_RATE_LIMITS["signup"].split("/")[0])
    signups = [anonymous.post("/cadastro/", {}).status_code for _ in range(signup_limit + 1)]
    assert signups == [400] * signup_limit + [429]
    refused = anonymous.post("/cadastro/", {})
    assert int(refused["Retry-After"]) > 0
    assert "Muitas tentativas em pouco tempo" in refused.content.decode()


def test_password_spraying_across_accounts_from_one_address_is_stopped(aracaju, production_rates):
    limit = int(production.LOGIN_ADDRESS_FAILURE_RATE.split("/")[0])
    client = Client(HTTP_HOST=ARACAJU, REMOTE_ADDR="192.0.2.44")

    statuses = [
        client.post(
            "/entrar/", {"email": f"pessoa{n}@exemplo.com.br", "password": "Senha-Errada-1"}
        ).status_code
        for n in range(limit + 2)
    ]

    print(f"\nlogin failures from one address: {statuses.count(400)} x 400 then 429")  # noqa: T201
    assert statuses == [400] * limit + [429] * 2
    # another address is not affected
    other = Client(HTTP_HOST=ARACAJU, REMOTE_ADDR="192.0.2.45")
    assert other.post("/entrar/", {"email": "x@exemplo.com.br", "password": "y"}).status_code == 400
