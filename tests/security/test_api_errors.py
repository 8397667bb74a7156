"""Issue 10, findings 3 and 7: parser limits and every API error as JSON in Portuguese."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import client_for

CASE = {"service": "poda-de-arvore", "form_data": {"endereco": "Rua Laranjeiras, 100", "motivo": "Outro"}}


@pytest.fixture
def citizen(aracaju):
    return client_for("citizen", aracaju)


@pytest.fixture
def staff(aracaju):
    return client_for("staff", aracaju)


def test_a_deeply_nested_json_body_is_a_400_in_portuguese_not_a_500(citizen, staff):
    body = "[" * 50_000 + "]" * 50_000

    for client, path in [(citizen, "/api/v1/cases/"), (staff, "/api/v1/memos/")]:
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 400, path
        assert response.json() == {"detail": "O JSON tem mais de 32 níveis de aninhamento."}


def test_a_json_body_over_the_size_limit_is_a_400(citizen):
    body = '{"service": "' + "a" * (1024 * 1024 + 10) + '"}'

    response = citizen.post("/api/v1/cases/", body, content_type="application/json")

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "O corpo JSON passa do limite de 1024 KB."},
    )


def test_malformed_json_is_a_portuguese_400(citizen):
    response = citizen.post("/api/v1/cases/", '{"service": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON malformado: verifique a sintaxe do corpo da requisição."}


def test_an_unknown_api_path_is_a_json_404_in_portuguese(citizen):
    response = citizen.get("/api/v1/nao-existe/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Não encontrado."}


def test_a_body_over_django_s_upload_limit_is_a_json_413(citizen, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = citizen.post(
        "/api/v1/cases/", {"service": "poda-de-arvore", "form_data": "x" * 5000}
    )  # multipart: the text field is held in memory

    assert response.status_code == 413
    assert response.json() == {"detail": "O corpo da requisição passa do tamanho máximo aceito."}


@pytest.mark.parametrize("path", ["/api/v1/memos/", "/api/v1/circulars/"])
def test_a_position_past_bigint_is_a_400(staff, path):
    # the lists page by cursor now (no `offset`): a cursor whose id is past bigint is refused too
    past_bigint = base64.urlsafe_b64encode(b'["2026-01-01T00:00:00+00:00", 9223372036854775808]').decode()
    response = staff.get(path, {"cursor": past_bigint.rstrip("=")})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
