"""The OpenAPI description: valid, without warnings, and covering every API endpoint."""

from __future__ import annotations

import yaml
from django.core.management import call_command
from django.test import Client

EXPECTED_OPERATIONS = {
    "/api/v1/memos/": {"get": "memo_list", "post": "memo_send"},
    "/api/v1/memos/{memo_id}/": {"get": "memo_detail"},
    "/api/v1/memos/{memo_id}/reply/": {"post": "memo_reply"},
    "/api/v1/memos/{memo_id}/forward/": {"post": "memo_forward"},
    "/api/v1/circulars/": {"get": "circular_list", "post": "circular_send"},
    "/api/v1/circulars/{circular_id}/": {"get": "circular_detail"},
    "/api/v1/circulars/{circular_id}/acknowledge/": {"post": "circular_acknowledge"},
    "/api/v1/circulars/{circular_id}/receipts/": {"get": "circular_receipts"},
    "/api/v1/circulars/{circular_id}/remind/": {"post": "circular_remind"},
    "/api/v1/services/": {"get": "service_list"},
    "/api/v1/services/{code}/": {"get": "service_detail"},
    "/api/v1/cases/": {"get": "case_list", "post": "case_open"},
    "/api/v1/cases/{nup}/": {"get": "case_detail"},
    "/api/v1/cases/{nup}/history/": {"get": "case_history"},
    "/api/v1/cases/{nup}/forward/": {"post": "case_forward"},
    "/api/v1/cases/{nup}/dispatch/": {"post": "case_dispatch"},
    "/api/v1/cases/{nup}/attachments/": {"post": "case_attach"},
    "/api/v1/cases/{nup}/request-information/": {"post": "case_request_information"},
    "/api/v1/cases/{nup}/answer/": {"post": "case_answer"},
    "/api/v1/cases/{nup}/close/": {"post": "case_close"},
    "/api/v1/cases/{nup}/reopen/": {"post": "case_reopen"},
    "/api/v1/cases/{nup}/assign/": {"post": "case_assign"},
    "/api/v1/scheduling/agendas/": {"get": "scheduling_agendas_list"},
    "/api/v1/scheduling/agendas/{agenda_code}/slots/": {"get": "scheduling_slots_list"},
    "/api/v1/scheduling/bookings/": {"get": "scheduling_bookings_list", "post": "scheduling_bookings_create"},
    "/api/v1/scheduling/bookings/{appointment_code}/": {"get": "scheduling_bookings_retrieve"},
    "/api/v1/scheduling/bookings/{appointment_code}/cancel/": {"post": "scheduling_bookings_cancel"},
    "/api/v1/scheduling/bookings/{appointment_code}/reschedule/": {"post": "scheduling_bookings_reschedule"},
    "/api/v1/scheduling/agenda/": {"get": "scheduling_staff_agenda"},
    "/api/v1/health/fhir/{fhir_type}": {"get": "health_fhir_search"},
    "/api/v1/insights/datasets/": {"get": "insights_dataset_list"},
    "/api/v1/insights/datasets/{dataset}/": {"get": "insights_dataset_rows"},
    "/api/v1/insights/summary/": {"get": "insights_summary"},
    "/api/v1/payments/guides/": {"get": "payments_guide_list"},
    "/api/v1/payments/guides/{year}/{number}/": {"get": "payments_guide_detail"},
    "/api/v1/payments/webhook/": {"post": "payments_pix_webhook"},
    "/api/v1/payments/psp/pix": {"post": "payments_psp_webhook"},
    "/api/v1/signatures/blocks/": {"get": "v1_signatures_blocks_list", "post": "v1_signatures_blocks_create"},
    "/api/v1/signatures/blocks/sign/": {"post": "v1_signatures_blocks_sign_create"},
    "/api/v1/signatures/blocks/{block_id}/": {"get": "v1_signatures_blocks_retrieve"},
    "/api/v1/signatures/blocks/{block_id}/refuse/": {"post": "v1_signatures_blocks_refuse_create"},
    "/api/v1/signatures/documents/{document_id}/": {"get": "v1_signatures_documents_list"},
    "/api/v1/signatures/documents/{document_id}/sign/": {"post": "v1_signatures_documents_sign_create"},
    "/api/v1/permits/kinds/": {"get": "permit_kind_list"},
    "/api/v1/permits/register/": {"get": "permit_register"},
    "/api/v1/permits/requests/": {"get": "permit_request_list", "post": "permit_request_submit"},
    "/api/v1/permits/requests/{permit_request_id}/": {"get": "permit_request_detail"},
    "/api/v1/permits/requests/{permit_request_id}/opinion/": {"post": "permit_opinion"},
    "/api/v1/permits/requests/{permit_request_id}/accept-terms/": {"post": "permit_request_accept_terms"},
    "/api/v1/permits/requests/{permit_request_id}/insist/": {"post": "permit_request_insist"},
    "/api/v1/permits/requests/{permit_request_id}/files/": {"post": "permit_request_files"},
    "/api/v1/permits/requests/{permit_request_id}/appeal/": {"post": "permit_request_appeal"},
    "/api/v1/permits/requests/{permit_request_id}/issue/": {"post": "permit_issue"},
    "/api/v1/permits/requests/{permit_request_id}/permit-status/": {"post": "permit_status_set"},
    "/api/v1/permits/requests/{permit_request_id}/appeal-decision/": {"post": "permit_appeal_decide"},
    "/api/v1/permits/requests/{permit_request_id}/files/{request_file_id}/classify/": {
        "post": "permit_file_classify"
    },
    "/api/v1/templates/": {"get": "v1_templates_list", "post": "v1_templates_create"},
    "/api/v1/templates/fields/": {"get": "v1_templates_fields_list"},
    "/api/v1/templates/{template_id}/": {"get": "v1_templates_retrieve", "put": "v1_templates_update"},
    "/api/v1/templates/{template_id}/generate/": {"post": "v1_templates_generate_create"},
    "/api/v1/templates/{template_id}/preview/": {"post": "v1_templates_preview_create"},
}


