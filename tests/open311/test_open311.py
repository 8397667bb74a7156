"""Open311 GeoReport v2 on each city's host: conformance, POST opening real cases, privacy."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from paco_demo import cities as demo
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case, CaseEvent
from tenant_apps.cases.services import case_close, case_open, nup_digits
from tenant_apps.catalog.models import Service
from tenant_apps.catalog.services import service_ensure
from tenant_apps.documents.enums import AccessLevel
from tenant_apps.open311 import services as open311_services
from tenant_apps.open311.models import ApiClient, ClientRequest
from tenant_apps.open311.services import api_client_deactivate
from tests.factories import ServiceFieldFactory

from .conftest import BASE, city_client, publish, xml_of

POST = {
    "service_code": "poda-de-arvore",
    "address_string": "Rua Laranjeiras, 100, Centro",
    "lat": "-10.9111",
    "long": "-37.0717",
    "attribute[motivo]": "Galhos na fiação",
    "email": "joana.requerente@exemplo.com.br",
    "first_name": "Joana",
    "last_name": "Requerente",
    "phone": "79999990000",
    "description": "Galhos encostando nos fios do poste",
    "media_url": "https://fotos.exemplo.com.br/arvore.jpg",
}
REQUEST_FIELDS = {
    "service_request_id": str,
    "status": str,
    "status_notes": (str, type(None)),
    "service_name": str,
    "service_code": str,
    "description": (str, type(None)),
    "agency_responsible": str,
    "service_notice": (str, type(None)),
    "requested_datetime": str,
    "updated_datetime": str,
    "expected_datetime": str,
    "address": (str, type(None)),
    "address_id": (str, type(None)),
    "zipcode": (str, type(None)),
    "lat": (float, type(None)),
    "long": (float, type(None)),
    "media_url": (str, type(None)),
}


def _counts() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "users": User.objects.count(),
        "tokens": ClientRequest.objects.count(),
    }


def _post(municipality: Any, key: str, fmt: str = "json", **changes: Any) -> Any:
    data = {**POST, "api_key": key, **changes}
    data = {name: value for name, value in data.items() if value is not None}
    return city_client(municipality).post(f"{BASE}/requests.{fmt}", data)


def _publish(municipality: Any, code: str = "poda-de-arvore", *, published: bool = True) -> None:
    publish(municipality, code, published=published)


# discovery and services


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_lists_the_v2_endpoint(aracaju, fmt):
    response = city_client(aracaju).get(f"{BASE}/discovery.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
        assert isinstance(body["changeset"], str)
        assert "Aracaju" in body["contact"]
        assert body["endpoints"] == [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": "http://aracaju.localhost/open311/v2/",
                "changeset": body["changeset"],
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ]
    else:
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        root = xml_of(response)
        assert root.tag == "discovery"
        endpoint = root.find("endpoints/endpoint")
        assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint.findtext("url") == "http://aracaju.localhost/open311/v2/"
        assert endpoint.findtext("type") == "production"
        assert [item.text for item in endpoint.findall("formats/format")] == ["application/json", "text/xml"]
        assert root.findtext("key_service")


def test_services_lists_the_published_services_with_spec_fields(gravatai):
    response = city_client(gravatai).get(f"{BASE}/services.json")

    assert response.status_code == 200
    body = response.json()
    # the demo publishes two; the video service stays off, the internal SESMT one cannot be on
    assert [service["service_code"] for service in body] == ["duvidas-sobre-iss", "revisao-de-iptu"]
    iss = body[0]
    assert iss == {
        "service_code": "duvidas-sobre-iss",
        "service_name": "Dúvidas sobre ISS",
        "description": "Pergunta à fiscalização sobre o Imposto Sobre Serviços.",
        "metadata": True,
        "type": "realtime",
        "keywords": "Tributos, SMF-FISC",
        "group": "Tributos",
    }


def test_services_in_xml_has_the_same_fields(gravatai):
    response = city_client(gravatai).get(f"{BASE}/services.xml")

    root = xml_of(response)
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == 2
    assert [child.tag for child in services[0]] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert services[0].findtext("metadata") == "true"
    assert services[0].findtext("type") == "realtime"


def test_a_service_whose_only_field_is_its_address_has_no_metadata(aracaju):
    with tenant_context(aracaju):
        Service.objects.get(code="poda-de-arvore").fields.exclude(kind="address").delete()

    body = city_client(aracaju).get(f"{BASE}/services.json").json()

    assert next(s for s in body if s["service_code"] == "poda-de-arvore")["metadata"] is False


def test_service_definition_maps_the_form_to_attributes(aracaju):
    response = city_client(aracaju).get(f"{BASE}/services/poda-de-arvore.json")

    # the address field ("Endereço da árvore") is the request's location, not an attribute
    assert response.status_code == 200
    assert response.json() == {
        "service_code": "poda-de-arvore",
        "attributes": [
            {
                "variable": True,
                "code": "referencia",
                "datatype": "string",
                "required": False,
                "datatype_description": "",
                "order": 1,
                "description": "Ponto de referência",
            },
            {
                "variable": True,
                "code": "motivo",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "",
                "order": 2,
                "description": "Motivo",
                "values": [
                    {"key": "Risco de queda", "name": "Risco de queda"},
                    {"key": "Galhos na fiação", "name": "Galhos na fiação"},
                    {"key": "Obstrução de calçada", "name": "Obstrução de calçada"},
                    {"key": "Outro", "name": "Outro"},
                ],
            },
        ],
    }


def test_service_definition_maps_every_datatype_and_omits_files(gravatai):
    publish(gravatai, "atendimento-por-video-com-fiscal")
    with tenant_context(gravatai):
        service = Service.objects.get(code="revisao-de-iptu")
        ServiceFieldFactory(service=service, key="area", label="Área", kind="number", position=5)
        ServiceFieldFactory(
            service=service, key="planta", label="Planta", kind="file", position=6, is_required=False
        )
        ServiceFieldFactory(service=service, key="cpf", label="CPF", kind="cpf", position=7)
        ServiceFieldFactory(service=service, key="vistoria", label="Vistoria", kind="date", position=8)

    attributes = city_client(gravatai).get(f"{BASE}/services/revisao-de-iptu.json").json()["attributes"]
    video = city_client(gravatai).get(f"{BASE}/services/atendimento-por-video-com-fiscal.json").json()

    assert [(a["code"], a["datatype"], a["order"]) for a in attributes] == [
        ("inscricao", "string", 1),
        ("motivo", "text", 2),
        ("area", "number", 3),
        ("cpf", "string", 4),
        ("vistoria", "datetime", 5),
    ]
    # the booking picks the date of the video attendance: its form asks the subject only
    assert [(a["code"], a["datatype"]) for a in video["attributes"]] == [("assunto", "singlevaluelist")]


def test_a_required_file_field_takes_the_service_off_open311(gravatai):
    with tenant_context(gravatai):
        service = Service.objects.get(code="revisao-de-iptu")
        ServiceFieldFactory(service=service, key="planta", label="Planta do imóvel", kind="file")

    listed = [s["service_code"] for s in city_client(gravatai).get(f"{BASE}/services.json").json()]
    definition = city_client(gravatai).get(f"{BASE}/services/revisao-de-iptu.json")

    assert listed == ["duvidas-sobre-iss"]
    assert definition.status_code == 404
    assert definition.json()[0]["description"] == (
        "O serviço “Revisão de IPTU” exige documentos anexos (Planta do imóvel), que o Open311 não tem "
        "como receber: peça-o pelo portal da prefeitura."
    )


def test_service_definition_in_xml(aracaju):
    root = xml_of(city_client(aracaju).get(f"{BASE}/services/poda-de-arvore.xml"))

    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "poda-de-arvore"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["referencia", "motivo"]
    assert attributes[0].findtext("variable") == "true"
    assert attributes[0].findtext("required") == "false"
    assert attributes[1].findtext("order") == "2"
    assert [v.findtext("key") for v in attributes[1].findall("values/value")][0] == "Risco de queda"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_or_internal_service_is_a_404_in_spec_shape(gravatai, fmt):
    for code in ("nao-existe", "avaliacao-sesmt"):
        response = city_client(gravatai).get(f"{BASE}/services/{code}.{fmt}")

        assert response.status_code == 404
        if fmt == "json":
            assert response.json() == [{"code": 404, "description": f"Serviço não encontrado: {code}."}]
        else:
            root = xml_of(response)
            assert root.tag == "errors"
            assert root.findtext("error/code") == "404"
            assert root.findtext("error/description") == f"Serviço não encontrado: {code}."


def test_unknown_format_is_a_404(aracaju):
    client = city_client(aracaju)

    assert client.get(f"{BASE}/services.csv").status_code == 404
    assert client.get(f"{BASE}/discovery.html").status_code == 404
    assert client.get(f"{BASE}/services/poda-de-arvore.yaml").status_code == 404


# POST requests


def test_post_opens_a_real_case_through_the_api_channel(aracaju, aracaju_key):
    response = _post(aracaju, aracaju_key)

    assert response.status_code == 201
    body = response.json()
    assert len(body) == 1
    assert set(body[0]) == {"service_request_id", "token", "service_notice", "account_id"}
    assert body[0]["account_id"] is None
    with tenant_context(aracaju):
        case = Case.objects.get(nup=body[0]["service_request_id"])
        citizen = User.objects.get(email="joana.requerente@exemplo.com.br")
        assert case.channel == "api"
        assert case.service.code == "poda-de-arvore"
        assert case.citizen == citizen
        assert case.opened_by == citizen
        assert case.form_data == {"endereco": "Rua Laranjeiras, 100, Centro", "motivo": "Galhos na fiação"}
        assert case.description == (
            "Galhos encostando nos fios do poste\n"
            "Localização: -10.9111, -37.0717\n"
            "Mídia: https://fotos.exemplo.com.br/arvore.jpg"
        )
        assert case.events.get().kind == "opened"
        assert citizen.kind == UserKind.CITIZEN
        assert citizen.full_name == "Joana Requerente"
        assert citizen.phone == "79999990000"
        assert citizen.cpf is None
        assert not citizen.has_usable_password()
        sent = ClientRequest.objects.get(case=case)
        assert body[0]["token"] == sent.token
        assert sent.client.name == "App Zeladoria"
        assert (sent.address_string, sent.address_id) == ("Rua Laranjeiras, 100, Centro", "")
        assert (str(sent.lat), str(sent.long)) == ("-10.911100000", "-37.071700000")
        assert sent.media_url == "https://fotos.exemplo.com.br/arvore.jpg"
        assert body[0]["service_notice"] == (
            f"Protocolo {case.nup} aberto. Prazo para resposta: {case.deadline:%d/%m/%Y}. A descrição e a "
            "resposta não são publicadas no Open311 porque o protocolo é de acesso restrito."
        )


def test_post_uses_the_existing_citizen_account_of_the_email_unchanged(aracaju, aracaju_key):
    with tenant_context(aracaju):
        users_before = User.objects.count()

    response = _post(aracaju, aracaju_key, email=demo.DEMO_CITIZEN["email"].upper(), first_name="Outro")

    assert response.status_code == 201
    with tenant_context(aracaju):
        case = Case.objects.get(nup=response.json()[0]["service_request_id"])
        assert case.citizen.email == demo.DEMO_CITIZEN["email"]
        assert case.citizen.full_name == demo.DEMO_CITIZEN["full_name"]
        assert User.objects.count() == users_before


def test_post_with_coordinates_only_describes_them_in_the_address_field_for_the_staff(aracaju, aracaju_key):
    response = _post(aracaju, aracaju_key, address_string=None)

    assert response.status_code == 201
    with tenant_context(aracaju):
        case = Case.objects.get(nup=response.json()[0]["service_request_id"])
        assert case.form_data["endereco"] == "Coordenadas -10.9111, -37.0717 (enviadas pelo aplicativo)"
        assert case.open311_request.address_string == ""


def test_post_with_the_address_as_an_attribute_takes_it_as_address_string(aracaju, aracaju_key):
    response = _post(
        aracaju, aracaju_key, address_string=None, lat=None, long=None, **{"attribute[endereco]": "Rua X, 9"}
    )

    assert response.status_code == 201
    with tenant_context(aracaju):
        case = Case.objects.get(nup=response.json()[0]["service_request_id"])
        assert case.form_data["endereco"] == "Rua X, 9"
        assert case.open311_request.address_string == "Rua X, 9"


def test_a_datetime_attribute_answers_a_date_field_with_its_local_date(gravatai, gravatai_key):
    with tenant_context(gravatai):
        unit = Service.objects.get(code="duvidas-sobre-iss").unit
        service_ensure(
            code="vistoria-agendada",
            name="Vistoria agendada",
            unit=unit,
            fields=[{"key": "data_preferida", "label": "Data preferida", "kind": "date"}],
        )
    publish(gravatai, "vistoria-agendada")
    data = {
        "service_code": "vistoria-agendada",
        "address_string": None,
        "lat": "-29.94",
        "long": "-50.99",
        "attribute[motivo]": None,
        "attribute[data_preferida]": "2026-05-05T01:30:00Z",
    }

    response = _post(gravatai, gravatai_key, **data)

    assert response.status_code == 201, response.content
    with tenant_context(gravatai):
        case = Case.objects.get(nup=response.json()[0]["service_request_id"])
        assert case.form_data["data_preferida"] == "2026-05-04"  # 22:30 of the 4th in Gravataí


def test_post_in_xml_answers_in_xml(aracaju, aracaju_key):
    response = _post(aracaju, aracaju_key, fmt="xml")

    assert response.status_code == 201
    root = xml_of(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [child.tag for child in request] == ["service_request_id", "token", "service_notice", "account_id"]
    with tenant_context(aracaju):
        assert Case.objects.filter(nup=request.findtext("service_request_id"), channel="api").exists()


REFUSALS = [
    ({"api_key": None}, 403, "Informe a chave de acesso (api_key)."),
    ({"api_key": "chave-errada"}, 403, "Chave de acesso (api_key) inválida ou desativada."),
    ({"service_code": "nao-existe"}, 404, "Serviço não encontrado: nao-existe."),
    ({"service_code": None}, 400, "Informe o código do serviço (service_code)."),
    (
        {"lat": None, "long": None, "address_string": None},
        400,
        "Informe a localização: lat e long, address_string ou address_id.",
    ),
    ({"long": None}, 400, "Informe a latitude (lat) e a longitude (long) juntas."),
    ({"lat": "norte"}, 400, "lat: informe um número decimal."),
    ({"lat": "91"}, 400, "lat: coordenada fora do intervalo."),
    ({"attribute[motivo]": "Porque sim"}, 400, "Motivo: escolha uma das opções."),
    ({"attribute[motivo]": None}, 400, "Motivo: campo obrigatório."),
    ({"email": None}, 400, "Informe um e-mail válido do solicitante (email)."),
    ({"email": demo.DEMO_STAFF["aracaju"]["email"]}, 400, "Este e-mail não pertence a uma conta de cidadão."),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url: informe um endereço http(s) válido."),
    ({"media_url": "https://"}, 400, "media_url: informe um endereço http(s) válido."),
    ({"description": "x" * 4001}, 400, "description: no máximo 4.000 caracteres."),
    ({"address_id": "a" * 101}, 400, "address_id: até 100 caracteres, sem quebras de linha."),
    (
        {"service_code": "alvara-de-funcionamento"},
        404,
        (
            "O serviço “Alvará de funcionamento” exige documentos anexos (Contrato social, Comprovante de "
            "endereço), que o Open311 não tem como receber: peça-o pelo portal da prefeitura."
        ),
    ),
    ({"service_code": "avaliacao-sesmt"}, 404, "Serviço não encontrado: avaliacao-sesmt."),
]


@pytest.mark.parametrize(("changes", "status", "description"), REFUSALS)
def test_a_refused_post_explains_in_portuguese_and_saves_nothing(
    aracaju, aracaju_key, changes, status, description
):
    with tenant_context(aracaju):
        before = _counts()

    response = _post(aracaju, aracaju_key, **changes)

    assert response.status_code == status
    assert response.json() == [{"code": status, "description": description}]
    with tenant_context(aracaju):
        assert _counts() == before
        assert not User.objects.filter(email=POST["email"]).exists()


def test_a_post_refused_in_xml_is_an_errors_document(aracaju):
    response = city_client(aracaju).post(f"{BASE}/requests.xml", {"service_code": "poda-de-arvore"})

    assert response.status_code == 403
    root = xml_of(response)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "403"
    assert root.findtext("error/description") == "Informe a chave de acesso (api_key)."


def test_an_inactive_key_is_refused(aracaju, aracaju_key):
    with tenant_context(aracaju):
        api_client_deactivate(client=ApiClient.objects.get(name="App Zeladoria"))
        before = _counts()

    response = _post(aracaju, aracaju_key)

    assert response.status_code == 403
    with tenant_context(aracaju):
        assert _counts() == before


def test_posts_are_rate_limited_per_key(aracaju, aracaju_key, monkeypatch):
    monkeypatch.setattr(open311_services, "POSTS_PER_WINDOW", 2)
    with tenant_context(aracaju):
        _other, other_key = open311_services.api_client_create(name="Outro app")

    statuses = [_post(aracaju, aracaju_key, **{"attribute[motivo]": "x"}).status_code for _ in range(3)]
    other = _post(aracaju, other_key)

    assert statuses == [400, 400, 429]
    limited = _post(aracaju, aracaju_key)
    assert limited.json() == [
        {
            "code": 429,
            "description": (
                f"Limite de 2 envios por minuto excedido; tente de novo em {limited['Retry-After']} segundos."
            ),
        }
    ]
    assert other.status_code == 201


# tokens


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_token_gives_the_request_id(aracaju, aracaju_key, fmt):
    posted = _post(aracaju, aracaju_key).json()[0]

    response = city_client(aracaju).get(f"{BASE}/tokens/{posted['token']}.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        assert response.json() == [
            {"service_request_id": posted["service_request_id"], "token": posted["token"]}
        ]
    else:
        root = xml_of(response)
        assert root.tag == "service_requests"
        assert root.findtext("request/service_request_id") == posted["service_request_id"]
        assert root.findtext("request/token") == posted["token"]


def test_an_unknown_token_is_a_404(aracaju):
    response = city_client(aracaju).get(f"{BASE}/tokens/nao-existe.json")

    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "Token não encontrado."}]


# GET requests


def _open(municipality: Any, code: str = "poda-de-arvore", **form: Any) -> Case:
    with tenant_context(municipality):
        citizen = User.objects.get(email=demo.DEMO_CITIZEN["email"])
        form_data = form or {"endereco": "Rua do Teste, 5", "motivo": "Outro"}
        return case_open(
            service=Service.objects.get(code=code),
            opened_by=citizen,
            form_data=form_data,
            subject="Árvore caindo",
        )


def test_requests_lists_only_published_services(aracaju, aracaju_key):
    posted = _post(aracaju, aracaju_key).json()[0]
    _publish(aracaju, published=False)
    assert city_client(aracaju).get(f"{BASE}/requests.json").json() == []

    _publish(aracaju)
    body = city_client(aracaju).get(f"{BASE}/requests.json").json()

    assert [item["service_request_id"] for item in body] == [posted["service_request_id"]]
    item = body[0]
    assert set(item) == set(REQUEST_FIELDS)
    for name, kind in REQUEST_FIELDS.items():
        assert isinstance(item[name], kind), name
    with tenant_context(aracaju):
        case = Case.objects.get(nup=posted["service_request_id"])
        assert item == {
            "service_request_id": case.nup,
            "status": "open",
            "status_notes": None,
            "service_name": "Poda de árvore",
            "service_code": "poda-de-arvore",
            "description": None,  # restrito: the subject stays out, and the notice says so
            "agency_responsible": case.current_unit.name,
            "service_notice": posted["service_notice"],
            "requested_datetime": timezone.localtime(case.opened_at).isoformat(timespec="seconds"),
            "updated_datetime": timezone.localtime(case.last_event_at).isoformat(timespec="seconds"),
            "expected_datetime": f"{case.deadline.isoformat()}T23:59:59-03:00",
            "address": "Rua Laranjeiras, 100, Centro",
            "address_id": None,
            "zipcode": None,
            "lat": -10.9111,
            "long": -37.0717,
            "media_url": "https://fotos.exemplo.com.br/arvore.jpg",
        }


def test_a_public_closed_case_shows_its_subject_and_final_answer(aracaju):
    _publish(aracaju)
    case = _open(aracaju)
    with tenant_context(aracaju):
        staff = User.objects.get(email=demo.DEMO_STAFF["aracaju"]["email"])
        case_close(case=case, actor=staff, answer="Poda realizada em 10/11.")
        Case.objects.filter(pk=case.pk).update(access_level=AccessLevel.PUBLIC)

    item = city_client(aracaju).get(f"{BASE}/requests/{nup_digits(nup=case.nup)}.json").json()[0]

    assert item["status"] == "closed"
    assert item["status_notes"] == "Poda realizada em 10/11."
    assert item["description"] == "Árvore caindo"
    assert item["lat"] is None
    assert item["address"] == "Rua do Teste, 5"


def test_sigiloso_cases_are_never_listed(aracaju):
    _publish(aracaju)
    case = _open(aracaju)
    with tenant_context(aracaju):
        Case.objects.filter(pk=case.pk).update(access_level=AccessLevel.SECRET)

    assert city_client(aracaju).get(f"{BASE}/requests.json").json() == []
    assert city_client(aracaju).get(f"{BASE}/requests/{nup_digits(nup=case.nup)}.json").status_code == 404


def test_requests_filters(aracaju):
    _publish(aracaju)
    first, second, third = _open(aracaju), _open(aracaju), _open(aracaju)
    with tenant_context(aracaju):
        staff = User.objects.get(email=demo.DEMO_STAFF["aracaju"]["email"])
        case_close(case=second, actor=staff, answer="Feito.")
        Case.objects.filter(pk=first.pk).update(opened_at=timezone.now() - dt.timedelta(days=100))
    client = city_client(aracaju)

    def ids(**params: str) -> list[str]:
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return [item["service_request_id"] for item in response.json()]

    # the default window is the last 90 days, newest first
    assert ids() == [third.nup, second.nup]
    assert ids(status="open") == [third.nup]
    assert ids(status="closed") == [second.nup]
    assert ids(status="open,closed") == [third.nup, second.nup]
    assert ids(service_code="alvara-de-funcionamento") == []
    assert ids(service_code="poda-de-arvore,alvara-de-funcionamento") == [third.nup, second.nup]
    old = (timezone.now() - dt.timedelta(days=120)).isoformat()
    recent = (timezone.now() - dt.timedelta(days=50)).isoformat()
    assert ids(start_date=old, end_date=recent) == [first.nup]
    assert ids(start_date=recent) == [third.nup, second.nup]
    assert ids(end_date=recent) == [first.nup]
    # ids ignore the other filters; digits and formatted NUPs both work
    assert ids(service_request_id=f"{nup_digits(nup=first.nup)},{third.nup}", status="closed") == [
        third.nup,
        first.nup,
    ]


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"status": "aberto"}, "status: use open ou closed."),
        (
            {"start_date": "ontem"},
            "start_date: data inválida; use ISO 8601, por exemplo 2026-01-31T08:00:00-03:00.",
        ),
        (
            {"end_date": "2026-13-40"},
            "end_date: data inválida; use ISO 8601, por exemplo 2026-01-31T08:00:00-03:00.",
        ),
    ],
)
def test_bad_filters_are_a_400(aracaju, params, description):
    response = city_client(aracaju).get(f"{BASE}/requests.json", params)

    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": description}]


def test_request_detail_by_digits_or_url_encoded_nup_in_json_and_xml(aracaju):
    _publish(aracaju)
    case = _open(aracaju)
    client = city_client(aracaju)

    by_digits = client.get(f"{BASE}/requests/{nup_digits(nup=case.nup)}.json")
    by_nup = client.get(f"{BASE}/requests/{case.nup.replace('/', '%2F')}.json")
    as_xml = client.get(f"{BASE}/requests/{nup_digits(nup=case.nup)}.xml")

    assert by_digits.status_code == by_nup.status_code == as_xml.status_code == 200
    assert by_digits.json() == by_nup.json()
    assert by_digits.json()[0]["service_request_id"] == case.nup
    root = xml_of(as_xml)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [child.tag for child in request] == list(REQUEST_FIELDS)
    assert request.findtext("service_request_id") == case.nup
    assert request.findtext("status") == "open"
    assert request.findtext("lat") == ""


def test_request_detail_of_an_unpublished_service_is_a_404(aracaju):
    _publish(aracaju, published=False)
    case = _open(aracaju)

    response = city_client(aracaju).get(f"{BASE}/requests/{nup_digits(nup=case.nup)}.json")

    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "Solicitação não encontrada."}]


def test_requests_list_query_count_does_not_grow(aracaju, django_assert_max_num_queries):
    _publish(aracaju)
    for _ in range(4):
        _open(aracaju)
    client = city_client(aracaju)
    client.get(f"{BASE}/requests.json")  # warm the tenant's domain cache

    with django_assert_max_num_queries(6):
        response = client.get(f"{BASE}/requests.json")

    assert len(response.json()) == 4


# privacy and tenancy


def test_no_personal_data_in_any_response(aracaju, aracaju_key):
    _publish(aracaju)
    posted = _post(aracaju, aracaju_key).json()[0]
    case = _open(aracaju)
    client = city_client(aracaju)
    markers = [
        demo.DEMO_CITIZEN["full_name"],
        demo.DEMO_CITIZEN["email"],
        demo.DEMO_CITIZEN["cpf"],
        "Joana",
        "Requerente",
        POST["email"],
        POST["phone"],
        "Galhos encostando",  # the requester's free text (restrito)
        "Árvore caindo",  # a restrito case's subject
    ]
    paths = [
        f"{BASE}/discovery.{{fmt}}",
        f"{BASE}/services.{{fmt}}",
        f"{BASE}/services/poda-de-arvore.{{fmt}}",
        f"{BASE}/requests.{{fmt}}",
        f"{BASE}/requests/{nup_digits(nup=case.nup)}.{{fmt}}",
        f"{BASE}/requests/{nup_digits(nup=posted['service_request_id'])}.{{fmt}}",
        f"{BASE}/tokens/{posted['token']}.{{fmt}}",
    ]
    for path in paths:
        for fmt in ("json", "xml"):
            response = client.get(path.format(fmt=fmt))
            assert response.status_code == 200, path
            text = response.content.decode()
            assert not [marker for marker in markers if marker in text], path


def test_a_key_of_aracaju_is_refused_on_gravatai(aracaju_key, gravatai):
    with tenant_context(gravatai):
        before = _counts()

    response = _post(gravatai, aracaju_key, service_code="duvidas-sobre-iss")

    assert response.status_code == 403
    assert response.json() == [
        {"code": 403, "description": "Chave de acesso (api_key) inválida ou desativada."}
    ]
    with tenant_context(gravatai):
        assert _counts() == before


def test_a_request_of_gravatai_is_not_found_on_aracaju(aracaju, gravatai, gravatai_key):
    _publish(gravatai, "revisao-de-iptu")
    posted = _post(
        gravatai,
        gravatai_key,
        service_code="revisao-de-iptu",
        **{"attribute[inscricao]": "123", "attribute[motivo]": "Área errada"},
    ).json()[0]
    nup = posted["service_request_id"]
    assert city_client(gravatai).get(f"{BASE}/requests/{nup_digits(nup=nup)}.json").status_code == 200

    assert city_client(aracaju).get(f"{BASE}/requests/{nup_digits(nup=nup)}.json").status_code == 404
    assert city_client(aracaju).get(f"{BASE}/tokens/{posted['token']}.json").status_code == 404
    assert city_client(aracaju).get(f"{BASE}/requests.json", {"service_request_id": nup}).json() == []
    assert city_client(aracaju).get(f"{BASE}/services/revisao-de-iptu.json").status_code == 404


# management commands


def test_client_create_command_prints_the_key_once_and_stores_its_hash(aracaju):
    out = io.StringIO()

    call_command("open311_client_create", "--schema", "aracaju", "--name", "App da Zeladoria", stdout=out)

    key = out.getvalue().strip()
    with tenant_context(aracaju):
        client = ApiClient.objects.get(name="App da Zeladoria")
        assert client.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key not in str(list(ApiClient.objects.values()))
    assert _post(aracaju, key).status_code == 201


def test_service_publish_command(aracaju):
    case = _open(aracaju)

    def run(*args: str) -> None:
        call_command("open311_service_publish", "--schema", "aracaju", *args, stdout=io.StringIO())

    run("--code", "poda-de-arvore", "--remove")
    assert city_client(aracaju).get(f"{BASE}/requests/{nup_digits(nup=case.nup)}.json").status_code == 404

    run("--code", "poda-de-arvore")
    assert city_client(aracaju).get(f"{BASE}/requests/{nup_digits(nup=case.nup)}.json").status_code == 200

    with pytest.raises(CommandError, match="exige documentos anexos"):
        run("--code", "alvara-de-funcionamento")
