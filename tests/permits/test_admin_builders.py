"""The municipal admin's edit pages for permit kinds, their checklists and routing rules, the staff's
per-file classification form, and the Alvarás entries of the menus."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.accounts.models import User
from tenant_apps.catalog.models import ServiceField
from tenant_apps.permits import services
from tenant_apps.permits.enums import ClassifiedBy, FeeMode, RequestStatus
from tenant_apps.permits.models import BuilderChange, ChecklistItem, PermitKind, RequestFile, RoutingRule
from tests.conftest import ARACAJU_HOST, ROLE_EMAILS, _force_login, client_for

from .conftest import operation_answers, operation_files

TODAY = timezone.localdate().strftime("%d/%m/%Y")
ADMIN_HOME = "/admin-municipal/alvaras/"


def _kind(code: str = "alvara-funcionamento") -> PermitKind:
    return PermitKind.objects.select_related("service").get(service__code=code)


def _kind_post(kind: PermitKind, **changes: object) -> dict[str, object]:
    """The kind's edit form as the page fills it, with `changes` (prefixed keys) applied."""
    data: dict[str, object] = {
        "dados-name": kind.service.name,
        "dados-description": kind.service.description,
        "dados-required_keys": [field.key for field in kind.service.fields.all() if field.is_required],
        "taxa-fee_mode": kind.fee_mode,
        "taxa-fee_risk_ii": "90,00",
        "taxa-fee_risk_iii": "250,00",
        "emissao-template": kind.template_id or "",
        "emissao-signature_level": kind.signature_level,
        "emissao-decision_days": kind.decision_days,
        "emissao-validity_days": kind.validity_days,
        "emissao-conditions": kind.conditions,
        "emissao-terms_text": kind.terms_text,
        "especie-kind_type": kind.kind_type,
        "especie-uses_activity_risk": "on" if kind.uses_activity_risk else "",
        "especie-fixed_level": kind.fixed_level,
    }
    data.update(changes)
    return data


def _kind_state(kind: PermitKind) -> tuple[object, ...]:
    kind = _kind(kind.service.code)
    return (
        kind.service.name,
        kind.fee_mode,
        kind.fee_table,
        kind.decision_days,
        kind.validity_days,
        kind.signature_level,
        kind.terms_text,
        kind.uses_activity_risk,
        tuple(kind.service.fields.values_list("key", "is_required")),
    )


def _submit(citizen, cnae: str = "5611-2/01", **extra: str):
    """A request of the demo's restaurant (level III in Aracaju); a MEI pays no fee, so the
    pre-analysis routes it when its checklist is complete."""
    extra.setdefault("mei", "Sim")
    return services.permit_request_submit(
        kind=_kind(),
        citizen=citizen,
        form_data=operation_answers(cnae, **extra),
        uploads=operation_files(today_text=TODAY),
    )


# --- kinds ------------------------------------------------------------------------------------------


def test_the_admin_edits_a_kind_and_the_next_request_pays_the_new_fee(aracaju, media_root, citizen):
    admin = client_for("admin", aracaju)
    with tenant_context(aracaju):
        kind = _kind()
        before = _submit(citizen, mei="Não")
        assert before.fee_amount == Decimal("250.00")  # the demo's table: level III by risk
        required = [key for key in kind.service.fields.values_list("key", flat=True) if key != "endereco"]
        form = _kind_post(
            kind,
            **{
                "dados-name": "Alvará de funcionamento (novo)",
                "dados-required_keys": required,
                "taxa-fee_mode": FeeMode.FIXED,
                "taxa-fee_fixed": "123,45",
                "emissao-decision_days": "20",
                "emissao-validity_days": "730",
                "emissao-conditions": "Manter o extintor dentro da validade.",
                "emissao-terms_text": "Declaro conhecer as normas de segurança da atividade.",
                "especie-uses_activity_risk": "",
                "especie-fixed_level": "III",
            },
        )
    page = admin.get(f"/admin-municipal/alvaras/tipos/{kind.pk}/")
    assert page.status_code == 200
    assert 'id="id_taxa-fee_mode"' in page.content.decode()
    for field in ("especie-kind_type", "especie-fixed_level", "emissao-conditions", "emissao-terms_text"):
        assert f'id="id_{field}"' in page.content.decode()

    response = admin.post(f"/admin-municipal/alvaras/tipos/{kind.pk}/", form)

    assert response.status_code == 302
    with tenant_context(aracaju):
        kind = _kind()
        assert kind.service.name == "Alvará de funcionamento (novo)"
        assert (kind.fee_mode, kind.fee_table) == (FeeMode.FIXED, {"valor": "123.45"})
        assert (kind.decision_days, kind.validity_days) == (20, 730)
        assert (kind.uses_activity_risk, kind.fixed_level) == (False, "III")
        assert kind.conditions == "Manter o extintor dentro da validade."
        assert kind.terms_text == "Declaro conhecer as normas de segurança da atividade."
        assert ServiceField.objects.get(service=kind.service, key="endereco").is_required is False
        after = _submit(citizen, mei="Não")
        assert after.fee_amount == Decimal("123.45")
        before.refresh_from_db()
        assert before.fee_amount == Decimal("250.00")  # a request already made keeps its fee
        change = BuilderChange.objects.get(target="tipo", object_id=kind.pk)
        assert change.actor.email == ROLE_EMAILS["admin"]("aracaju")
        assert change.after["taxa"] == "fixa"
        assert change.before["prazo_decisao_dias_uteis"] == 30
        assert change.after["prazo_decisao_dias_uteis"] == 20
        assert change.after["condicionantes"] == "Manter o extintor dentro da validade."
        assert change.before["risco_pelas_atividades"] is True
    assert (
        "Alvará de funcionamento (novo)"
        in client_for("citizen", aracaju).get("/alvaras/solicitar/").content.decode()
    )


