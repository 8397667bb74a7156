"""The gov.br reliability level a city sets for a permit kind (`/admin-municipal/govbr/niveis/`):
the permit request refuses, on the page and in the API, a citizen below it with which level is
needed and how to raise it, and keeps nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.cases.models import Case
from tenant_apps.govbr.models import GovBrIdentity, ReliabilityRequirement
from tenant_apps.govbr.selectors import GovBrLevelRequired, reliability_required
from tenant_apps.govbr.services import reliability_requirement_set
from tenant_apps.permits import services
from tenant_apps.permits.models import PermitRequest
from tests.conftest import client_for

from .conftest import operation_answers, operation_files, text_pdf

PERMIT = ReliabilityRequirement.Target.PERMIT
TODAY = timezone.localdate().strftime("%d/%m/%Y")
RAISE_HINT = "Aumente o nível no aplicativo ou no site gov.br"


def _link(user: Any, level: str) -> None:
    GovBrIdentity.objects.update_or_create(
        user=user,
        defaults={"cpf": "52998224725", "reliability_level": level, "reliability_read_at": timezone.now()},
    )


def _counts() -> tuple[int, int]:
    return PermitRequest.objects.count(), Case.objects.count()


def test_the_demo_asks_prata_for_aracaju_construction_and_bronze_for_gravatai_events(aracaju, gravatai):
    with tenant_context(aracaju):
        assert reliability_required(target=PERMIT, code="alvara-construcao") == "prata"
        assert reliability_required(target=PERMIT, code="alvara-funcionamento") == ""
    with tenant_context(gravatai):
        assert reliability_required(target=PERMIT, code="alvara-evento") == "bronze"


def test_the_admin_sets_a_permit_kinds_level_on_the_govbr_levels_page(aracaju):
    client = client_for("admin", aracaju)
    page = client.get("/admin-municipal/govbr/niveis/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="licenca:alvara-funcionamento"' in body
    assert "Alvará ou licença: Alvará de funcionamento" in body
    # a permit kind's catalogue service is listed once, as the permit kind
    assert 'name="servico:alvara-funcionamento"' not in body
    assert 'name="servico:' in body
    assert 'name="ouvidoria:' in body
    response = client.post(
        "/admin-municipal/govbr/niveis/",
        {"licenca:alvara-funcionamento": "ouro", "licenca:alvara-construcao": "prata"},
    )
    assert response.status_code == 302
    with tenant_context(aracaju):
        assert reliability_required(target=PERMIT, code="alvara-funcionamento") == "ouro"
    # bad input: an unknown level is refused, nothing changes
    bad = client.post("/admin-municipal/govbr/niveis/", {"licenca:alvara-funcionamento": "platina"})
    assert bad.status_code == 400
    with tenant_context(aracaju):
        assert reliability_required(target=PERMIT, code="alvara-funcionamento") == "ouro"


def test_the_service_refuses_a_citizen_below_the_level_and_keeps_nothing(
    in_aracaju, citizen, operation_kind, media_root
):
    reliability_requirement_set(target=PERMIT, code="alvara-funcionamento", level="prata")
    _link(citizen, "bronze")
    before = _counts()
    with pytest.raises(GovBrLevelRequired) as refused:
        services.permit_request_submit(
            kind=operation_kind,
            citizen=citizen,
            form_data=operation_answers("4721-1/02"),
            uploads=operation_files(today_text=TODAY),
        )
    assert "nível prata ou superior; a sua está no nível bronze" in refused.value.message
    assert RAISE_HINT in refused.value.message
    assert refused.value.extra == {"required": "prata", "current": "bronze"}
    assert _counts() == before

    _link(citizen, "prata")  # raised on gov.br and signed in again: the request goes through
    request = services.permit_request_submit(
        kind=operation_kind,
        citizen=citizen,
        form_data=operation_answers("4721-1/02"),
        uploads=operation_files(today_text=TODAY),
    )
    assert request.risk_level == "II"
    assert _counts() == (before[0] + 1, before[1] + 1)


def test_the_page_explains_before_the_form_and_refuses_a_post(aracaju, media_root):
    with tenant_context(aracaju):
        from paco_demo import cities as demo
        from tenant_apps.accounts.models import User

        citizen = User.objects.get(email=demo.DEMO_CITIZEN["email"])
        reliability_requirement_set(target=PERMIT, code="alvara-funcionamento", level="prata")
        before = _counts()
    client = client_for("citizen", aracaju)
    listing = client.get("/alvaras/solicitar/").content.decode()
    assert "Conta gov.br prata ou superior" in listing
    page = client.get("/alvaras/solicitar/alvara-funcionamento/")
    body = page.content.decode()
    assert page.status_code == 200
    # not linked to gov.br: how to link it, and no form to fill in for nothing
    assert "Este pedido exige uma conta gov.br de nível prata ou superior." in body
    assert "Vincule sua conta ao gov.br" in body
    assert 'href="/minha-conta/govbr/"' in body
    assert "Enviar pedido" not in body
    response = client.post(
        "/alvaras/solicitar/alvara-funcionamento/",
        {
            **operation_answers("4721-1/02"),
            "termo": "on",
            "documentos": [
                SimpleUploadedFile("contrato.pdf", text_pdf("Contrato social"), "application/pdf")
            ],
        },
    )
    assert response.status_code == 403
    assert "Vincule sua conta ao gov.br" in response.content.decode()
    with tenant_context(aracaju):
        assert _counts() == before
        _link(citizen, "bronze")
    body = client.get("/alvaras/solicitar/alvara-funcionamento/").content.decode()
    assert "a sua está no nível bronze" in body
    assert RAISE_HINT in body
    # anonymous visitors are told the level before they sign in
    anonymous = client_for("anonymous", None).get(
        "/alvaras/solicitar/alvara-funcionamento/", HTTP_HOST="aracaju.localhost"
    )
    assert "entre com uma conta gov.br de nível prata ou superior" in anonymous.content.decode()


def _api_files(aracaju: Any) -> dict[str, Any]:
    return {
        "anexos": [
            SimpleUploadedFile("contrato.pdf", text_pdf("Contrato social da Loja"), "application/pdf"),
            SimpleUploadedFile(
                "endereco.pdf", text_pdf(f"Conta de energia. Emitida em {TODAY}."), "application/pdf"
            ),
        ],
        "rotulos": ["Contrato social ou certificado MEI", "Comprovante de endereço"],
    }


def test_the_api_refuses_alike_and_then_accepts(aracaju, media_root):
    import json

    with tenant_context(aracaju):
        from paco_demo import cities as demo
        from tenant_apps.accounts.models import User

        citizen = User.objects.get(email=demo.DEMO_CITIZEN["email"])
        reliability_requirement_set(target=PERMIT, code="alvara-funcionamento", level="prata")
        _link(citizen, "bronze")
        before = _counts()
    client = client_for("citizen", aracaju)
    payload = {
        "kind": "alvara-funcionamento",
        "form_data": json.dumps(operation_answers("4721-1/02")),
        "accept_terms": "true",
    }
    refused = client.post("/api/v1/permits/requests/", {**payload, **_api_files(aracaju)})
    assert refused.status_code == 400
    answer = refused.json()
    assert "nível prata ou superior; a sua está no nível bronze" in answer["message"]
    assert RAISE_HINT in answer["message"]
    assert answer["extra"] == {"required": "prata", "current": "bronze"}
    with tenant_context(aracaju):
        assert _counts() == before
        _link(citizen, "prata")
    accepted = client.post("/api/v1/permits/requests/", {**payload, **_api_files(aracaju)})
    assert accepted.status_code == 201, accepted.content
    body = accepted.json()
    assert body["kind"] == "alvara-funcionamento"
    assert body["risk_level"] == "II"
    assert body["status"] == "pre_analise"
    assert sorted(item["item"] for item in body["files"]) == [
        "Comprovante de endereço",
        "Contrato social ou certificado MEI",
    ]
    with tenant_context(aracaju):
        assert _counts() == (before[0] + 1, before[1] + 1)
    # bad input: an unknown kind, an invalid CNPJ — a Portuguese message, nothing saved
    unknown = client.post("/api/v1/permits/requests/", {**payload, "kind": "alvara-de-nada"})
    assert unknown.status_code == 400
    assert unknown.json() == {"kind": ["Tipo de alvará não encontrado."]}
    bad_cnpj = client.post(
        "/api/v1/permits/requests/",
        {
            **payload,
            "form_data": json.dumps(operation_answers("4721-1/02", cpf_cnpj="11222333000182")),
            **_api_files(aracaju),
        },
    )
    assert bad_cnpj.status_code == 400
    assert "CNPJ" in str(bad_cnpj.json())
    staff = client_for("staff", aracaju).post("/api/v1/permits/requests/", payload)
    assert staff.status_code == 403
    with tenant_context(aracaju):
        assert _counts() == (before[0] + 1, before[1] + 1)


def test_the_cases_api_does_not_open_a_permit_as_a_plain_case(aracaju):
    """The permit kinds' level, checks and risk cannot be skipped through the Protocolo's API."""
    with tenant_context(aracaju):
        before = _counts()
    response = client_for("citizen", aracaju).post(
        "/api/v1/cases/",
        {"service": "alvara-construcao", "form_data": operation_answers("4721-1/02")},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "service": [
            "Este serviço é um alvará: peça por POST /api/v1/permits/requests/ (tipo “alvara-construcao”)."
        ]
    }
    with tenant_context(aracaju):
        assert _counts() == before
