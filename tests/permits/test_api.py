"""The permits API: the requester reads their request with its checklist result and permit; the
public register lists issued permits without the personal data of individuals."""

from __future__ import annotations

from types import SimpleNamespace

from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.permits import services
from tenant_apps.permits.fees import fee_paid_handler
from tenant_apps.permits.models import PermitKind
from tests.conftest import ARACAJU_HOST, client_for

from .conftest import operation_answers, operation_files


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