def test_bad_kind_input_is_refused_in_portuguese_and_nothing_changes(aracaju):
    admin = client_for("admin", aracaju)
    with tenant_context(aracaju):
        kind = _kind()
        state = _kind_state(kind)
        required = [key for key in kind.service.fields.values_list("key", flat=True) if key != "cpf_cnpj"]
        form = _kind_post(kind, **{"dados-name": "Nome que não deve ficar"})
    url = f"/admin-municipal/alvaras/tipos/{kind.pk}/"
    cases = [
        ({"taxa-fee_mode": FeeMode.FIXED, "taxa-fee_fixed": ""}, "Informe o valor fixo da taxa."),
        (
            {
                "taxa-fee_mode": FeeMode.AREA,
                "taxa-area_up_to_1": "500",
                "taxa-area_amount_1": "100,00",
                "taxa-area_up_to_2": "100",
                "taxa-area_amount_2": "200,00",
            },
            "As faixas de área devem crescer.",
        ),
        (
            {"taxa-fee_mode": FeeMode.AREA, "taxa-area_amount_1": "10,00", "taxa-area_amount_2": "20,00"},
            "Só a última faixa pode ser sem limite de área.",
        ),
        ({"dados-required_keys": required}, "Estes campos são sempre obrigatórios neste tipo: CPF ou CNPJ"),
        ({"emissao-decision_days": "0"}, "Certifique-se que este valor seja maior ou igual a 1."),
        ({"emissao-signature_level": "qualificada"}, "Faça uma escolha válida."),
        ({"emissao-terms_text": "  "}, "Escreva o termo de ciência e responsabilidade"),
        ({"especie-fixed_level": "IV"}, "Faça uma escolha válida."),
    ]
    for changes, message in cases:
        response = admin.post(url, {**form, **changes})
        assert response.status_code == 400, message
        assert message in response.content.decode(), message
        with tenant_context(aracaju):
            assert _kind_state(kind) == state
            assert not BuilderChange.objects.exists()


def test_only_the_municipal_admin_opens_the_edit_pages(aracaju):
    with tenant_context(aracaju):
        kind = _kind()
        item = kind.checklist.first()
        rule = RoutingRule.objects.first()
    for path in (
        f"/admin-municipal/alvaras/tipos/{kind.pk}/",
        f"/admin-municipal/alvaras/tipos/{kind.pk}/documentos/novo/",
        f"/admin-municipal/alvaras/tipos/{kind.pk}/documentos/{item.pk}/",
        f"/admin-municipal/alvaras/regras/{rule.pk}/",
    ):
        assert client_for("admin", aracaju).get(path).status_code == 200, path
        assert client_for("manager", aracaju).get(path).status_code == 404, path
        assert client_for("staff", aracaju).post(path, {}).status_code == 404, path
    with tenant_context(aracaju):
        assert not BuilderChange.objects.exists()


# --- checklist --------------------------------------------------------------------------------------


