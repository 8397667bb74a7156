from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.catalog.services import service_ensure
from tenant_apps.org.models import OrgUnit

PODA = {
    "code": "poda-de-arvore",
    "name": "Poda de árvore",
    "description": "Pedido de poda ou avaliação de árvore em calçada ou área pública.",
    "group": "Meio urbano",
    "unit": {"acronym": "EMSURB", "name": "Empresa Municipal de Serviços Urbanos"},
    "deadline_days": 15,
    "deadline_kind": "business",
    "fields": [
        {
            "key": "endereco",
            "label": "Endereço da árvore",
            "kind": "address",
            "required": True,
            "choices": [],
            "help_text": "",
        },
        {
            "key": "referencia",
            "label": "Ponto de referência",
            "kind": "text",
            "required": False,
            "choices": [],
            "help_text": "",
        },
        {
            "key": "motivo",
            "label": "Motivo",
            "kind": "choice",
            "required": True,
            "choices": ["Risco de queda", "Galhos na fiação", "Obstrução de calçada", "Outro"],
            "help_text": "",
        },
    ],
    "required_attachments": [{"name": "Foto da árvore", "description": "", "required": False}],
}


def test_the_catalogue_is_public_with_forms_and_required_documents(aracaju):
    response = Client(HTTP_HOST="aracaju.localhost").get("/api/v1/services/")

    assert response.status_code == 200
    # the permit kinds' services (tenant_apps/permits' demo data) are tested in tests/permits
    services = [service for service in response.json() if service["group"] != "Alvarás e licenças"]
    assert [(service["group"], service["code"]) for service in services] == [
        ("Atendimento", "atendimento-na-sefaz"),
        ("Empresas", "alvara-de-funcionamento"),
        ("Meio urbano", "poda-de-arvore"),
        ("Tributos", "certidao-negativa-de-debitos"),
    ]
    assert services[2] == PODA
    assert services[3]["required_attachments"] == [
        {"name": "Documento de identificação", "description": "", "required": True}
    ]


def test_one_service_and_unknown_or_internal_ones(aracaju, gravatai):
    aracaju_client = Client(HTTP_HOST="aracaju.localhost")
    gravatai_client = Client(HTTP_HOST="gravatai.localhost")

    assert aracaju_client.get("/api/v1/services/poda-de-arvore/").json() == PODA
    # another city's service, an unknown one and an internal one (SESMT) are all just not there
    assert aracaju_client.get("/api/v1/services/revisao-de-iptu/").status_code == 404
    assert aracaju_client.get("/api/v1/services/nao-existe/").json() == {"detail": "Não encontrado."}
    assert gravatai_client.get("/api/v1/services/avaliacao-sesmt/").status_code == 404
    assert gravatai_client.get("/api/v1/services/revisao-de-iptu/").json()["unit"] == {
        "acronym": "SMF-FISC",
        "name": "Fiscalização Tributária (fiscais de IPTU, ISS, ITBI e NFS-e)",
    }


def test_a_bad_token_does_not_lock_anyone_out_of_the_public_catalogue(aracaju):
    client = Client(HTTP_HOST="aracaju.localhost", HTTP_AUTHORIZATION="Token nao-existe")

    assert client.get("/api/v1/services/").status_code == 200
    assert client.post("/api/v1/services/", {}).status_code == 405


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/services/").status_code == 200
    return len(queries)


def test_the_catalogue_costs_the_same_queries_for_3_or_13_services(aracaju):
    client = Client(HTTP_HOST="aracaju.localhost")
    client.get("/api/v1/services/")  # warm the host -> city cache
    few = _queries(client)

    with tenant_context(aracaju):
        unit = OrgUnit.objects.get(acronym="SEMA")
        for number in range(10):
            service_ensure(
                code=f"servico-{number}",
                name=f"Serviço {number}",
                unit=unit,
                fields=[{"key": "a", "label": "A"}, {"key": "b", "label": "B", "kind": "date"}],
                attachments=[{"name": "RG"}],
            )
    many = _queries(client)

    assert len(client.get("/api/v1/services/").json()) == 18  # 4 + 4 permit kinds + 10
    assert many == few
