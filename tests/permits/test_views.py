"""The permits pages: the requester's form and follow-up, the public register, /verificar/ with the
permit's status, the licensing staff's page and the admin's routing test mode and rule checks."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.accounts.models import User
from tenant_apps.permits import services
from tenant_apps.permits.enums import RequestStatus
from tenant_apps.permits.models import ChecklistItem, PermitKind, PermitRequest, RoutingRule
from tests.conftest import ARACAJU_HOST, _force_login, client_for

from .conftest import operation_answers, operation_files, text_pdf

TODAY = timezone.localdate().strftime("%d/%m/%Y")


def _staff_client(email: str) -> Client:
    client = Client(HTTP_HOST=ARACAJU_HOST)
    _force_login(client, User.objects.get(email=email), ARACAJU_HOST)
    return client


def test_a_citizen_requests_on_the_page_and_follows_the_pre_analysis(aracaju, media_root):
    client = client_for("citizen", aracaju)
    page = client.get("/alvaras/solicitar/alvara-funcionamento/")
    assert page.status_code == 200
    assert "Comprovante de endereço" in page.content.decode()
    with tenant_context(aracaju):
        items = {
            item.name: item.pk
            for item in ChecklistItem.objects.filter(kind__service__code="alvara-funcionamento")
        }
    response = client.post(
        "/alvaras/solicitar/alvara-funcionamento/",
        {
            "cpf_cnpj": "11.222.333/0001-81",
            "nome_razao_social": "Padaria Exemplo",
            "mei": "Sim",
            "endereco": "Rua A, 1",
            "bairro": "Centro",
            "cnae": "4721-1/02",
            "area_m2": "40",
            "termo": "on",
            f"checklist_{items['Contrato social ou certificado MEI']}": SimpleUploadedFile(
                "ccmei.pdf",
                text_pdf("Certificado da condicao de microempreendedor individual."),
                "application/pdf",
            ),
            "documentos": [
                SimpleUploadedFile(
                    "conta.pdf",
                    # enough text to be read (a shorter one is flagged for a person, not issued at once)
                    text_pdf(f"Conta de energia emitida em {TODAY}. Rua A, 1, Centro."),
                    "application/pdf",
                )
            ],
        },
    )
    assert response.status_code == 302
    with tenant_context(aracaju):
        request = PermitRequest.objects.get(requester_name="Padaria Exemplo")
        assert request.status == RequestStatus.PRE_ANALYSIS
        assert request.terms_accepted_at is not None
        services.request_analyse(request_id=request.pk)
        request.refresh_from_db()
        assert request.status == RequestStatus.ISSUED
        code = request.permit.document.verification_code
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert "Alvará emitido" in detail.content.decode()
    # the public register and /verificar/ show it (no CPF, no citizen's name)
    register = Client().get("/alvaras/", HTTP_HOST=ARACAJU_HOST).content.decode()
    assert request.permit.number in register
    assert "Padaria Exemplo" not in register  # a MEI: its razão social is its owner's name (LGPD)
    verify = Client().get(f"/verificar/?codigo={code}", HTTP_HOST=ARACAJU_HOST).content.decode()
    assert "situação atual: Vigente" in verify
    # and so does the page the permit's QR code and link open (the signatures' verification page)
    linked = Client().get(f"/verificar/{code}/", HTTP_HOST=ARACAJU_HOST).content.decode()
    assert "situação atual: Vigente" in linked


def test_an_invalid_cnpj_on_the_page_is_a_portuguese_error_and_nothing_is_saved(aracaju, media_root):
    client = client_for("citizen", aracaju)
    response = client.post(
        "/alvaras/solicitar/alvara-funcionamento/",
        {
            "cpf_cnpj": "11222333000182",
            "nome_razao_social": "X",
            "mei": "Não",
            "endereco": "Rua",
            "bairro": "B",
            "cnae": "4781-4/00",
            "area_m2": "30",
        },
    )
    assert response.status_code == 400
    assert "CNPJ inválido" in response.content.decode()
    with tenant_context(aracaju):
        assert not PermitRequest.objects.exists()


def test_the_admin_tests_a_draft_rule_and_a_looping_rule_is_refused(aracaju):
    client = client_for("admin", aracaju)
    response = client.post(
        "/admin-municipal/alvaras/",
        {
            "action": "regra",
            "regra-name": "Volta para a SEMA",
            "regra-position": "5",
            "regra-conditions": '[{"campo": "bairro", "valor": "Atalaia"}]',
            "regra-stages": '[[{"unidade": "SEMA", "dias": 5}], [{"unidade": "SEMA", "dias": 5}]]',
        },
    )
    assert response.status_code == 400
    assert "laço" in response.content.decode()
    response = client.post(
        "/admin-municipal/alvaras/",
        {
            "action": "regra",
            "regra-name": "Orla",
            "regra-position": "5",
            "regra-conditions": '[{"campo": "bairro", "valor": "Atalaia"}]',
            "regra-stages": "[]",
        },
    )
    assert "não encaminha para nenhuma unidade" in response.content.decode()
    with tenant_context(aracaju):
        assert not RoutingRule.objects.filter(name__in=["Orla", "Volta para a SEMA"]).exists()
    response = client.post(
        "/admin-municipal/alvaras/",
        {
            "action": "teste",
            "teste-kind_code": "alvara-funcionamento",
            "teste-risk_level": "III",
            "teste-activities": "5611-2/01",
        },
    )
    assert "SEMA (10d) + SEMUS-VISA (10d) → SEPLOG-ALV (5d)" in response.content.decode()


def test_the_licensing_staff_see_the_request_and_other_units_do_not(aracaju, media_root, citizen):
    with tenant_context(aracaju):
        kind = PermitKind.objects.get(service__code="alvara-funcionamento")
        request = services.permit_request_submit(
            kind=kind,
            citizen=citizen,
            form_data=operation_answers("5611-2/01", mei="Sim"),
            uploads=operation_files(today_text=TODAY),
        )
        services.request_analyse(request_id=request.pk)
        sema_opinion = request.opinions.get(unit__acronym="SEMA").pk
    sema = _staff_client("sema.licencas@aracaju.se.gov.br")
    page = sema.get(f"/staff/alvaras/{request.pk}/")
    assert page.status_code == 200
    assert "Parecer da SEMA" in page.content.decode()
    outsider = client_for("staff", aracaju)
    assert outsider.get(f"/staff/alvaras/{request.pk}/").status_code == 404
    response = sema.post(
        f"/staff/alvaras/{request.pk}/parecer/",
        {"opinion": sema_opinion, "verdict": "favoravel", "text": "Ok"},
    )
    assert response.status_code == 302
    with tenant_context(aracaju):
        assert request.opinions.get(unit__acronym="SEMA").status == "favoravel"


def test_the_municipal_admin_follows_every_request_of_the_city_but_gives_no_opinion(
    aracaju, media_root, citizen
):
    """The admin manages the whole city (PRODUCT.md, roles): /staff/alvaras/ lists the city's requests
    and opens them; opinions, issuance and appeals stay with the units."""
    with tenant_context(aracaju):
        kind = PermitKind.objects.get(service__code="alvara-funcionamento")
        request = services.permit_request_submit(
            kind=kind,
            citizen=citizen,
            form_data=operation_answers(
                "5611-2/01", mei="Sim", nome_razao_social="Restaurante do Admin Ltda"
            ),
            uploads=operation_files(today_text=TODAY),
        )
        services.request_analyse(request_id=request.pk)
        sema_opinion = request.opinions.get(unit__acronym="SEMA").pk
        nup = request.case.nup
    admin = client_for("admin", aracaju)
    listing = admin.get("/staff/alvaras/")
    assert listing.status_code == 200
    assert nup in listing.content.decode()
    assert admin.get(f"/staff/alvaras/{request.pk}/").status_code == 200
    api = admin.get(f"/api/v1/permits/requests/{request.pk}/")
    assert api.status_code == 200
    response = admin.post(
        f"/staff/alvaras/{request.pk}/parecer/",
        {"opinion": sema_opinion, "verdict": "favoravel", "text": "Ok"},
        follow=True,
    )
    assert "não está pendente na sua unidade" in response.content.decode()
    with tenant_context(aracaju):
        assert request.opinions.get(unit__acronym="SEMA").status == "pendente"
    # a staff member of another unit still sees nothing of it
    assert nup not in client_for("staff", aracaju).get("/staff/alvaras/").content.decode()
