"""Conformance: a published Open311 client library (georeport 0.3.1, unchanged) drives each city's
`/open311/v2/` over a real socket, in JSON and in XML.

georeport reads (service list, service definition, requests, one request); it has no POST, so the
request is filed the way the GeoReport v2 spec's "POST Service Request" example does it (a
form-encoded body with `api_key`, `jurisdiction_id` and `attribute[code]`), through `requests`,
the HTTP library georeport itself uses. What no library exercises (jurisdiction errors, the date
window, error documents, 429) is tested directly in test_spec_edges.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests
import xmltodict
from django_tenants.utils import tenant_context
from georeport import GeoReport

from tenant_apps.open311.services import api_client_create

from .conftest import attribute_values, publish

CITIES = ["aracaju", "gravatai"]
PUBLISHED = {"aracaju": ["poda-de-arvore"], "gravatai": ["duvidas-sobre-iss", "revisao-de-iptu"]}
LOCATIONS = {"aracaju": ("-10.9472", "-37.0731"), "gravatai": ("-29.9444", "-50.9919")}
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def _as_list(value: Any) -> list[Any]:
    """xmltodict gives one child element as a dict and several as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _definition_from_xml(parsed: dict[str, Any]) -> dict[str, Any]:
    """The XML service definition, as the JSON one (the spec's Spark convention)."""
    attributes = []
    for item in _as_list((parsed.get("attributes") or {}).get("attribute")):
        attribute = {
            **item,
            "variable": item["variable"] == "true",
            "required": item["required"] == "true",
            "order": int(item["order"]),
            "datatype_description": item["datatype_description"] or "",
        }
        if "values" in item:
            attribute["values"] = _as_list(item["values"]["value"])
        attributes.append(attribute)
    return {"service_code": parsed["service_code"], "attributes": attributes}


def _json_as_xml_text(item: dict[str, Any]) -> dict[str, str | None]:
    """What each JSON value looks like as XML text (null is an empty element)."""
    return {
        name: None
        if value is None
        else ("true" if value is True else "false" if value is False else str(value))
        for name, value in item.items()
    }


@pytest.mark.parametrize("slug", CITIES)
@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_a_client_library_lists_files_and_follows_requests(request, open311_server, slug, output_format):
    # given a city with its published services, a key, and its Open311 on a real socket
    municipality = request.getfixturevalue(slug)
    for code in PUBLISHED[slug]:
        publish(municipality, code)
    with tenant_context(municipality):
        _client, key = api_client_create(name="App de conformidade")
    base = open311_server(municipality)
    jurisdiction = f"{slug}.localhost"
    client = GeoReport(base, jurisdiction=jurisdiction, api_key=key, output_format=output_format)
    json_client = GeoReport(base, jurisdiction=jurisdiction, api_key=key)
    lat, long = LOCATIONS[slug]

    # when the library reads the service list
    services = _as_list(client.get_service_list())

    # then it lists exactly the published services, with the spec's fields
    assert sorted(service["service_code"] for service in services) == PUBLISHED[slug]
    for service in services:
        assert set(service) == {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        }
        assert service["type"] == "realtime"

    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    for service in services:
        code = service["service_code"]
        definition = client.get_service_definition(code)
        if output_format == "xml":
            definition = _definition_from_xml(definition)
            assert definition == json_client.get_service_definition(code)
        assert definition["service_code"] == code
        assert [attribute["order"] for attribute in definition["attributes"]] == list(
            range(1, len(definition["attributes"]) + 1)
        )

        # the request is filed as in the spec's example: form-encoded, api_key in the body
        posted = requests.post(
            f"{base}/requests.{output_format}",
            data={
                "api_key": key,
                "jurisdiction_id": jurisdiction,
                "service_code": code,
                "lat": lat,
                "long": long,
                "email": "maria.app@exemplo.com.br",
                "device_id": "tt222111",
                "first_name": "Maria",
                "last_name": "Aplicativo",
                "phone": "51999990000",
                "description": "Enviado por um aplicativo de conformidade",
                "media_url": "https://fotos.exemplo.com.br/1.jpg",
                **attribute_values(definition),
            },
            timeout=30,
        )
        assert posted.status_code == 201, posted.text
        if output_format == "json":
            created = posted.json()[0]
        else:
            created = _as_list(xmltodict.parse(posted.content)["service_requests"]["request"])[0]
        nup = created["service_request_id"]

        # the library reads it back by id, in the list by id and in the date window
        fetched = client.get_service_request(nup)
        by_id = _as_list(client.get_service_requests(service_request_id=nup))
        window = _as_list(
            client.get_service_requests(
                service_code=code,
                status="open",
                start_date=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                end_date=(started + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
        )
        token = requests.get(f"{base}/tokens/{created['token']}.{output_format}", timeout=30)

        assert list(fetched) == REQUEST_FIELDS
        assert by_id == [fetched]
        assert nup in [item["service_request_id"] for item in window]
        assert fetched["service_request_id"] == nup
        assert fetched["service_code"] == code
        assert fetched["status"] == "open"
        assert fetched["service_notice"] == created["service_notice"]
        assert fetched["address"] is None
        assert float(fetched["lat"]) == float(lat)
        assert float(fetched["long"]) == float(long)
        assert fetched["media_url"] == "https://fotos.exemplo.com.br/1.jpg"
        assert fetched["description"] is None  # restrito: said in the notice
        for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
            assert dt.datetime.fromisoformat(fetched[name]).utcoffset() is not None, name
        assert token.status_code == 200
        assert nup in token.text
        if output_format == "xml":
            # the XML says what the JSON says (Spark convention)
            assert fetched == _json_as_xml_text(json_client.get_service_request(nup))


@pytest.mark.parametrize("slug", CITIES)
def test_the_library_sees_open311_errors_as_http_errors(request, open311_server, slug):
    municipality = request.getfixturevalue(slug)
    base = open311_server(municipality)

    with pytest.raises(requests.HTTPError) as unknown_service:
        GeoReport(base).get_service_definition("nao-existe")
    with pytest.raises(requests.HTTPError) as unknown_jurisdiction:
        GeoReport(base, jurisdiction="bogus.example", output_format="xml").get_service_list()

    assert unknown_service.value.response.status_code == 404
    assert unknown_service.value.response.json() == [
        {"code": 404, "description": "Serviço não encontrado: nao-existe."}
    ]
    assert unknown_jurisdiction.value.response.status_code == 404
    assert xmltodict.parse(unknown_jurisdiction.value.response.content) == {
        "errors": {"error": {"code": "404", "description": "jurisdiction_id não encontrado: bogus.example."}}
    }
