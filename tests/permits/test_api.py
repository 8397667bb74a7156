"""The permits API: the requester reads their request with its checklist result and permit; the
public register lists issued permits without the personal data of individuals; the actions of the
requester's and the staff's pages (terms, insist, files, appeal; opinion, issuance with the second
factor, the permit's status, the appeal's decision, a file's classification), each with its success,
the wrong person or role, and bad input that changes nothing."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import user_ensure
from tenant_apps.permits import services
from tenant_apps.permits.enums import ClassifiedBy, PermitStatus, RequestStatus
from tenant_apps.permits.models import ChecklistItem, Permit, PermitKind, PermitRequest
from tenant_apps.permits.services import fee_paid_handler
from tenant_apps.signatures.models import Signature
from tests.conftest import ARACAJU_HOST, _force_login, client_for
from tests.otp import unused_code

from .conftest import operation_answers, operation_files, text_pdf


def test_the_requester_reads_the_request_and_the_public_register_lists_the_permit(
    aracaju, citizen, media_root
):
    with tenant_context(aracaju):
        kind = PermitKind.objects.get(service__code="alvara-funcionamento")
        today = timezone.localdate().strftime("%d/%m/%Y")
        request = services.permit_request_submit(
            kind=kind,
            citizen=citizen,
            form_data=operation_answers("4721-1/02", cpf_cnpj="39053344705", nome_razao_social="Ana"),
            uploads=operation_files(today_text=today),
            accept_terms=True,
        )
        services.request_analyse(request_id=request.pk)  # the fee (R$ 90,00) is not paid yet
        fee_paid_handler(SimpleNamespace(reference=str(request.pk), paid_at=timezone.now()))
        services.request_analyse(request_id=request.pk)
        request.refresh_from_db()
        number = request.permit.number
    detail = client_for("citizen", aracaju).get(f"/api/v1/permits/requests/{request.pk}/")
    assert detail.status_code == 200
    body = detail.json()
    assert body["status"] == "emitido"
    assert body["risk_level"] == "II"
    assert body["fee_paid"] is True
    assert body["permit"]["number"] == number
    assert {item["item"] for item in body["files"]} == {
        "Contrato social ou certificado MEI",
        "Comprovante de endereço",
    }
    register = Client().get("/api/v1/permits/register/", HTTP_HOST=ARACAJU_HOST).json()
    row = next(row for row in register["results"] if row["number"] == number)
    assert row["holder"] == ""  # a person (CPF): no name in the public register
    assert "Ana" not in str(register)
    assert row["activity"].startswith("4721-1/02")


# --- the actions of the pages, over the API ---------------------------------------------------------

LICENSING = "alvaras@aracaju.se.gov.br"
SEMA = "sema.licencas@aracaju.se.gov.br"
UNIT_STAFF = {"SEMA": SEMA, "SEMUS-VISA": "visa@aracaju.se.gov.br", "SEPLOG-ALV": LICENSING}
TODAY = timezone.localdate().strftime("%d/%m/%Y")


def _client(email: str) -> Client:
    client = Client(HTTP_HOST=ARACAJU_HOST)
    _force_login(client, User.objects.get(email=email), ARACAJU_HOST)
    return client


def _other_citizen(aracaju) -> Client:
    with tenant_context(aracaju):
        user_ensure(email="outra.pessoa@exemplo.com.br", full_name="Outra Pessoa", kind=UserKind.CITIZEN)
        return _client("outra.pessoa@exemplo.com.br")


def _submit(aracaju, citizen, cnae: str, **answers: str) -> PermitRequest:
    with tenant_context(aracaju):
        kind = PermitKind.objects.get(service__code="alvara-funcionamento")
        request = services.permit_request_submit(
            kind=kind,
            citizen=citizen,
            form_data=operation_answers(cnae, **answers),
            uploads=operation_files(today_text=TODAY),
        )
        services.request_analyse(request_id=request.pk)
        request.refresh_from_db()
        return request


def _refused(aracaju, citizen) -> PermitRequest:
    """A restaurant (level III in Aracaju), MEI, refused by SEMA."""
    request = _submit(aracaju, citizen, "5611-2/01", mei="Sim")
    with tenant_context(aracaju):
        services.opinion_give(
            opinion=request.opinions.get(unit__acronym="SEMA"),
            actor=User.objects.get(email=SEMA),
            is_favourable=False,
            text="Falta caixa de gordura.",
        )
        request.refresh_from_db()
    return request


def _ready(aracaju, citizen) -> PermitRequest:
    """A restaurant whose opinions were all favourable: it waits for the licensing unit's issuance."""
    request = _submit(aracaju, citizen, "5611-2/01", mei="Sim")
    with tenant_context(aracaju):
        for opinion in request.opinions.select_related("unit").order_by("stage", "id"):
            services.opinion_give(
                opinion=opinion,
                actor=User.objects.get(email=UNIT_STAFF[opinion.unit.acronym]),
                is_favourable=True,
                text="De acordo.",
            )
        request.refresh_from_db()
    assert request.status == RequestStatus.READY
    return request