def test_the_schema_is_valid_without_warnings_and_describes_every_endpoint(tmp_path):
    target = tmp_path / "openapi.yaml"

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--urlconf", "paco.urls_tenant", "--file", str(target)
    )

    schema = yaml.safe_load(target.read_text())
    operations = {
        path: {
            method: operation["operationId"] for method, operation in item.items() if method != "parameters"
        }
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
    }
    assert operations == EXPECTED_OPERATIONS
    # memos and circulars (their endpoints share comms.apis.common.CommsApi)
    send = schema["paths"]["/api/v1/memos/"]["post"]
    assert sorted(send["responses"]) == ["201", "400", "401", "403", "404", "413", "415", "429"]
    assert sorted(schema["components"]["schemas"]["MemoSendInput"]["required"]) == ["body", "subject"]
    assert "state" in schema["components"]["schemas"]["CircularReceiptRow"]["required"]
    open_case = schema["paths"]["/api/v1/cases/"]["post"]
    assert sorted(open_case["requestBody"]["content"]) == ["application/json", "multipart/form-data"]
    assert sorted(open_case["responses"]) == ["201", "400", "401", "403", "404", "413", "415", "429"]
    assert schema["components"]["schemas"]["CaseOpenInput"]["required"] == ["service"]
    assert schema["components"]["schemas"]["CaseStatusEnum"]["enum"] == [
        "novo",
        "em_andamento",
        "aguardando_cidadao",
        "concluido",
    ]
    assert schema["components"]["securitySchemes"] == {
        "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
        "tokenAuth": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        },
    }


def test_the_city_host_serves_the_schema(aracaju):
    response = Client(HTTP_HOST="aracaju.localhost").get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert set(EXPECTED_OPERATIONS) <= set(response.json()["paths"])


def test_a_stale_token_does_not_hide_the_documentation(aracaju):
    client = Client(HTTP_HOST="aracaju.localhost", HTTP_AUTHORIZATION="Token expirado")

    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_swagger_ui_and_redoc_come_from_our_own_static_files(aracaju):
    client = Client(HTTP_HOST="aracaju.localhost")

    swagger = client.get("/api/docs/").content.decode()
    redoc = client.get("/api/redoc/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in swagger
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in redoc
    assert "cdn." not in swagger + redoc
