"""Open data: every dataset as CSV (validated against its data dictionary with frictionless) and
JSON, small counts of people as "<5", no personal data and no free text anywhere, and a DCAT
catalogue that an RDF parser (what CKAN's DCAT harvester uses) reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from django_tenants.utils import tenant_context
from frictionless import Dialect, Resource, Schema, formats

from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.catalog.models import Service, ServiceField
from tenant_apps.comms.fanout import circular_fanout
from tenant_apps.comms.services import circular_send
from tenant_apps.insights.opendata import datasets_all, table_schema
from tenant_apps.insights.services import aggregates_refresh, neighbourhoods_ensure
from tenant_apps.ombudsman.services import manifestation_file
from tests.conftest import ARACAJU_HOST
from tests.documents.conftest import media_root  # noqa: F401 - the fixture (the permit's files)

from .conftest import case_story, unit

# this module's datasets and every other module's (`indicators.datasets()`, e.g. payments)
DATASETS = datasets_all()

MARKER_NAME = "Zenóbia Marcadora Pessoal"
MARKER_CPF = "39053344705"
MARKER_EMAIL = "zenobia.marcadora@exemplo.com.br"
MARKER_TEXT = "TEXTOLIVREMARCADOR"
MARKERS = (MARKER_NAME, MARKER_CPF, MARKER_EMAIL, MARKER_TEXT, "Qual o número da casa", "Número 10.")


@pytest.fixture
def published(aracaju, media_root):  # noqa: F811
    """Aracaju with three closed cases of one service (fewer than 5 people), a manifestation and
    personal data and free text everywhere the case engine keeps them."""
    with tenant_context(aracaju):
        User.objects.create_user(
            MARKER_EMAIL, "x-Senha-123", full_name=MARKER_NAME, cpf=MARKER_CPF, kind=UserKind.CITIZEN
        )
        neighbourhoods_ensure(names=["Atalaia"])
        ServiceField.objects.create(
            service=Service.objects.get(code="poda-de-arvore"),
            key="bairro",
            label="Bairro",
            is_required=False,
        )
        for number in range(3):
            case_story(
                form_extra={"referencia": f"{MARKER_TEXT} {number}", "bairro": "Atalaia"},
                answer=f"{MARKER_TEXT} resposta {MARKER_NAME}",
            )
        manifestation_file(
            kind="reclamacao",
            identity_mode="identificado",
            subject=f"{MARKER_TEXT} assunto",
            description=f"{MARKER_TEXT} descrição {MARKER_CPF}",
            filer_name=MARKER_NAME,
            filer_email=MARKER_EMAIL,
        )
        circular = circular_send(
            author=User.objects.get(email="gestor@aracaju.gov.br"),  # SEPLOG-PROT's manager
            sender_unit=unit("SEPLOG-PROT"),
            subject=f"{MARKER_TEXT} circular",
            body=f"{MARKER_TEXT} corpo {MARKER_NAME}",
            everyone=True,
        )
        circular_fanout(circular_id=circular.pk)
        _permit_of_a_person()
        _permit_of_a_person(mei=True)
        aggregates_refresh()
    return aracaju


def _permit_of_a_person(*, mei: bool = False) -> None:
    """A permit issued to a natural person (the marker's name and CPF), or to a MEI, whose razão social
    is the same person's name followed by the CPF: the register lists the permit and never the
    person."""
    from types import SimpleNamespace

    from django.utils import timezone

    from paco_demo import cities as demo
    from tenant_apps.permits import services as permits
    from tenant_apps.permits.models import PermitKind
    from tenant_apps.permits.services import fee_paid_handler
    from tests.permits.conftest import operation_answers, operation_files

    answers = (
        operation_answers("4721-1/02", mei="Sim", nome_razao_social=f"{MARKER_NAME} {MARKER_CPF}")
        if mei
        else operation_answers("4721-1/02", cpf_cnpj=MARKER_CPF, nome_razao_social=MARKER_NAME)
    )
    request = permits.permit_request_submit(
        kind=PermitKind.objects.get(service__code="alvara-funcionamento"),
        citizen=User.objects.get(email=demo.DEMO_CITIZEN["email"]),
        form_data=answers,
        uploads=operation_files(today_text=timezone.localdate().strftime("%d/%m/%Y")),
        accept_terms=True,
    )
    if not mei:  # a MEI pays no fee (LC 123/2006)
        fee_paid_handler(SimpleNamespace(reference=str(request.pk), paid_at=timezone.now()))
    permits.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    assert request.permit.mode == "automatico"


def _get(client, path: str) -> str:
    response = client.get(path, HTTP_HOST=ARACAJU_HOST)
    assert response.status_code == 200, path
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


def test_no_dataset_holds_a_name_a_cpf_an_email_or_free_text(published, client):
    paths = ["/dados-abertos/", "/dados-abertos/catalogo.json"]
    for slug in DATASETS:
        paths += [
            f"/dados-abertos/{slug}.csv",
            f"/dados-abertos/{slug}.json",
            f"/dados-abertos/{slug}/dicionario/",
            f"/dados-abertos/{slug}/schema.json",
        ]
    for path in paths:
        body = _get(client, path)
        leaked = [marker for marker in MARKERS if marker in body]
        assert not leaked, f"{path} publishes {leaked}"


def test_the_permits_register_page_lists_the_permits_of_a_person_and_a_mei_without_their_names(
    published, client
):
    from tenant_apps.permits.models import Permit

    body = _get(client, "/alvaras/")
    with tenant_context(published):
        numbers = set(Permit.objects.values_list("number", flat=True))
    assert len(numbers) == 2
    assert all(number in body for number in numbers)
    assert [marker for marker in MARKERS if marker in body] == []
    rows = _get(client, "/dados-abertos/alvaras-emitidos.csv").splitlines()[1:]
    assert sorted(row.split(";")[0] for row in rows) == sorted(numbers)
    assert [row.split(";")[-1] for row in rows] == ["", ""]  # no holder: a person, a MEI


def test_small_counts_of_people_are_published_as_less_than_five(published, client):
    text = _get(client, "/dados-abertos/protocolos-por-servico.csv")
    header = "mes;servico_codigo;servico_nome;unidade_sigla;abertos;concluidos;concluidos_no_prazo"
    assert text.startswith(f"\ufeff{header}\r\n")
    row = next(line for line in text.splitlines() if ";poda-de-arvore;" in line)
    assert row.endswith(";Poda de árvore;EMSURB;<5;<5;<5")
    neighbourhoods = _get(client, "/dados-abertos/protocolos-por-bairro.csv")
    assert ";Atalaia;poda-de-arvore;Poda de árvore;<5" in neighbourhoods
    data = json.loads(_get(client, "/dados-abertos/protocolos-por-servico.json"))
    [record] = [r for r in data["registros"] if r["servico_codigo"] == "poda-de-arvore"]
    assert record["abertos"] == "<5"


@pytest.mark.parametrize("slug", sorted(DATASETS))
def test_every_csv_is_valid_against_its_data_dictionary(published, client, slug, tmp_path: Path):
    text = _get(client, f"/dados-abertos/{slug}.csv")
    assert text.startswith("\ufeff")
    path = tmp_path / f"{slug}.csv"
    path.write_bytes(text.encode("utf-8"))
    with tenant_context(published):
        schema = Schema.from_descriptor(table_schema(DATASETS[slug]))
    dialect = Dialect(controls=[formats.CsvControl(delimiter=";")])
    resource = Resource(
        path=path.name, basepath=str(tmp_path), schema=schema, dialect=dialect, encoding="utf-8-sig"
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert len(text.splitlines()) >= 2, "the dataset has rows to validate"


def test_numbers_use_the_decimal_comma(published, client):
    text = _get(client, "/dados-abertos/ouvidoria-e-lai.csv")
    header = text.splitlines()[0].lstrip("\ufeff").split(";")
    assert header[-1] == "satisfacao_media"
    times = _get(client, "/dados-abertos/circulares-leitura.csv")
    assert times.splitlines()[0].lstrip("\ufeff").startswith("mes;unidade_sigla;circulares")


def test_the_dcat_catalogue_is_rdf_with_every_dataset_and_its_downloads(published, client):
    body = _get(client, "/dados-abertos/catalogo.json")
    graph = rdflib.Graph().parse(data=body, format="json-ld")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    datasets = set(graph.subjects(rdflib.RDF.type, dcat.Dataset))
    assert len(datasets) == len(DATASETS)
    assert len(set(graph.subjects(rdflib.RDF.type, dcat.Catalog))) == 1
    titles = {str(graph.value(dataset, dct.title)) for dataset in datasets}
    assert titles == {dataset.title for dataset in DATASETS.values()}
    for dataset in datasets:
        formats_found = set()
        for distribution in graph.objects(dataset, dcat.distribution):
            url = str(graph.value(distribution, dcat.downloadURL))
            assert url.startswith("http://aracaju.localhost/dados-abertos/")
            formats_found.add(str(graph.value(distribution, dct["format"])))
            _get(client, url.removeprefix("http://aracaju.localhost"))
        assert formats_found == {"CSV", "JSON"}


def test_a_year_filter_and_an_unknown_dataset(published, client):
    assert client.get("/dados-abertos/nao-existe.csv", HTTP_HOST=ARACAJU_HOST).status_code == 404
    text = _get(client, "/dados-abertos/protocolos-por-servico.csv?ano=2001")
    assert text.splitlines()[1:] == []