def test_the_admin_adds_reorders_edits_and_removes_checklist_items(aracaju, media_root, citizen):
    admin = client_for("admin", aracaju)
    with tenant_context(aracaju):
        kind = _kind()
        names_before = list(kind.checklist.values_list("name", flat=True))
    base = f"/admin-municipal/alvaras/tipos/{kind.pk}/documentos/"

    response = admin.post(
        f"{base}novo/",
        {
            "name": "Certidão negativa de débitos",
            "accepted_types": ["application/pdf"],
            "max_size_mb": "5",
            "validity_days": "90",
            "must_be_signed": "on",
            "is_required": "on",
            "match_words": "certidão, débitos",
        },
    )
    assert response.status_code == 302
    with tenant_context(aracaju):
        item = kind.checklist.get(name="Certidão negativa de débitos")
        assert list(kind.checklist.values_list("name", flat=True)) == [*names_before, item.name]
        assert (item.accepted_types, item.max_size_mb, item.validity_days, item.must_be_signed) == (
            ["application/pdf"],
            5,
            90,
            True,
        )
        assert item.match_words == ["certidão", "débitos"]
    # the request form asks it with its rules printed beside it
    form = client_for("citizen", aracaju).get("/alvaras/solicitar/alvara-funcionamento/").content.decode()
    assert "Certidão negativa de débitos" in form
    assert "emitido há no máximo 90 dias" in form
    # a new request without it stops at the pre-analysis, which names it
    with tenant_context(aracaju):
        request = _submit(citizen)
        services.request_analyse(request_id=request.pk)
        request.refresh_from_db()
        assert request.status == RequestStatus.NEEDS_FIX
        assert "Certidão negativa de débitos" in str(request.pre_analysis)

    assert admin.post(f"{base}{item.pk}/subir/").status_code == 302
    with tenant_context(aracaju):
        order = list(kind.checklist.values_list("name", flat=True))
        assert order == [*names_before[:-1], item.name, names_before[-1]]
        assert list(kind.checklist.values_list("position", flat=True)) == list(range(len(order)))

    response = admin.post(
        f"{base}{item.pk}/",
        {"name": "Certidão negativa", "accepted_types": ["application/pdf", "image/png"], "max_size_mb": "8"},
    )
    assert response.status_code == 302
    with tenant_context(aracaju):
        item.refresh_from_db()
        assert (item.name, item.accepted_types, item.max_size_mb) == (
            "Certidão negativa",
            ["application/pdf", "image/png"],
            8,
        )
        assert (item.validity_days, item.must_be_signed, item.is_required) == (None, False, False)

    assert admin.post(f"{base}{item.pk}/remover/").status_code == 302
    with tenant_context(aracaju):
        assert list(kind.checklist.values_list("name", flat=True)) == names_before
        assert list(BuilderChange.objects.filter(target="documento").values_list("summary", flat=True)) == [
            "removido",
            "alterado: assinado, emitido_ha_no_maximo_dias, nome, obrigatorio, palavras, tamanho_maximo_mb,"
            " tipos_aceitos",
            "alterado: ordem",
            "criado",
        ]


def test_bad_checklist_input_is_refused_and_an_item_already_received_is_kept(aracaju, media_root, citizen):
    admin = client_for("admin", aracaju)
    with tenant_context(aracaju):
        kind = _kind()
        item = kind.checklist.first()
        _submit(citizen)  # its files are classified to the checklist's items
        snapshot = list(ChecklistItem.objects.order_by("pk").values())
    base = f"/admin-municipal/alvaras/tipos/{kind.pk}/documentos/"
    cases = [
        ({"name": "Novo", "max_size_mb": "5"}, "Este campo é obrigatório."),
        (
            {"name": "Novo", "accepted_types": ["application/pdf"], "max_size_mb": "80"},
            "Certifique-se que este valor seja menor ou igual a 50.",
        ),
        (
            {"name": "Novo", "accepted_types": ["text/html"], "max_size_mb": "5"},
            "Faça uma escolha válida. text/html não é uma das escolhas disponíveis.",
        ),
        (
            {"name": item.name.upper(), "accepted_types": ["application/pdf"], "max_size_mb": "5"},
            "Este tipo já tem um documento com esse nome.",
        ),
    ]
    for data, message in cases:
        response = admin.post(f"{base}novo/", data)
        assert response.status_code == 400, message
        assert message in response.content.decode(), message
    response = admin.post(f"{base}{item.pk}/remover/", follow=True)
    assert "já foi recebido em 1 pedido(s) e não pode ser removido" in response.content.decode()
    with tenant_context(aracaju):
        assert list(ChecklistItem.objects.order_by("pk").values()) == snapshot
        assert not BuilderChange.objects.exists()


# --- routing rules ------------------------------------------------------------------------------------


def _opinion_units(request) -> list[tuple[int, str]]:
    return list(request.opinions.order_by("stage", "unit__acronym").values_list("stage", "unit__acronym"))


