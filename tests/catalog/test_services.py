import pytest

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.cases.services import case_open
from tenant_apps.catalog.models import RequiredAttachment, Service, ServiceField
from tenant_apps.catalog.services import (
    AttachmentSpec,
    FieldSpec,
    service_create,
    service_remove,
    service_update,
)
from tenant_apps.org.models import OrgUnit
from tests.catalog.conftest import service_snapshot


def _current(service: Service) -> dict:
    """service_update's arguments that keep `service` exactly as it is."""
    return {
        "code": service.code,
        "name": service.name,
        "unit_id": service.unit_id,
        "description": service.description,
        "group": service.group,
        "deadline_days": service.deadline_days,
        "deadline_kind": service.deadline_kind,
        "is_public": service.is_public,
        "is_active": service.is_active,
        "fields": [
            FieldSpec(
                id=field.pk,
                key=field.key,
                label=field.label,
                kind=field.kind,
                is_required=field.is_required,
                choices=tuple(field.choices),
                help_text=field.help_text,
                position=field.position,
            )
            for field in service.fields.order_by("position", "id")
        ],
        "attachments": [
            AttachmentSpec(
                id=item.pk,
                name=item.name,
                description=item.description,
                is_required=item.is_required,
                position=item.position,
            )
            for item in service.required_attachments.order_by("position", "id")
        ],
    }


def test_service_create_saves_the_form_and_documents_in_the_order_of_their_numbers(in_aracaju):
    sema = OrgUnit.objects.get(acronym="SEMA")

    service = service_create(
        code="  Licenca-Ambiental ",
        name=" Licença ambiental simplificada ",
        unit_id=sema.pk,
        description="Para atividades de baixo impacto.",
        group="Meio ambiente",
        deadline_days=20,
        deadline_kind="calendar",
        is_public=False,
        fields=[
            FieldSpec(key="area", label="Área (m²)", kind="number", position=2),
            FieldSpec(
                key="atividade",
                label="Atividade",
                kind="choice",
                choices=("Comércio", "  Indústria ", ""),
                help_text="A principal.",
                position=1,
            ),
            FieldSpec(key="observacao", label="Observação", kind="long_text", is_required=False, position=2),
        ],
        attachments=[
            AttachmentSpec(name="Planta do imóvel", description="Em PDF", position=5),
            AttachmentSpec(name="ART do responsável técnico", is_required=False, position=1),
        ],
    )

    assert service_snapshot("licenca-ambiental")[1:] == (
        "licenca-ambiental",
        "Licença ambiental simplificada",
        "Para atividades de baixo impacto.",
        "Meio ambiente",
        "SEMA",
        20,
        "calendar",
        False,
        True,
        [
            (
                service.fields.get(key="atividade").pk,
                1,
                "atividade",
                "Atividade",
                "choice",
                True,
                ["Comércio", "Indústria"],
                "A principal.",
            ),
            (service.fields.get(key="area").pk, 2, "area", "Área (m²)", "number", True, [], ""),
            (
                service.fields.get(key="observacao").pk,
                3,
                "observacao",
                "Observação",
                "long_text",
                False,
                [],
                "",
            ),
        ],
        [
            (
                service.required_attachments.get(name__startswith="ART").pk,
                1,
                "ART do responsável técnico",
                "",
                False,
            ),
            (
                service.required_attachments.get(name__startswith="Planta").pk,
                2,
                "Planta do imóvel",
                "Em PDF",
                True,
            ),
        ],
    )


def test_service_update_changes_renames_swaps_deletes_and_adds_fields_and_documents(in_aracaju):
    poda = Service.objects.get(code="poda-de-arvore")
    endereco, referencia, motivo = poda.fields.order_by("position")
    foto = poda.required_attachments.get()
    emurb = OrgUnit.objects.get(acronym="EMURB")

    service_update(
        service=poda,
        code="poda-ou-remocao-de-arvore",
        name="Poda ou remoção de árvore",
        unit_id=emurb.pk,
        description="Poda, remoção ou avaliação de árvore.",
        group="Meio urbano",
        deadline_days=10,
        deadline_kind="business",
        is_public=True,
        is_active=True,
        fields=[
            # the two first fields swap their keys (unique per service)
            FieldSpec(id=referencia.pk, key="endereco", label="Endereço", kind="address", position=1),
            FieldSpec(
                id=endereco.pk,
                key="referencia",
                label="Referência",
                kind="text",
                is_required=False,
                position=2,
            ),
            FieldSpec(key="especie", label="Espécie da árvore", kind="text", is_required=False, position=3),
            # motivo is left out: deleted
        ],
        attachments=[AttachmentSpec(name="Foto da árvore inteira", position=1)],
    )

    assert service_snapshot("poda-ou-remocao-de-arvore") == (
        poda.pk,
        "poda-ou-remocao-de-arvore",
        "Poda ou remoção de árvore",
        "Poda, remoção ou avaliação de árvore.",
        "Meio urbano",
        "EMURB",
        10,
        "business",
        True,
        True,
        [
            (referencia.pk, 1, "endereco", "Endereço", "address", True, [], ""),
            (endereco.pk, 2, "referencia", "Referência", "text", False, [], ""),
            (poda.fields.get(key="especie").pk, 3, "especie", "Espécie da árvore", "text", False, [], ""),
        ],
        [(poda.required_attachments.get().pk, 1, "Foto da árvore inteira", "", True)],
    )
    assert not ServiceField.objects.filter(pk=motivo.pk).exists()
    assert not RequiredAttachment.objects.filter(pk=foto.pk).exists()


