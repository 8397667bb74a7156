"""API credentials: per-city tokens, the second factor for staff, and issuing tokens."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context, tenant_context
from rest_framework.authtoken.models import Token
from rest_framework.test import APIRequestFactory

from paco.errors import ApplicationError
from paco_demo import cities as demo
from tenant_apps.accounts.api_auth import TenantTokenAuthentication
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import api_token_issue
from tests.api.conftest import case_state, session_client, token_client

NO_CREDENTIALS = {"detail": "As credenciais de autenticação não foram fornecidas."}
STAFF_ONLY = {"detail": "Esta operação é só para servidores com a verificação em duas etapas concluída."}
CITIZEN_OR_VERIFIED_STAFF = {
    "detail": "Entre como cidadão, ou como servidor com a verificação em duas etapas concluída."
}


def test_no_credentials_is_401_with_a_token_challenge(aracaju, case, digits):
    client = Client(HTTP_HOST="aracaju.localhost")

    response = client.get("/api/v1/cases/")
    refused = client.post(f"/api/v1/cases/{digits}/forward/", {"to_unit": "SEMA"})

    assert (response.status_code, response.json(), response["WWW-Authenticate"]) == (
        401,
        NO_CREDENTIALS,
        "Token",
    )
    assert (refused.status_code, refused.json()) == (401, NO_CREDENTIALS)


def test_a_gravatai_token_means_nothing_on_aracajus_host(aracaju, gravatai, case, digits):
    # the same demo citizen (same e-mail) has an account in each city: two accounts, two schemas
    with tenant_context(gravatai):
        gravatai_citizen = User.objects.get(email=demo.DEMO_CITIZEN["email"])
    gravatai_token = token_client(gravatai_citizen, gravatai)
    aracaju_case_state = case_state(case)

    own_city = gravatai_token.get("/api/v1/cases/")
    other_city = gravatai_token.get("/api/v1/cases/", HTTP_HOST="aracaju.localhost")
    other_city_case = gravatai_token.get(f"/api/v1/cases/{digits}/", HTTP_HOST="aracaju.localhost")
    other_city_answer = gravatai_token.post(
        f"/api/v1/cases/{digits}/answer/", {"answer": "Oi"}, HTTP_HOST="aracaju.localhost"
    )

    assert own_city.status_code == 200
    assert (other_city.status_code, other_city.json()) == (401, {"detail": "Token inválido."})
    assert other_city_case.status_code == other_city_answer.status_code == 401
    assert case_state(case) == aracaju_case_state


def test_a_citizen_token_works_like_their_session(aracaju, citizen, case, digits):
    by_token = token_client(citizen, aracaju).get(f"/api/v1/cases/{digits}/")

    assert by_token.status_code == 200
    assert by_token.json() == session_client(citizen, aracaju).get(f"/api/v1/cases/{digits}/").json()


def test_a_staff_session_without_the_second_factor_is_refused(aracaju, unit_staff, case, digits):
    half_logged_in = session_client(unit_staff, aracaju, verified=False)
    before = case_state(case)

    listing = half_logged_in.get("/api/v1/cases/?unidade=EMSURB")
    detail = half_logged_in.get(f"/api/v1/cases/{digits}/")
    forward = half_logged_in.post(f"/api/v1/cases/{digits}/forward/", {"to_unit": "SEMA"})

    assert (listing.status_code, listing.json()) == (403, CITIZEN_OR_VERIFIED_STAFF)
    assert (detail.status_code, detail.json()) == (403, CITIZEN_OR_VERIFIED_STAFF)
    assert (forward.status_code, forward.json()) == (403, STAFF_ONLY)
    assert case_state(case) == before


def test_a_staff_token_works_only_while_the_second_factor_is_in_place(aracaju, unit_staff, case, digits):
    client = token_client(unit_staff, aracaju)

    forwarded = client.post(f"/api/v1/cases/{digits}/dispatch/", {"text": "Vistoria marcada."})
    TOTPDevice.objects.filter(user=unit_staff).delete()
    before = case_state(case)
    refused = client.post(f"/api/v1/cases/{digits}/dispatch/", {"text": "De novo."})

    assert forwarded.status_code == 200
    assert (refused.status_code, refused.json()) == (403, STAFF_ONLY)
    assert case_state(case) == before


def test_tokens_are_issued_to_citizens_and_to_staff_with_a_confirmed_second_factor(
    aracaju, citizen, unit_staff
):
    no_device = User.objects.create_user(
        "novato@aracaju.se.gov.br", "x", full_name="Novato", kind=UserKind.STAFF
    )
    TOTPDevice.objects.create(user=no_device, name="default", confirmed=False)

    citizen_token = api_token_issue(user=citizen)
    staff_token = api_token_issue(user=unit_staff)
    with pytest.raises(ApplicationError, match="depois de ativar a verificação em duas etapas"):
        api_token_issue(user=no_device)

    assert len(citizen_token.key) == len(staff_token.key) == 40
    assert not Token.objects.filter(user=no_device).exists()


def test_issuing_again_revokes_the_previous_token(aracaju, citizen):
    old = api_token_issue(user=citizen).key
    new = api_token_issue(user=citizen).key

    old_client = Client(HTTP_HOST="aracaju.localhost", HTTP_AUTHORIZATION=f"Token {old}")
    new_client = Client(HTTP_HOST="aracaju.localhost", HTTP_AUTHORIZATION=f"Token {new}")
    assert old != new
    assert old_client.get("/api/v1/cases/").status_code == 401
    assert new_client.get("/api/v1/cases/").status_code == 200


def test_the_command_issues_a_token_in_the_citys_schema(aracaju, gravatai):
    output = io.StringIO()

    call_command(
        "api_token_issue", "--schema", "aracaju", "--email", "Servidor@aracaju.se.gov.br", stdout=output
    )

    key = output.getvalue().strip()
    with tenant_context(aracaju):
        assert Token.objects.get(key=key).user.email == "servidor@aracaju.se.gov.br"
    with tenant_context(gravatai):
        assert not Token.objects.filter(key=key).exists()


@pytest.mark.parametrize(
    ("schema", "email", "message"),
    [
        ("public", "suporte@paco.localhost", "Município não encontrado: public."),
        ("recife", "servidor@aracaju.se.gov.br", "Município não encontrado: recife."),
        (
            "aracaju",
            "servidor@gravatai.rs.gov.br",
            "Não há conta com o e-mail servidor@gravatai.rs.gov.br em aracaju.",
        ),
    ],
)
def test_the_command_refuses_unknown_cities_and_people(aracaju, schema, email, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        call_command("api_token_issue", "--schema", schema, "--email", email, stdout=io.StringIO())


def test_the_command_refuses_staff_without_a_second_factor(aracaju):
    with tenant_context(aracaju):
        User.objects.create_user("novato@aracaju.se.gov.br", "x", full_name="Novato", kind=UserKind.STAFF)

    with pytest.raises(CommandError, match="depois de ativar a verificação em duas etapas"):
        call_command("api_token_issue", "--schema", "aracaju", "--email", "novato@aracaju.se.gov.br")
    with tenant_context(aracaju):
        assert not Token.objects.exists()


def test_the_control_plane_has_no_tokens_and_ignores_the_header(db):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION="Token qualquer")

    with schema_context("public"):
        assert TenantTokenAuthentication().authenticate(request) is None  # type: ignore[arg-type]
