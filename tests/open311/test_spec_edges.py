"""The GeoReport v2 edge cases no client library exercises, in both cities and both formats:
jurisdiction_id, the date window and its formats, errors as Open311 documents, 429 with Retry-After."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case
from tenant_apps.cases.services import case_open, nup_digits
from tenant_apps.catalog.models import Service
from tenant_apps.open311 import services as open311_services
from tenant_apps.open311.services import api_client_create
from tenants.enums import MunicipalityStatus
from tenants.services import municipality_set_status
from tests.conftest import cache_clear

from .conftest import BASE, city_client, publish, xml_of

CITIES = ["aracaju", "gravatai"]
FORMATS = ["json", "xml"]
# a published service of each city and a valid form for it
SAMPLE = {
    "aracaju": ("poda-de-arvore", {"endereco": "Rua do Teste, 5", "motivo": "Outro"}),
    "gravatai": ("duvidas-sobre-iss", {"cnpj": "11222333000181", "pergunta": "Qual a alíquota?"}),
}
JURISDICTIONS = {"aracaju": ("aracaju.localhost", "2800308"), "gravatai": ("gravatai.localhost", "4309209")}


@pytest.fixture(params=CITIES)
def city(request) -> Any:
    municipality = request.getfixturevalue(request.param)
    publish(municipality, SAMPLE[municipality.slug][0])
    return municipality


def _open(municipality: Any, *, days_ago: int = 0) -> Case:
    code, form = SAMPLE[municipality.slug]
    with tenant_context(municipality):
        case = case_open(
            service=Service.objects.get(code=code),
            opened_by=User.objects.get(email=demo.DEMO_CITIZEN["email"]),
            form_data=form,
        )
        if days_ago:
            Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - dt.timedelta(days=days_ago))
    return case


def _error(response: Any, fmt: str) -> tuple[int, str]:
    """(code, description) of an Open311 error document with exactly one error."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert len(body) == 1
        assert set(body[0]) == {"code", "description"}
        return body[0]["code"], body[0]["description"]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = xml_of(response)
    assert root.tag == "errors"
    assert len(root.findall("error")) == 1
    return int(root.findtext("error/code")), root.findtext("error/description")


def _paths(municipality: Any, fmt: str, token: str) -> list[str]:
    code = SAMPLE[municipality.slug][0]
    case = _open(municipality)
    return [
        f"{BASE}/services.{fmt}",
        f"{BASE}/services/{code}.{fmt}",
        f"{BASE}/requests.{fmt}",
        f"{BASE}/requests/{nup_digits(nup=case.nup)}.{fmt}",
        f"{BASE}/tokens/{token}.{fmt}",
    ]


def _posted_token(municipality: Any) -> str:
    with tenant_context(municipality):
        _client, key = api_client_create(name="App de teste")
    code, form = SAMPLE[municipality.slug]
    data = {
        "api_key": key,
        "service_code": code,
        "email": "app@exemplo.com.br",
        "address_string": "Rua do Teste, 5",
        **{f"attribute[{name}]": value for name, value in form.items() if name != "endereco"},
    }
    response = city_client(municipality).post(f"{BASE}/requests.json", data)
    assert response.status_code == 201, response.content
    return response.json()[0]["token"]


# 6: jurisdiction_id


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_jurisdiction_is_a_404_on_every_resource(city, fmt):
    client = city_client(city)
    for path in _paths(city, fmt, _posted_token(city)):
        response = client.get(path, {"jurisdiction_id": "bogus.example"})

        assert response.status_code == 404, path
        assert _error(response, fmt) == (404, "jurisdiction_id não encontrado: bogus.example."), path


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_citys_own_jurisdiction_empty_or_none_is_served(city, fmt):
    client = city_client(city)
    host, ibge_code = JURISDICTIONS[city.slug]
    for path in _paths(city, fmt, _posted_token(city)):
        for jurisdiction in (host, host.upper(), f"www.{host}", ibge_code, "", None):
            params = {} if jurisdiction is None else {"jurisdiction_id": jurisdiction}

            assert client.get(path, params).status_code == 200, (path, jurisdiction)


