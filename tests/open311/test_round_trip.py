"""What a client posts it can read back, as it sent it; every advertised service can be filed."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.cases.models import Case
from tenant_apps.cases.services import nup_digits
from tenant_apps.open311.models import ApiClient
from tenant_apps.open311.services import api_client_create

from .conftest import BASE, attribute_values, city_client, publish

PERSON = {
    "email": "rui.requerente@exemplo.com.br",
    "first_name": "Rui",
    "last_name": "Requerente",
    "description": "Pedido enviado por um aplicativo",
}
# what each demo city publishes on Open311 (tenant_apps.open311.demo.DEMO_OPEN311)
PUBLISHED = {"aracaju": ["poda-de-arvore"], "gravatai": ["duvidas-sobre-iss", "revisao-de-iptu"]}


def _city(request: Any, slug: str) -> Any:
    return request.getfixturevalue(slug)


def _key(municipality: Any) -> str:
    with tenant_context(municipality):
        return api_client_create(name=f"App de teste {municipality.slug}")[1]


def _post(municipality: Any, data: dict[str, str], fmt: str = "json", query: str = "") -> Any:
    return city_client(municipality).post(f"{BASE}/requests.{fmt}{query}", data)


def _poda(key: str, **changes: str | None) -> dict[str, str]:
    data = {
        **PERSON,
        "api_key": key,
        "service_code": "poda-de-arvore",
        "attribute[motivo]": "Risco de queda",
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


# 1 and 2: every advertised service can be filed, and what was filed can be read back


@pytest.mark.parametrize("slug", ["aracaju", "gravatai"])
def test_every_advertised_service_can_be_filed_and_read_back_by_id_and_token(request, slug):
    municipality = _city(request, slug)
    for code in PUBLISHED[slug]:
        publish(municipality, code)
    key = _key(municipality)
    client = city_client(municipality)

    services = client.get(f"{BASE}/services.json").json()

    assert services, "the city advertises nothing"
    for service in services:
        definition = client.get(f"{BASE}/services/{service['service_code']}.json").json()
        data = {
            **PERSON,
            "api_key": key,
            "service_code": service["service_code"],
            "address_string": "Praça Central, 1",
            **attribute_values(definition),
        }
        posted = _post(municipality, data)
        assert posted.status_code == 201, (service["service_code"], posted.content)
        created = posted.json()[0]
        nup = created["service_request_id"]

        by_id = client.get(f"{BASE}/requests/{nup}.json")
        by_digits = client.get(f"{BASE}/requests/{nup_digits(nup=nup)}.json")
        by_list = client.get(f"{BASE}/requests.json", {"service_request_id": nup})
        by_token = client.get(f"{BASE}/tokens/{created['token']}.json")

        assert by_id.status_code == 200, (service["service_code"], by_id.content)
        assert by_id.json() == by_digits.json() == by_list.json()
        assert by_id.json()[0]["service_request_id"] == nup
        assert by_id.json()[0]["service_code"] == service["service_code"]
        assert by_token.json() == [{"service_request_id": nup, "token": created["token"]}]


def test_a_client_still_reads_its_own_requests_after_the_service_is_unpublished(aracaju, gravatai):
    publish(aracaju)
    key = _key(aracaju)
    with tenant_context(aracaju):
        _other, other_key = api_client_create(name="Outro aplicativo")
    created = _post(aracaju, _poda(key, address_string="Rua das Flores, 10")).json()[0]
    nup = created["service_request_id"]
    publish(aracaju, published=False)
    client = city_client(aracaju)

    anonymous = client.get(f"{BASE}/requests/{nup_digits(nup=nup)}.json")
    own = client.get(f"{BASE}/requests/{nup_digits(nup=nup)}.json", {"api_key": key})
    own_list = client.get(f"{BASE}/requests.json", {"api_key": key})
    other = client.get(f"{BASE}/requests/{nup_digits(nup=nup)}.json", {"api_key": other_key})
    token = client.get(f"{BASE}/tokens/{created['token']}.json")

    assert anonymous.status_code == 404
    assert client.get(f"{BASE}/requests.json").json() == []
    assert own.status_code == 200
    assert own.json()[0]["service_request_id"] == nup
    assert own.json()[0]["address"] == "Rua das Flores, 10"
    assert [item["service_request_id"] for item in own_list.json()] == [nup]
    assert other.status_code == 404
    assert token.json() == [{"service_request_id": nup, "token": created["token"]}]
    # a key of another city is no key here
    gravatai_key = _key(gravatai)
    wrong_city = client.get(f"{BASE}/requests/{nup_digits(nup=nup)}.json", {"api_key": gravatai_key})
    assert wrong_city.status_code == 403


@pytest.mark.parametrize(
    ("code", "name", "documents"),
    [
        ("alvara-de-funcionamento", "Alvará de funcionamento", "Contrato social, Comprovante de endereço"),
        ("certidao-negativa-de-debitos", "Certidão negativa de débitos", "Documento de identificação"),
    ],
)
def test_a_service_that_needs_documents_is_not_offered_on_open311(aracaju, code, name, documents):
    publish(aracaju)
    key = _key(aracaju)
    client = city_client(aracaju)
    message = (
        f"O serviço “{name}” exige documentos anexos ({documents}), que o Open311 não tem como "
        "receber: peça-o pelo portal da prefeitura."
    )
    with tenant_context(aracaju):
        cases_before = Case.objects.count()

    listed = [service["service_code"] for service in client.get(f"{BASE}/services.json").json()]
    definition = client.get(f"{BASE}/services/{code}.json")
    posted = _post(aracaju, {**PERSON, "api_key": key, "service_code": code, "address_string": "Rua A, 1"})

    assert code not in listed
    assert definition.status_code == 404
    assert definition.json() == [{"code": 404, "description": message}]
    assert posted.status_code == 404
    assert posted.json() == [{"code": 404, "description": message}]
    with tenant_context(aracaju):
        assert Case.objects.count() == cases_before


# 3: api_key in the query string


def test_the_api_key_may_come_in_the_query_string(aracaju):
    publish(aracaju)
    key = _key(aracaju)
    data = _poda(key, address_string="Rua B, 2")
    del data["api_key"]

    response = _post(aracaju, data, query=f"?api_key={key}&jurisdiction_id=")

    assert response.status_code == 201, response.content
    with tenant_context(aracaju):
        assert ApiClient.objects.get(name="App de teste aracaju").last_used_at is not None


# 4: address_id is a location of its own


def test_address_id_alone_is_a_location_and_comes_back(aracaju):
    publish(aracaju)
    key = _key(aracaju)

    response = _post(aracaju, _poda(key, address_id="LOG-48213"))

    assert response.status_code == 201, response.content
    nup = response.json()[0]["service_request_id"]
    item = city_client(aracaju).get(f"{BASE}/requests/{nup_digits(nup=nup)}.json").json()[0]
    assert item["address_id"] == "LOG-48213"
    assert item["address"] is None
    assert item["lat"] is None
    assert item["long"] is None


# 5: GET answers what the client sent


def test_get_answers_the_notice_and_the_location_the_client_sent(aracaju):
    publish(aracaju)
    key = _key(aracaju)
    client = city_client(aracaju)

    posted = _post(aracaju, _poda(key, lat="-10.9472", long="-37.0731")).json()[0]
    item = client.get(f"{BASE}/requests/{nup_digits(nup=posted['service_request_id'])}.json").json()[0]

    assert item["service_notice"] == posted["service_notice"]
    assert item["address"] is None
    assert item["lat"] == -10.9472
    assert item["long"] == -37.0731
    assert item["address_id"] is None
    # the description stays out on purpose, and the notice says why
    assert item["description"] is None
    assert "não são publicadas" in item["service_notice"]


def test_get_answers_the_address_string_the_client_sent(aracaju):
    publish(aracaju)
    key = _key(aracaju)

    posted = _post(aracaju, _poda(key, address_string="Av. Beira Mar, 500, Atalaia")).json()[0]
    item = city_client(aracaju).get(f"{BASE}/requests/{nup_digits(nup=posted['service_request_id'])}.xml")

    assert b"<address>Av. Beira Mar, 500, Atalaia</address>" in item.content
    assert f"<service_notice>{posted['service_notice']}</service_notice>".encode() in item.content