def test_editing_a_published_rule_is_a_new_version_and_routed_requests_keep_their_route(
    aracaju, media_root, citizen
):
    admin = client_for("admin", aracaju)
    with tenant_context(aracaju):
        rule = RoutingRule.objects.get(is_published=True, name__startswith="Alto risco")
        routed = _submit(citizen)
        services.request_analyse(request_id=routed.pk)
        routed.refresh_from_db()
        assert routed.status == RequestStatus.IN_ANALYSIS
        route_before = _opinion_units(routed)
        assert route_before == [(0, "SEMA"), (0, "SEMUS-VISA"), (1, "SEPLOG-ALV")]
    url = f"/admin-municipal/alvaras/regras/{rule.pk}/"
    page = admin.get(url).content.decode()
    assert "Salvar como nova versão" in page
    assert "SEMUS-VISA" in page  # the stages are shown by acronym

    response = admin.post(
        url,
        {
            "name": "Alto risco: só meio ambiente, depois o licenciamento",
            "position": "0",
            "conditions": '[{"campo": "risco", "valor": "III"},'
            ' {"campo": "tipo", "valor": "alvara-funcionamento"}]',
            "stages": '[[{"unidade": "SEMA", "dias": 7}], [{"unidade": "SEPLOG-ALV", "dias": 3}]]',
        },
    )

    assert response.status_code == 302
    with tenant_context(aracaju):
        draft = RoutingRule.objects.get(replaces=rule)
        assert (draft.version, draft.is_published) == (2, False)
        rule.refresh_from_db()
        assert rule.is_published
        assert rule.retired_at is None
    # the test mode shows the draft in the place of the version it replaces
    test = admin.post(
        ADMIN_HOME,
        {
            "action": "teste",
            "teste-kind_code": "alvara-funcionamento",
            "teste-risk_level": "III",
            "teste-activities": "5611-2/01",
        },
    )
    assert "SEMA (7d) → SEPLOG-ALV (3d)" in test.content.decode()

    assert admin.post(f"/admin-municipal/alvaras/regras/{draft.pk}/publicar/").status_code == 302
    with tenant_context(aracaju):
        rule.refresh_from_db()
        draft.refresh_from_db()
        assert draft.is_published
        assert not rule.is_published
        assert rule.retired_at is not None
        new = _submit(citizen)
        services.request_analyse(request_id=new.pk)
        assert _opinion_units(new) == [(0, "SEMA"), (1, "SEPLOG-ALV")]
        assert new.opinions.get(unit__acronym="SEMA").days == 7
        assert _opinion_units(routed) == route_before  # routed before: its route is kept
        summaries = list(BuilderChange.objects.filter(target="regra").values_list("object_id", "summary"))
        assert summaries[0] == (draft.pk, "alterado: publicada")
        assert (draft.pk, "criado") in summaries
    # an old version cannot be edited any more
    old = admin.post(url, {"name": "x", "position": "0", "conditions": "[]", "stages": "[]"})
    assert "substituída" in old.content.decode()
    with tenant_context(aracaju):
        rule.refresh_from_db()
        assert rule.name.startswith("Alto risco: meio ambiente")


def test_a_rule_edit_that_sends_nowhere_or_loops_is_refused_and_nothing_changes(aracaju):
    admin = client_for("admin", aracaju)
    with tenant_context(aracaju):
        rule = RoutingRule.objects.get(is_published=True, name__startswith="Alto risco")
        snapshot = list(RoutingRule.objects.order_by("pk").values())
    url = f"/admin-municipal/alvaras/regras/{rule.pk}/"
    conditions = '[{"campo": "risco", "valor": "III"}]'
    cases = [
        ("[]", "A regra não encaminha para nenhuma unidade"),
        ('[[{"unidade": "SEMA", "dias": 5}], []]', "A etapa 2 está vazia"),
        ('[[{"unidade": "SEMA", "dias": 5}], [{"unidade": "SEMA", "dias": 5}]]', "laço"),
        ('[[{"unidade": "NAO-EXISTE", "dias": 5}]]', "unidade inexistente"),
        ("[[{", "Condições e etapas precisam estar em JSON válido."),
    ]
    for stages, message in cases:
        response = admin.post(
            url, {"name": "Mudada", "position": "0", "conditions": conditions, "stages": stages}
        )
        assert response.status_code == 400, message
        assert message in response.content.decode(), message
    with tenant_context(aracaju):
        assert list(RoutingRule.objects.order_by("pk").values()) == snapshot
        assert not BuilderChange.objects.exists()


