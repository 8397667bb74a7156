import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.accounts.models import User
from tenant_apps.cases.services import case_open
from tenant_apps.catalog.models import Service
from tenant_apps.catalog.services import FieldSpec, service_create
from tenant_apps.org.models import OrgUnit
from tests.catalog.conftest import form_data, service_snapshot
from tests.conftest import client_for

LIST = "/admin-municipal/servicos/"
CREATE = "/admin-municipal/servicos/novo/"
ROW = "/admin-municipal/servicos/nova-linha/"
STAFF_LOGIN = "/staff/entrar/"


def _service_id(municipality, code: str) -> int:
    with tenant_context(municipality):
        return Service.objects.get(code=code).pk


def _paths(aracaju) -> list[str]:
    poda = _service_id(aracaju, "poda-de-arvore")
    return [
        LIST,
        CREATE,
        ROW,
        f"/admin-municipal/servicos/{poda}/",
        f"/admin-municipal/servicos/{poda}/previa/",
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("citizen", 302),
        ("staff", 404),
        ("manager", 404),
        ("admin", 200),
    ],
)
def test_only_the_municipal_admin_opens_the_catalogue_pages(aracaju, role, expected):
    client = client_for(role, aracaju)
    for path in _paths(aracaju):
        response = client.get(path, HTTP_HOST="aracaju.localhost")

        assert response.status_code == expected, path
        if expected == 302:
            assert response["Location"] == f"{STAFF_LOGIN}?next={path.replace('?', '%3F')}"


def _new_service_payload(unit_id: int) -> dict[str, str]:
    return {
        "code": "limpeza-de-terreno",
        "name": "Limpeza de terreno baldio",
        "description": "Denúncia de terreno sujo ou com mato alto.",
        "group": "Meio urbano",
        "unit": str(unit_id),
        "deadline_days": "30",
        "deadline_kind": "calendar",
        "visibility": "public",
        "is_active": "on",
        "fields-TOTAL_FORMS": "3",
        "fields-INITIAL_FORMS": "0",
        "fields-0-position": "2",
        "fields-0-key": "endereco",
        "fields-0-label": "Endereço do terreno",
        "fields-0-kind": "address",
        "fields-0-is_required": "on",
        "fields-1-position": "1",
        "fields-1-key": "situacao",
        "fields-1-label": "Situação",
        "fields-1-kind": "choice",
        "fields-1-choices": "Mato alto\r\nLixo acumulado\r\n",
        "fields-1-is_required": "on",
        # an added row left blank is ignored
        "fields-2-position": "3",
        "fields-2-kind": "text",
        "fields-2-is_required": "on",
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "0",
        "attachments-0-position": "1",
        "attachments-0-name": "Foto do terreno",
        "attachments-0-description": "Uma foto recente",
        "attachments-0-is_required": "on",
    }


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("staff", 404), ("manager", 404)])
def test_only_the_admin_can_create_a_service(aracaju, role, expected):
    with tenant_context(aracaju):
        emsurb = OrgUnit.objects.get(acronym="EMSURB").pk

    response = client_for(role, aracaju).post(
        CREATE, _new_service_payload(emsurb), HTTP_HOST="aracaju.localhost"
    )

    assert response.status_code == expected
    with tenant_context(aracaju):
        assert not Service.objects.filter(code="limpeza-de-terreno").exists()