def test_a_jurisdiction_of_the_other_city_is_not_found(aracaju, gravatai):
    assert (
        city_client(aracaju).get(f"{BASE}/services.json", {"jurisdiction_id": "2800308"}).status_code == 200
    )
    response = city_client(gravatai).get(f"{BASE}/services.json", {"jurisdiction_id": "aracaju.localhost"})

    assert response.status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_post_with_an_unknown_jurisdiction_is_a_404_and_creates_nothing(city, fmt):
    with tenant_context(city):
        _client, key = api_client_create(name="App de teste")
        before = Case.objects.count()

    response = city_client(city).post(
        f"{BASE}/requests.{fmt}",
        {"api_key": key, "jurisdiction_id": "bogus.example", "service_code": SAMPLE[city.slug][0]},
    )

    assert response.status_code == 404
    assert _error(response, fmt) == (404, "jurisdiction_id não encontrado: bogus.example.")
    with tenant_context(city):
        assert Case.objects.count() == before


# 7: dates and statuses


def _ids(municipality: Any, params: dict[str, str], fmt: str = "json") -> list[str]:
    response = city_client(municipality).get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 200, response.content
    if fmt == "json":
        return [item["service_request_id"] for item in response.json()]
    return [item.findtext("service_request_id") for item in xml_of(response).findall("request")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_window_longer_than_90_days_is_a_400(city, fmt):
    start = "2026-01-01T00:00:00-03:00"
    end = "2026-04-02T00:00:00-03:00"  # 91 days later

    response = city_client(city).get(f"{BASE}/requests.{fmt}", {"start_date": start, "end_date": end})

    assert response.status_code == 400
    assert _error(response, fmt) == (
        400,
        "start_date e end_date: o intervalo pode ter no máximo 90 dias (GeoReport v2).",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_start_after_the_end_is_a_400(city, fmt):
    response = city_client(city).get(
        f"{BASE}/requests.{fmt}",
        {"start_date": "2026-03-02T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"},
    )

    assert response.status_code == 400
    assert _error(response, fmt) == (400, "start_date: deve ser anterior a end_date.")


def test_the_default_window_is_the_last_90_days_and_one_bound_spans_90(city):
    recent, old, older = _open(city, days_ago=10), _open(city, days_ago=95), _open(city, days_ago=170)
    day = dt.timedelta(days=1)
    now = timezone.now()

    assert _ids(city, {}) == [recent.nup]
    # only start_date: 90 days from it
    assert _ids(city, {"start_date": (now - 105 * day).isoformat()}) == [old.nup]
    # only end_date: the 90 days before it
    assert _ids(city, {"end_date": (now - 90 * day).isoformat()}) == [old.nup, older.nup]


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_is_case_insensitive(city, fmt):
    case = _open(city)

    assert _ids(city, {"status": "OPEN"}, fmt) == [case.nup]
    assert _ids(city, {"status": "Open,CLOSED"}, fmt) == [case.nup]
    assert _ids(city, {"status": "closed"}, fmt) == []


def test_list_arguments_may_be_repeated_or_comma_separated(city):
    case = _open(city)
    code = SAMPLE[city.slug][0]
    client = city_client(city)

    repeated = client.get(
        f"{BASE}/requests.json?status=closed&status=open&service_code=x&service_code={code}"
    )
    by_ids = client.get(
        f"{BASE}/requests.json?service_request_id={nup_digits(nup=case.nup)}&service_request_id=1"
    )

    assert [item["service_request_id"] for item in repeated.json()] == [case.nup]
    assert by_ids.status_code == 400  # "1" is no NUP, even when repeated


def test_an_unencoded_plus_of_a_utc_offset_is_accepted(city):
    case = _open(city)
    start = (timezone.now() - dt.timedelta(days=1)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    client = city_client(city)

    # "+00:00" unencoded in a query string arrives as " 00:00"
    raw = client.get(f"{BASE}/requests.json?start_date={start}+00:00")
    encoded = client.get(f"{BASE}/requests.json?start_date={quote(start + '+00:00')}")
    zulu = client.get(f"{BASE}/requests.json", {"start_date": f"{start}Z"})

    for response in (raw, encoded, zulu):
        assert response.status_code == 200, response.content
        assert [item["service_request_id"] for item in response.json()] == [case.nup]


# 8: errors are Open311 documents


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_method_not_allowed_is_a_405_open311_document(city, fmt):
    client = city_client(city)

    put = client.put(f"{BASE}/requests.{fmt}")
    delete = client.delete(f"{BASE}/services.{fmt}")
    post = client.post(f"{BASE}/tokens/abc.{fmt}")

    assert put.status_code == delete.status_code == post.status_code == 405
    assert put["Allow"] == "GET, HEAD, POST"
    assert delete["Allow"] == post["Allow"] == "GET, HEAD"
    assert _error(put, fmt) == (405, "Método PUT não permitido aqui; use GET, HEAD ou POST.")
    assert _error(delete, fmt) == (405, "Método DELETE não permitido aqui; use GET ou HEAD.")


@pytest.mark.parametrize(
    ("path", "fmt", "description"),
    [
        ("requests/.json", "json", "Solicitação não encontrada."),
        ("requests/.xml", "xml", "Solicitação não encontrada."),
        ("requests/abc.json", "json", "Solicitação não encontrada."),
        ("services.csv", "xml", "Recurso não encontrado no Open311: services.csv."),
        ("services/nao-existe.json", "json", "Serviço não encontrado: nao-existe."),
        ("services/a/b.json", "json", "Serviço não encontrado: a/b."),
        ("tokens/.xml", "xml", "Token não encontrado."),
        ("discovery.html", "xml", "Recurso não encontrado no Open311: discovery.html."),
        ("nada", "xml", "Recurso não encontrado no Open311: nada."),
    ],
)
def test_an_unknown_path_is_a_404_open311_document(city, path, fmt, description):
    response = city_client(city).get(f"{BASE}/{path}")

    assert response.status_code == 404
    assert _error(response, fmt) == (404, description)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_malformed_request_id_filter_is_a_400(city, fmt):
    response = city_client(city).get(f"{BASE}/requests.{fmt}", {"service_request_id": "abc"})

    assert response.status_code == 400
    assert _error(response, fmt) == (
        400,
        "service_request_id: informe números de protocolo (NNNNN.NNNNNN/AAAA-DD), separados por vírgula.",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_too_many_posts_are_a_429_with_retry_after(city, fmt, monkeypatch):
    monkeypatch.setattr(open311_services, "POSTS_PER_WINDOW", 2)
    with tenant_context(city):
        _client, key = api_client_create(name="App apressado")
        before = Case.objects.count()
    client = city_client(city)
    data = {"api_key": key, "service_code": SAMPLE[city.slug][0]}  # refused (no e-mail): still counted

    statuses = [client.post(f"{BASE}/requests.{fmt}", data).status_code for _ in range(2)]
    limited = client.post(f"{BASE}/requests.{fmt}", data)

    assert statuses == [400, 400]
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    code, description = _error(limited, fmt)
    assert code == 429
    assert description == (
        f"Limite de {2} envios por minuto excedido; tente de novo em {limited['Retry-After']} segundos."
    )
    with tenant_context(city):
        assert Case.objects.count() == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_read_only_city_refuses_a_post_with_an_open311_document(aracaju, fmt):
    with tenant_context(aracaju):
        _client, key = api_client_create(name="App de teste")
        before = Case.objects.count()
    municipality_set_status(municipality=aracaju, status=MunicipalityStatus.READ_ONLY)
    cache_clear()  # the host cache is invalidated on commit, which a test's transaction never reaches

    response = city_client(aracaju).post(f"{BASE}/requests.{fmt}", {"api_key": key})
    listing = city_client(aracaju).get(f"{BASE}/requests.{fmt}")

    assert response.status_code == 403
    code, description = _error(response, fmt)
    assert code == 403
    assert description.startswith("Este portal está temporariamente somente para consulta")
    assert listing.status_code == 200
    with tenant_context(aracaju):
        assert Case.objects.count() == before