def test_a_draft_rule_is_edited_in_place(aracaju):
    admin = client_for("admin", aracaju)
    response = admin.post(
        ADMIN_HOME,
        {
            "action": "regra",
            "regra-name": "Orla",
            "regra-position": "3",
            "regra-conditions": '[{"campo": "bairro", "valor": "Atalaia"}]',
            "regra-stages": '[[{"unidade": "SEMA", "dias": 5}]]',
        },
    )
    assert response.status_code == 302
    with tenant_context(aracaju):
        draft = RoutingRule.objects.get(name="Orla")
    response = admin.post(
        f"/admin-municipal/alvaras/regras/{draft.pk}/",
        {
            "name": "Orla e Atalaia",
            "position": "3",
            "conditions": '[{"campo": "bairro", "valor": "Atalaia"}]',
            "stages": '[[{"unidade": "SEMA", "dias": 8}]]',
        },
    )
    assert response.status_code == 302
    with tenant_context(aracaju):
        draft.refresh_from_db()
        assert (draft.name, draft.version, draft.is_published) == ("Orla e Atalaia", 1, False)
        assert draft.stages[0][0]["dias"] == 8
        assert not RoutingRule.objects.filter(replaces=draft).exists()
        assert list(
            BuilderChange.objects.filter(object_id=draft.pk, target="regra").values_list("summary", flat=True)
        ) == ["alterado: etapas, nome", "criado"]


# --- the staff's per-file classification form --------------------------------------------------------


def _staff_client(email: str) -> Client:
    client = Client(HTTP_HOST=ARACAJU_HOST)
    _force_login(client, User.objects.get(email=email), ARACAJU_HOST)
    return client


def test_staff_correct_a_files_item_with_its_own_form(aracaju, media_root, citizen):
    with tenant_context(aracaju):
        request = _submit(citizen)
        services.request_analyse(request_id=request.pk)
        request_file = RequestFile.objects.filter(request=request).order_by("pk").first()
        other_item = _kind().checklist.exclude(pk=request_file.item_id).first()
        foreign_item = _kind("alvara-evento").checklist.first()
        sema = _staff_client("sema.licencas@aracaju.se.gov.br")
    page = sema.get(f"/staff/alvaras/{request.pk}/").content.decode()
    assert f'id="id_arquivo-{request_file.pk}-item"' in page
    assert f'name="arquivo-{request_file.pk}-item"' in page
    url = f"/staff/alvaras/{request.pk}/arquivos/{request_file.pk}/classificar/"

    refused = sema.post(url, {f"arquivo-{request_file.pk}-item": foreign_item.pk}, follow=True)
    assert "Escolha um item do checklist deste tipo de alvará." in refused.content.decode()
    with tenant_context(aracaju):
        unchanged = RequestFile.objects.get(pk=request_file.pk)
        assert (unchanged.item_id, unchanged.is_corrected) == (request_file.item_id, False)

    assert sema.post(url, {f"arquivo-{request_file.pk}-item": other_item.pk}).status_code == 302
    with tenant_context(aracaju):
        corrected = RequestFile.objects.get(pk=request_file.pk)
        assert (corrected.item_id, corrected.classified_by) == (other_item.pk, ClassifiedBy.STAFF)
    assert client_for("staff", aracaju).post(url, {}).status_code == 404


# --- menus ----------------------------------------------------------------------------------------------


def test_the_menus_link_to_the_permit_pages_for_who_can_open_them(aracaju):
    anonymous = Client(HTTP_HOST=ARACAJU_HOST).get("/").content.decode()
    assert 'href="/alvaras/solicitar/"' in anonymous
    assert 'href="/alvaras/"' in anonymous
    assert 'href="/alvaras/pedidos/"' not in anonymous
    citizen = client_for("citizen", aracaju).get("/").content.decode()
    assert 'href="/alvaras/pedidos/">Meus alvarás</a>' in citizen
    staff_home = client_for("staff", aracaju).get("/staff/").content.decode()
    assert 'href="/staff/alvaras/"' in staff_home
    assert 'href="/staff/alvaras/indicadores/"' not in staff_home
    assert client_for("staff", aracaju).get("/staff/alvaras/indicadores/").status_code == 404
    manager_home = client_for("manager", aracaju).get("/staff/").content.decode()
    assert 'href="/staff/alvaras/indicadores/"' in manager_home
    assert client_for("manager", aracaju).get("/staff/alvaras/indicadores/").status_code == 200
    admin_page = client_for("admin", aracaju).get("/admin-municipal/").content.decode()
    for anchor in ("#tipos", "#regras", "#risco"):
        assert f'href="/admin-municipal/alvaras/{anchor}"' in admin_page
