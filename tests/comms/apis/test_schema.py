"""The OpenAPI description of the memo and circular endpoints: valid, without warnings."""

from __future__ import annotations

import yaml
from django.core.management import call_command

COMMS_OPERATIONS = {
    "/api/v1/memos/": {"get": "memo_list", "post": "memo_send"},
    "/api/v1/memos/{memo_id}/": {"get": "memo_detail"},
    "/api/v1/memos/{memo_id}/reply/": {"post": "memo_reply"},
    "/api/v1/memos/{memo_id}/forward/": {"post": "memo_forward"},
    "/api/v1/circulars/": {"get": "circular_list", "post": "circular_send"},
    "/api/v1/circulars/{circular_id}/": {"get": "circular_detail"},
    "/api/v1/circulars/{circular_id}/acknowledge/": {"post": "circular_acknowledge"},
    "/api/v1/circulars/{circular_id}/receipts/": {"get": "circular_receipts"},
    "/api/v1/circulars/{circular_id}/remind/": {"post": "circular_remind"},
}


def test_the_comms_endpoints_are_described_without_warnings(tmp_path):
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
        if path.startswith(("/api/v1/memos/", "/api/v1/circulars/"))
    }
    assert operations == COMMS_OPERATIONS
    send = schema["paths"]["/api/v1/memos/"]["post"]
    assert sorted(send["responses"]) == ["201", "400", "401", "403", "404"]
    assert sorted(schema["components"]["schemas"]["MemoSendInput"]["required"]) == ["body", "subject"]
    assert "state" in schema["components"]["schemas"]["CircularReceiptRow"]["required"]