def test_the_admin_creates_a_service_with_its_form_and_documents(aracaju):
    with tenant_context(aracaju):
        emsurb = OrgUnit.objects.get(acronym="EMSURB").pk
    client = client_for("admin", aracaju)

    response = client.post(CREATE, _new_service_payload(emsurb), HTTP_HOST="aracaju.localhost")

    with tenant_context(aracaju):
        service = Service.objects.get(code="limpeza-de-terreno")
        assert response.status_code == 302
        assert response["Location"] == f"/admin-municipal/servicos/{service.pk}/"
        assert service_snapshot("limpeza-de-terreno")[1:] == (
            "limpeza-de-terreno",
            "Limpeza de terreno baldio",
            "Denúncia de terreno sujo ou com mato alto.",
            "Meio urbano",
            "EMSURB",
            30,
            "calendar",
            True,
            True,
            [
                (
                    service.fields.get(key="situacao").pk,
                    1,
                    "situacao",
                    "Situação",
                    "choice",
                    True,
                    ["Mato alto", "Lixo acumulado"],
                    "",
                ),
                (
                    service.fields.get(key="endereco").pk,
                    2,
                    "endereco",
                    "Endereço do terreno",
                    "address",
                    True,
                    [],
                    "",
                ),
            ],
            [(service.required_attachments.get().pk, 1, "Foto do terreno", "Uma foto recente", True)],
        )
    page = client.get(response["Location"], HTTP_HOST="aracaju.localhost")
    assert "Serviço “Limpeza de terreno baldio” criado." in page.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"fields-1-choices": ""},
            "Campo “Situação”: um campo de escolha precisa de pelo menos uma opção (uma por linha).",
        ),
        ({"fields-1-key": "endereco"}, "Por favor, corrija"),  # the formset's own duplicate check
        ({"fields-1-key": "Endereco "}, "O identificador “endereco” aparece em mais de um campo"),
        ({"deadline_days": "0"}, "Certifique-se que este valor seja maior ou igual a 1."),
        ({"unit": "987654"}, "Faça uma escolha válida."),
        ({"code": "poda-de-arvore"}, "Já existe um serviço com o código “poda-de-arvore”."),
    ],
)
def test_bad_input_shows_the_problem_and_saves_nothing(aracaju, changes, message):
    with tenant_context(aracaju):
        emsurb = OrgUnit.objects.get(acronym="EMSURB").pk
        count = Service.objects.count()
    payload = {**_new_service_payload(emsurb), **changes}

    response = client_for("admin", aracaju).post(CREATE, payload, HTTP_HOST="aracaju.localhost")

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Corrija os pontos indicados abaixo. Nada foi salvo." in body
    with tenant_context(aracaju):
        assert Service.objects.count() == count


@pytest.mark.parametrize("slug", ["aracaju", "gravatai"])
def test_every_demo_service_round_trips_through_the_edit_page_unchanged(slug, aracaju, gravatai):
    municipality = {"aracaju": aracaju, "gravatai": gravatai}[slug]
    host = f"{slug}.localhost"
    client = client_for("admin", municipality)
    with tenant_context(municipality):
        codes = list(Service.objects.order_by("code").values_list("code", flat=True))
    assert len(codes) >= 3

    for code in codes:
        with tenant_context(municipality):
            before = service_snapshot(code)
        path = f"/admin-municipal/servicos/{before[0]}/"

        page = client.get(path, HTTP_HOST=host)
        response = client.post(path, form_data(page.content.decode()), HTTP_HOST=host)

        assert response.status_code == 302, (code, response.content.decode()[:2000])
        with tenant_context(municipality):
            after = service_snapshot(code)
        assert after[:10] == before[:10]
        # the same rows in the same order; only the positions are renumbered from 1
        assert [row[:1] + row[2:] for row in after[10]] == [row[:1] + row[2:] for row in before[10]]
        assert [row[:1] + row[2:] for row in after[11]] == [row[:1] + row[2:] for row in before[11]]


def test_the_edit_page_deletes_reorders_and_adds_rows(aracaju):
    client = client_for("admin", aracaju)
    poda = _service_id(aracaju, "poda-de-arvore")
    path = f"/admin-municipal/servicos/{poda}/"
    data = form_data(client.get(path, HTTP_HOST="aracaju.localhost").content.decode())
    assert (data["fields-TOTAL_FORMS"], data["fields-0-key"], data["fields-2-key"]) == (
        "3",
        "endereco",
        "motivo",
    )

    # "motivo" first, "referencia" deleted, one new field through the htmx row
    data["fields-2-position"] = "0"
    data["fields-1-DELETE"] = "on"
    row = client.get(ROW, {"formset": "fields", "fields-TOTAL_FORMS": "3"}, HTTP_HOST="aracaju.localhost")
    data.update({key: value for key, value in form_data(f"<form method=post>{row.content.decode()}").items()})
    data.update(
        {"fields-3-key": "numero_arvores", "fields-3-label": "Quantas árvores", "fields-3-kind": "number"}
    )
    response = client.post(path, data, HTTP_HOST="aracaju.localhost")

    assert response.status_code == 302
    with tenant_context(aracaju):
        assert list(
            Service.objects.get(pk=poda).fields.order_by("position").values_list("position", "key", "kind")
        ) == [(1, "motivo", "choice"), (2, "endereco", "address"), (3, "numero_arvores", "number")]