def _status(aracaju, request: PermitRequest) -> str:
    with tenant_context(aracaju):
        request.refresh_from_db()
        return request.status


def test_the_requester_accepts_the_terms_over_the_api_and_the_permit_is_issued(aracaju, citizen, media_root):
    # given: a MEI bakery (level II, no fee) that passed the checks and waits for the terms
    request = _submit(aracaju, citizen, "4721-1/02", mei="Sim")
    assert request.status == RequestStatus.TERMS_PENDING
    url = f"/api/v1/permits/requests/{request.pk}/accept-terms/"
    owner = client_for("citizen", aracaju)

    # bad input: without the explicit acceptance, a 400 and nothing changes
    refused = owner.post(url, {"accept_terms": False}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json() == {"accept_terms": ["Aceite o termo de ciência e responsabilidade."]}
    # another person: 404; staff: 403 (not a requester)
    assert (
        _other_citizen(aracaju).post(url, {"accept_terms": True}, content_type="application/json").status_code
        == 404
    )
    assert (
        client_for("admin", aracaju)
        .post(url, {"accept_terms": True}, content_type="application/json")
        .status_code
        == 403
    )
    assert _status(aracaju, request) == RequestStatus.TERMS_PENDING

    # when: the requester accepts
    response = owner.post(url, {"accept_terms": True}, content_type="application/json")

    # then: issued at once, as on the page
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "emitido"
    with tenant_context(aracaju):
        request.refresh_from_db()
        assert request.terms_accepted_at is not None
        assert request.permit.number == body["permit"]["number"]


def test_the_requester_insists_over_the_api_only_on_a_request_with_pending_items(
    aracaju, citizen, media_root
):
    # given: a bakery (level II) whose fee is unpaid: pending items
    request = _submit(aracaju, citizen, "4721-1/02")
    assert request.status == RequestStatus.NEEDS_FIX
    url = f"/api/v1/permits/requests/{request.pk}/insist/"
    owner = client_for("citizen", aracaju)
    assert _other_citizen(aracaju).post(url).status_code == 404
    assert client_for("staff", aracaju).post(url).status_code == 403
    assert _status(aracaju, request) == RequestStatus.NEEDS_FIX

    response = owner.post(url)

    assert response.status_code == 200
    assert response.json()["status"] == "pre_analise"
    assert response.json()["insisted"] is True
    # bad input: the request no longer has pending items to send on; nothing changes
    again = owner.post(url)
    assert again.status_code == 400
    assert again.json()["message"] == "Só um pedido com pendências pode ser enviado assim."
    assert _status(aracaju, request) == RequestStatus.PRE_ANALYSIS


def test_the_requester_replaces_a_file_over_the_api_multipart(aracaju, citizen, media_root):
    request = _submit(aracaju, citizen, "4721-1/02")
    assert request.status == RequestStatus.NEEDS_FIX
    url = f"/api/v1/permits/requests/{request.pk}/files/"
    owner = client_for("citizen", aracaju)
    with tenant_context(aracaju):
        before = set(request.files.filter(is_current=True).values_list("pk", flat=True))
        files_before = request.files.count()

    # bad input: no file, or more labels than files: a 400 and nothing saved
    empty = owner.post(url, {})
    assert empty.status_code == 400
    assert empty.json() == {"anexos": ["Escolha ao menos um arquivo."]}
    labels_only = owner.post(url, {"rotulos": ["Comprovante de endereço", "x"]})
    assert labels_only.status_code == 400
    # staff: 403; another person: 404
    new_file = text_pdf(f"Conta de agua. Emitida em {TODAY}. Rua Joao Pessoa, 100.")
    assert client_for("staff", aracaju).post(url, {"anexos": [_pdf("agua.pdf", new_file)]}).status_code == 403
    assert _other_citizen(aracaju).post(url, {"anexos": [_pdf("agua.pdf", new_file)]}).status_code == 404
    with tenant_context(aracaju):
        assert request.files.count() == files_before
    assert _status(aracaju, request) == RequestStatus.NEEDS_FIX

    # when: the requester sends a new proof of address, labelled with its item
    response = owner.post(
        url, {"anexos": [_pdf("agua.pdf", new_file)], "rotulos": ["Comprovante de endereço"]}
    )

    # then: it replaces the old one and the pre-analysis runs again
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "pre_analise"
    assert sorted(item["name"] for item in body["files"]) == ["agua.pdf", "contrato.pdf"]
    with tenant_context(aracaju):
        current = set(request.files.filter(is_current=True).values_list("pk", flat=True))
    assert len(current - before) == 1
    assert len(before - current) == 1


def _pdf(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_the_requester_appeals_a_refusal_over_the_api(aracaju, citizen, media_root):
    request = _refused(aracaju, citizen)
    assert request.status == RequestStatus.REFUSED
    url = f"/api/v1/permits/requests/{request.pk}/appeal/"
    owner = client_for("citizen", aracaju)

    blank = owner.post(url, {"text": "  "}, content_type="application/json")
    assert blank.status_code == 400
    assert set(blank.json()) == {"text"}
    assert (
        _other_citizen(aracaju).post(url, {"text": "Recurso"}, content_type="application/json").status_code
        == 404
    )
    assert (
        _client(LICENSING).post(url, {"text": "Recurso"}, content_type="application/json").status_code == 403
    )
    assert _status(aracaju, request) == RequestStatus.REFUSED

    response = owner.post(url, {"text": "Instalei a caixa de gordura."}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["status"] == "recurso"
    with tenant_context(aracaju):
        request.refresh_from_db()
        assert request.appeal_text == "Instalei a caixa de gordura."
    # once only
    assert owner.post(url, {"text": "De novo."}, content_type="application/json").status_code == 400


def test_a_unit_gives_its_opinion_over_the_api(aracaju, citizen, media_root):
    request = _submit(aracaju, citizen, "5611-2/01", mei="Sim")
    with tenant_context(aracaju):
        sema_opinion = request.opinions.get(unit__acronym="SEMA").pk
        visa_opinion = request.opinions.get(unit__acronym="SEMUS-VISA").pk
    url = f"/api/v1/permits/requests/{request.pk}/opinion/"
    sema = _client(SEMA)
    # another unit's opinion: 400 with the reason; no text: 400; outsiders: 404; a citizen: 403
    other = sema.post(
        url, {"opinion": visa_opinion, "is_favourable": True, "text": "ok"}, content_type="application/json"
    )
    assert other.status_code == 400
    assert other.json()["message"] == "Este parecer não está pendente na sua unidade."
    assert (
        sema.post(
            url, {"opinion": sema_opinion, "is_favourable": True}, content_type="application/json"
        ).status_code
        == 400
    )
    # staff of a unit the request never went to: 404; a citizen: 403
    for role, status in (("staff", 404), ("citizen", 403)):
        body = {"opinion": sema_opinion, "is_favourable": True, "text": "ok"}
        answer = client_for(role, aracaju).post(url, body, content_type="application/json")
        assert answer.status_code == status, role
    with tenant_context(aracaju):
        assert request.opinions.get(pk=sema_opinion).status == "pendente"

    response = sema.post(
        url,
        {"opinion": sema_opinion, "is_favourable": True, "text": "Sem impacto ambiental."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "favoravel"


def test_the_licensing_unit_issues_over_the_api_with_the_second_factor_only(aracaju, citizen, media_root):
    request = _ready(aracaju, citizen)
    url = f"/api/v1/permits/requests/{request.pk}/issue/"
    licensing = _client(LICENSING)
    # the kind asks for an advanced signature: no code, or a wrong one, is a 400 and nothing is issued
    assert licensing.post(url, {}, content_type="application/json").status_code == 400
    wrong = licensing.post(url, {"otp_token": "000000"}, content_type="application/json")
    assert wrong.status_code == 400
    # another unit that gave an opinion sees the request but does not issue; outsiders: 404; citizen: 403
    with tenant_context(aracaju):
        sema_code = unused_code(SEMA)
    by_sema = _client(SEMA).post(url, {"otp_token": sema_code}, content_type="application/json")
    assert by_sema.status_code == 400
    assert by_sema.json()["message"] == "Só a unidade licenciadora emite este alvará."
    assert client_for("staff", aracaju).post(url, {}, content_type="application/json").status_code == 404
    assert client_for("citizen", aracaju).post(url, {}, content_type="application/json").status_code == 403
    with tenant_context(aracaju):
        assert not Permit.objects.filter(request=request).exists()
        code = unused_code(LICENSING)

    response = licensing.post(url, {"otp_token": code}, content_type="application/json")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "vigente"
    assert body["mode"] == "servidor"
    with tenant_context(aracaju):
        permit = Permit.objects.get(request=request)
        assert permit.number == body["number"]
        assert Signature.objects.get(document=permit.document).signer.email == LICENSING
    assert _status(aracaju, request) == RequestStatus.ISSUED


def test_the_licensing_unit_suspends_reactivates_and_revokes_over_the_api(aracaju, citizen, media_root):
    request = _ready(aracaju, citizen)
    with tenant_context(aracaju):
        licensing_user = User.objects.get(email=LICENSING)
        permit = services.permit_issue(
            request=request, actor=licensing_user, otp_token=unused_code(LICENSING)
        )
    url = f"/api/v1/permits/requests/{request.pk}/permit-status/"
    licensing = _client(LICENSING)

    # bad input: no reason, or a status staff cannot set: 400 and the permit stays valid
    no_reason = licensing.post(url, {"status": "suspenso"}, content_type="application/json")
    assert no_reason.status_code == 400
    assert set(no_reason.json()) == {"reason"}
    assert (
        licensing.post(url, {"status": "vencido", "reason": "x"}, content_type="application/json").status_code
        == 400
    )
    by_sema = _client(SEMA).post(url, {"status": "suspenso", "reason": "x"}, content_type="application/json")
    assert by_sema.status_code == 400
    assert by_sema.json()["message"] == "Só a unidade licenciadora altera a situação deste alvará."
    assert (
        client_for("staff", aracaju)
        .post(url, {"status": "suspenso", "reason": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    assert (
        client_for("citizen", aracaju)
        .post(url, {"status": "suspenso", "reason": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    with tenant_context(aracaju):
        permit.refresh_from_db()
        assert permit.status == PermitStatus.VALID

    suspended = licensing.post(
        url, {"status": "suspenso", "reason": "Interdição temporária."}, content_type="application/json"
    )
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspenso"
    assert suspended.json()["status_reason"] == "Interdição temporária."
    reactivated = licensing.post(
        url, {"status": "vigente", "reason": "Adequação feita."}, content_type="application/json"
    )
    assert reactivated.json()["status"] == "vigente"
    revoked = licensing.post(url, {"status": "cassado", "reason": "Fraude."}, content_type="application/json")
    assert revoked.json()["status"] == "cassado"
    # a revoked permit never changes again
    assert (
        licensing.post(url, {"status": "vigente", "reason": "x"}, content_type="application/json").status_code
        == 400
    )
    with tenant_context(aracaju):
        permit.refresh_from_db()
        assert permit.status == PermitStatus.REVOKED


def test_the_permit_status_of_a_request_without_a_permit_is_a_400(aracaju, citizen, media_root):
    request = _submit(aracaju, citizen, "5611-2/01", mei="Sim")
    response = _client(LICENSING).post(
        f"/api/v1/permits/requests/{request.pk}/permit-status/",
        {"status": "suspenso", "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Este pedido ainda não tem alvará."


def test_the_licensing_unit_decides_an_appeal_over_the_api(aracaju, citizen, media_root):
    request = _refused(aracaju, citizen)
    with tenant_context(aracaju):
        services.request_appeal(request=request, citizen=citizen, text="Instalei a caixa de gordura.")
    url = f"/api/v1/permits/requests/{request.pk}/appeal-decision/"
    licensing = _client(LICENSING)
    assert licensing.post(url, {"is_granted": False}, content_type="application/json").status_code == 400
    by_sema = _client(SEMA).post(url, {"is_granted": False, "text": "Não"}, content_type="application/json")
    assert by_sema.status_code == 400
    assert by_sema.json()["message"] == "Só a unidade licenciadora decide o recurso."
    assert (
        client_for("citizen", aracaju)
        .post(url, {"is_granted": False, "text": "Não"}, content_type="application/json")
        .status_code
        == 403
    )
    assert _status(aracaju, request) == RequestStatus.APPEALED

    response = licensing.post(
        url, {"is_granted": False, "text": "Não comprovada a adequação."}, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "indeferido"


def test_staff_correct_a_files_classification_over_the_api(aracaju, citizen, media_root):
    request = _submit(aracaju, citizen, "5611-2/01", mei="Sim")
    with tenant_context(aracaju):
        contract = request.files.get(attachment__original_name="contrato.pdf")
        address_item = request.kind.checklist.get(name="Comprovante de endereço")
        foreign_item = ChecklistItem.objects.exclude(kind=request.kind).first()
        other = _submit(aracaju, citizen, "5611-2/01", mei="Sim", nome_razao_social="Outro Restaurante Ltda")
        other_file = other.files.first()
    url = f"/api/v1/permits/requests/{request.pk}/files/{contract.pk}/classify/"
    licensing = _client(LICENSING)

    # bad input: no item given, or another kind's item: 400, nothing changes
    assert licensing.post(url, {}, content_type="application/json").status_code == 400
    foreign = licensing.post(url, {"item": foreign_item.pk}, content_type="application/json")
    assert foreign.status_code == 400
    assert foreign.json() == {"item": ["Escolha um item do checklist deste tipo de alvará."]}
    # another request's file: 404; outsiders: 404; a citizen: 403
    assert (
        licensing.post(
            f"/api/v1/permits/requests/{request.pk}/files/{other_file.pk}/classify/",
            {"item": None},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        client_for("staff", aracaju).post(url, {"item": None}, content_type="application/json").status_code
        == 404
    )
    assert (
        client_for("citizen", aracaju).post(url, {"item": None}, content_type="application/json").status_code
        == 403
    )
    with tenant_context(aracaju):
        contract.refresh_from_db()
        assert contract.classified_by == ClassifiedBy.REQUESTER

    response = licensing.post(url, {"item": address_item.pk}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["item"] == "Comprovante de endereço"
    assert response.json()["classified_by"] == "servidor"
    with tenant_context(aracaju):
        contract.refresh_from_db()
        assert contract.item_id == address_item.pk
    # the file's id is in the request's detail, so a client finds what to correct
    files = licensing.get(f"/api/v1/permits/requests/{request.pk}/").json()["files"]
    assert contract.pk in [item["id"] for item in files]