def test_every_demo_service_can_be_saved_as_it_is(in_aracaju):
    for service in Service.objects.order_by("code"):
        before = service_snapshot(service.code)

        service_update(service=service, **_current(service))

        after = service_snapshot(service.code)
        # positions are renumbered from 1; nothing else changes
        assert [row[:1] + row[2:] for row in after[10]] == [row[:1] + row[2:] for row in before[10]]
        assert [row[1] for row in after[10]] == list(range(1, len(before[10]) + 1))
        assert after[:10] == before[:10]
        assert [row[:1] + row[2:] for row in after[11]] == [row[:1] + row[2:] for row in before[11]]


def _bad_create(**changes):
    arguments = {
        "code": "novo-servico",
        "name": "Novo serviço",
        "unit_id": OrgUnit.objects.get(acronym="SEMA").pk,
        "fields": [FieldSpec(key="motivo", label="Motivo", kind="text")],
        "attachments": [AttachmentSpec(name="Documento com foto")],
    }
    arguments.update(changes)
    return arguments


BAD_INPUT = [
    pytest.param(
        {"fields": [FieldSpec(key="motivo", label="Motivo"), FieldSpec(key="Motivo ", label="Outro motivo")]},
        "O identificador “motivo” aparece em mais de um campo; cada campo precisa de um próprio.",
        id="duplicate-field-key",
    ),
    pytest.param(
        {"fields": [FieldSpec(key="motivo", label="Motivo", kind="choice", choices=("", "  "))]},
        "Campo “Motivo”: um campo de escolha precisa de pelo menos uma opção (uma por linha).",
        id="choice-without-choices",
    ),
    pytest.param(
        {"unit_id": 987654},
        "Unidade responsável desconhecida: escolha uma unidade do organograma.",
        id="unknown-unit",
    ),
    pytest.param({"deadline_days": 0}, "O prazo deve ficar entre 1 e 365 dias.", id="deadline-zero"),
    pytest.param({"deadline_days": 366}, "O prazo deve ficar entre 1 e 365 dias.", id="deadline-366"),
    pytest.param(
        {"code": "certidao-negativa-de-debitos"},
        "Já existe um serviço com o código “certidao-negativa-de-debitos”.",
        id="duplicate-code",
    ),
    pytest.param(
        {"code": "Poda de árvore"},
        "Código inválido: use letras minúsculas sem acento, números e hífens (ex.: poda-de-arvore).",
        id="code-not-a-slug",
    ),
    pytest.param(
        {"fields": [FieldSpec(key="endereço", label="Endereço")]},
        "Campo “Endereço”: o identificador começa com letra e tem só letras minúsculas sem acento, números "
        "e “_” (ex.: endereco_obra).",
        id="field-key-with-accent",
    ),
    pytest.param(
        {"fields": [FieldSpec(key="anexo_1", label="Anexo")]},
        "Campo “Anexo”: o identificador “anexo_1” é reservado; escolha outro.",
        id="reserved-field-key",
    ),
    pytest.param(
        {"fields": [FieldSpec(key="motivo", label="Motivo", kind="radio")]},
        "Campo “Motivo”: tipo de campo desconhecido (radio).",
        id="unknown-field-kind",
    ),
    pytest.param(
        {"attachments": [AttachmentSpec(name="  ")]},
        "Documento 1: informe o nome do documento.",
        id="attachment-without-name",
    ),
]


@pytest.mark.parametrize(("changes", "message"), BAD_INPUT)
def test_service_create_refuses_bad_input_and_saves_nothing(in_aracaju, changes, message):
    services_before = list(Service.objects.values_list("pk", "code").order_by("pk"))
    fields_before = ServiceField.objects.count()
    attachments_before = RequiredAttachment.objects.count()

    with pytest.raises(ApplicationError) as raised:
        service_create(**_bad_create(**changes))

    assert raised.value.message == message
    assert list(Service.objects.values_list("pk", "code").order_by("pk")) == services_before
    assert ServiceField.objects.count() == fields_before
    assert RequiredAttachment.objects.count() == attachments_before