def test_the_row_endpoint_answers_a_numbered_empty_row_and_the_new_total(aracaju):
    client = client_for("admin", aracaju)

    fields = client.get(ROW, {"formset": "fields", "fields-TOTAL_FORMS": "3"}, HTTP_HOST="aracaju.localhost")
    documents = client.get(
        ROW, {"formset": "attachments", "attachments-TOTAL_FORMS": "0"}, HTTP_HOST="aracaju.localhost"
    )
    unknown = client.get(ROW, {"formset": "service"}, HTTP_HOST="aracaju.localhost")

    assert fields.status_code == 200
    body = fields.content.decode()
    assert sorted(set(re.findall(r'name="(fields-\d+-[A-Za-z_]+)"', body))) == [
        "fields-3-DELETE",
        "fields-3-choices",
        "fields-3-help_text",
        "fields-3-id",
        "fields-3-is_required",
        "fields-3-key",
        "fields-3-kind",
        "fields-3-label",
        "fields-3-position",
        "fields-3-service",
    ]
    assert 'name="fields-3-position" value="4"' in body
    total = (
        '<input type="hidden" name="fields-TOTAL_FORMS" value="4" id="id_fields-TOTAL_FORMS"'
        ' hx-swap-oob="true">'
    )
    assert total in body
    assert "<form" not in body
    assert documents.status_code == 200
    assert 'name="attachments-0-name"' in documents.content.decode()
    assert 'id="id_attachments-TOTAL_FORMS" hx-swap-oob="true"' in documents.content.decode()
    assert unknown.status_code == 404


def test_the_preview_shows_the_citizen_form_without_a_way_to_send_it(aracaju):
    client = client_for("admin", aracaju)
    poda = _service_id(aracaju, "poda-de-arvore")

    response = client.get(f"/admin-municipal/servicos/{poda}/previa/", HTTP_HOST="aracaju.localhost")

    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Endereço da árvore",
        "Ponto de referência",
        "Galhos na fiação",
        "Foto da árvore",
        "15 dias úteis",
    ):
        assert text in body
    assert 'method="post"' not in body.split('id="conteudo"')[1]
    assert '<button class="br-button primary mt-3" type="button" disabled>Enviar pedido</button>' in body


def test_the_list_shows_every_service_with_unit_deadline_visibility_and_state(aracaju):
    with tenant_context(aracaju):
        Service.objects.filter(code="alvara-de-funcionamento").update(is_active=False, is_public=False)

    response = client_for("admin", aracaju).get(LIST, HTTP_HOST="aracaju.localhost")

    body = response.content.decode()
    rows = re.findall(r"<tr>\s*(<td><a class=\"text-weight-semi-bold\".*?)</tr>", body, re.S)
    texts = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]
    # the permit kinds' services (tenant_apps/permits' demo data) are tested in tests/permits
    texts = [text for text in texts if " Alvarás e licenças " not in text]
    assert texts == [
        "Alvará de funcionamento alvara-de-funcionamento Empresas SEFAZ-TRIB 30 dias corridos "
        "Interno Inativo Editar Alvará de funcionamento · Prévia Alvará de funcionamento",
        "Atendimento na SEFAZ atendimento-na-sefaz Atendimento SEFAZ-TRIB 5 dias úteis Público Ativo "
        "Editar Atendimento na SEFAZ · Prévia Atendimento na SEFAZ",
        "Certidão negativa de débitos certidao-negativa-de-debitos Tributos SEFAZ-TRIB 5 dias úteis "
        "Público Ativo Editar Certidão negativa de débitos · Prévia Certidão negativa de débitos",
        "Poda de árvore poda-de-arvore Meio urbano EMSURB 15 dias úteis Público Ativo "
        "Editar Poda de árvore · Prévia Poda de árvore",
    ]


def test_the_list_runs_the_same_queries_for_more_services(aracaju):
    client = client_for("admin", aracaju)
    client.get(LIST, HTTP_HOST="aracaju.localhost")  # warm the session and the tenant lookup
    with CaptureQueriesContext(connection) as few:
        client.get(LIST, HTTP_HOST="aracaju.localhost")
    with tenant_context(aracaju):
        sema = OrgUnit.objects.get(acronym="SEMA").pk
        for number in range(5):
            service_create(code=f"servico-{number}", name=f"Serviço {number}", unit_id=sema)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST, HTTP_HOST="aracaju.localhost")

    assert (
        response.content.decode().count('<td><a class="text-weight-semi-bold"') == 13
    )  # 4 + 4 permit kinds + 5
    assert len(many.captured_queries) == len(few.captured_queries)


def test_removing_a_service_without_cases_deletes_it(aracaju):
    certidao = _service_id(aracaju, "certidao-negativa-de-debitos")

    response = client_for("admin", aracaju).post(
        f"/admin-municipal/servicos/{certidao}/remover/", HTTP_HOST="aracaju.localhost", follow=True
    )

    assert response.redirect_chain == [(LIST, 302)]
    assert "Serviço “Certidão negativa de débitos” excluído." in response.content.decode()
    with tenant_context(aracaju):
        assert not Service.objects.filter(pk=certidao).exists()