@pytest.mark.parametrize(("changes", "message"), BAD_INPUT)
def test_service_update_refuses_bad_input_and_changes_nothing(in_aracaju, changes, message):
    poda = Service.objects.get(code="poda-de-arvore")
    before = service_snapshot("poda-de-arvore")
    arguments = _current(poda)
    # a valid change to every part, so that a partial write would show
    arguments.update(name="Outro nome", deadline_days=7, attachments=[AttachmentSpec(name="Outro documento")])
    arguments["fields"] = arguments["fields"][:1]
    arguments.update(changes)

    with pytest.raises(ApplicationError) as raised:
        service_update(service=poda, **arguments)

    assert raised.value.message == message
    assert service_snapshot("poda-de-arvore") == before


def test_every_problem_is_reported_at_once_with_where_it_is(in_aracaju):
    with pytest.raises(ApplicationError) as raised:
        service_create(
            **_bad_create(
                name="",
                deadline_days=400,
                fields=[
                    FieldSpec(key="motivo", label="Motivo"),
                    FieldSpec(key="motivo", label="Motivo de novo", kind="choice"),
                ],
            )
        )

    assert raised.value.extra["errors"] == [
        {"section": "service", "index": None, "field": "name", "message": "Informe o nome do serviço."},
        {
            "section": "service",
            "index": None,
            "field": "deadline_days",
            "message": "O prazo deve ficar entre 1 e 365 dias.",
        },
        {
            "section": "fields",
            "index": 1,
            "field": "key",
            "message": "O identificador “motivo” aparece em mais de um campo; "
            "cada campo precisa de um próprio.",
        },
        {
            "section": "fields",
            "index": 1,
            "field": "choices",
            "message": "Campo “Motivo de novo”: um campo de escolha precisa de pelo menos uma opção "
            "(uma por linha).",
        },
    ]


def test_a_field_of_another_service_cannot_be_taken_over(in_aracaju):
    poda = Service.objects.get(code="poda-de-arvore")
    other_field = Service.objects.get(code="alvara-de-funcionamento").fields.get(key="cnpj")
    before = service_snapshot("poda-de-arvore")
    arguments = _current(poda)
    arguments["fields"] = [FieldSpec(id=other_field.pk, key="cnpj", label="CNPJ", kind="cnpj")]

    with pytest.raises(ApplicationError, match="Campo não encontrado neste serviço"):
        service_update(service=poda, **arguments)

    assert service_snapshot("poda-de-arvore") == before
    assert ServiceField.objects.get(pk=other_field.pk).service.code == "alvara-de-funcionamento"


def test_an_inactive_unit_cannot_be_chosen_but_a_service_already_there_keeps_it(in_aracaju):
    cgm = OrgUnit.objects.get(acronym="CGM")
    service = service_create(code="ouvidoria-interna", name="Ouvidoria interna", unit_id=cgm.pk)
    OrgUnit.objects.filter(pk=cgm.pk).update(is_active=False)

    service_update(service=service, **{**_current(service), "name": "Ouvidoria interna da CGM"})
    with pytest.raises(ApplicationError, match="Unidade responsável desconhecida"):
        service_create(code="outro", name="Outro", unit_id=cgm.pk)

    assert Service.objects.get(pk=service.pk).name == "Ouvidoria interna da CGM"
    assert not Service.objects.filter(code="outro").exists()


def test_removing_a_service_without_cases_deletes_it_with_its_form(in_aracaju):
    certidao = Service.objects.get(code="certidao-negativa-de-debitos")
    field_ids = list(certidao.fields.values_list("pk", flat=True))

    assert service_remove(service=certidao) is True

    assert not Service.objects.filter(code="certidao-negativa-de-debitos").exists()
    assert not ServiceField.objects.filter(pk__in=field_ids).exists()


def test_removing_a_service_with_cases_only_deactivates_it(in_aracaju):
    poda = Service.objects.get(code="poda-de-arvore")
    citizen = User.objects.get(email="cidadao@exemplo.com.br")
    case = case_open(
        service=poda, opened_by=citizen, form_data={"endereco": "Rua Laranjeiras, 100", "motivo": "Outro"}
    )
    before = service_snapshot("poda-de-arvore")

    assert service_remove(service=poda) is False

    after = service_snapshot("poda-de-arvore")
    assert after[9] is False
    assert after[:9] + after[10:] == before[:9] + before[10:]
    case.refresh_from_db()
    assert case.service_id == poda.pk


def test_problems_point_at_the_rows_as_given_not_as_reordered(in_aracaju):
    poda = Service.objects.get(code="poda-de-arvore")
    arguments = _current(poda)
    arguments["fields"] = [
        FieldSpec(key="primeiro", label="Primeiro", position=9),
        FieldSpec(key="segundo", label="Segundo", kind="choice", position=1),
        FieldSpec(id=987654, key="terceiro", label="Terceiro", position=0),
    ]

    with pytest.raises(ApplicationError) as raised:
        service_update(service=poda, **arguments)

    assert [(item["index"], item["field"]) for item in raised.value.extra["errors"]] == [
        (1, "choices"),
        (2, None),
    ]