def test_removing_a_service_with_cases_deactivates_it(aracaju):
    with tenant_context(aracaju):
        poda = Service.objects.get(code="poda-de-arvore")
        case_open(
            service=poda,
            opened_by=User.objects.get(email="cidadao@exemplo.com.br"),
            form_data={"endereco": "Rua Laranjeiras, 100", "motivo": "Outro"},
        )
    client = client_for("admin", aracaju)
    assert (
        "Desativar serviço"
        in client.get(f"/admin-municipal/servicos/{poda.pk}/", HTTP_HOST="aracaju.localhost").content.decode()
    )

    response = client.post(
        f"/admin-municipal/servicos/{poda.pk}/remover/", HTTP_HOST="aracaju.localhost", follow=True
    )

    assert response.redirect_chain == [(LIST, 302)]
    assert "já tem protocolos, por isso foi desativado em vez de excluído" in response.content.decode()
    with tenant_context(aracaju):
        assert Service.objects.filter(pk=poda.pk).values_list("is_active", flat=True).get() is False


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_other_staff_cannot_remove_a_service(aracaju, role):
    certidao = _service_id(aracaju, "certidao-negativa-de-debitos")

    response = client_for(role, aracaju).post(
        f"/admin-municipal/servicos/{certidao}/remover/", HTTP_HOST="aracaju.localhost"
    )

    assert response.status_code == 404
    with tenant_context(aracaju):
        assert Service.objects.filter(pk=certidao, is_active=True).exists()


def test_the_admin_of_gravatai_cannot_see_or_change_a_service_of_aracaju(aracaju, gravatai):
    # given: an Aracaju service whose id does not exist in Gravataí's schema
    with tenant_context(aracaju):
        unit = OrgUnit.objects.get(acronym="SEMA")
        Service.objects.create(pk=987654, code="servico-de-aracaju", name="Serviço só de Aracaju", unit=unit)
        before = service_snapshot("servico-de-aracaju")
    with tenant_context(gravatai):
        assert not Service.objects.filter(pk=987654).exists()
    client = client_for("admin", gravatai)
    base = "/admin-municipal/servicos/987654/"

    # when / then: on Gravataí's host the id simply does not exist
    for path in (base, f"{base}previa/"):
        assert client.get(path, HTTP_HOST="gravatai.localhost").status_code == 404
    assert client.post(base, {"name": "Invadido"}, HTTP_HOST="gravatai.localhost").status_code == 404
    assert client.post(f"{base}remover/", HTTP_HOST="gravatai.localhost").status_code == 404
    # and on Aracaju's host Gravataí's session is nobody
    response = client.get(base, HTTP_HOST="aracaju.localhost")
    assert response.status_code == 302
    assert response["Location"].startswith(STAFF_LOGIN)
    assert "Serviço só de Aracaju" not in client.get(LIST, HTTP_HOST="gravatai.localhost").content.decode()
    with tenant_context(aracaju):
        assert service_snapshot("servico-de-aracaju") == before


def test_a_new_service_shows_up_for_the_citizen_and_an_internal_one_does_not(aracaju):
    with tenant_context(aracaju):
        sema = OrgUnit.objects.get(acronym="SEMA").pk
        service_create(
            code="vistoria-ambiental",
            name="Vistoria ambiental",
            unit_id=sema,
            fields=[FieldSpec(key="local", label="Local da vistoria")],
        )
        service_create(code="uso-interno", name="Pedido de uso interno", unit_id=sema, is_public=False)

    body = client_for("anonymous", aracaju).get("/servicos/", HTTP_HOST="aracaju.localhost").content.decode()

    assert "Vistoria ambiental" in body
    assert "Pedido de uso interno" not in body


def test_a_problem_found_by_the_service_is_shown_in_its_row(aracaju):
    with tenant_context(aracaju):
        emsurb = OrgUnit.objects.get(acronym="EMSURB").pk
    payload = {**_new_service_payload(emsurb), "fields-1-choices": ""}

    response = client_for("admin", aracaju).post(CREATE, payload, HTTP_HOST="aracaju.localhost")

    rows = dict(
        re.findall(
            r'<fieldset class="br-card paco-row" id="(fields-\d+)">(.*?)</fieldset>',
            response.content.decode(),
            re.S,
        )
    )
    assert "um campo de escolha precisa de pelo menos uma opção" in rows["fields-1"]
    assert "feedback danger" not in rows["fields-0"]
