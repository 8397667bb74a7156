"""Issue 10, finding 7: the OpenAPI description and the server agree.

The test walks a city's schema: every documented constraint of a query parameter (minLength,
maxLength, enum, integer bounds) is enforced by the server with a 400 in Portuguese JSON; every
/api/ operation documents every error status the server answers (400, 401, 403, 404, 413, 429, and
415 where there is a body); a bad `?cursor=` is refused, and a memo subject of spaces is refused by
both the schema (pattern) and the server.
"""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from tests.reliability.test_openapi_fuzz import _headers

ERRORS = {"400", "401", "403", "404", "413", "429"}


def _schema(municipality) -> dict[str, Any]:
    response = Client().get("/api/schema/?format=json", HTTP_HOST=f"{municipality.slug}.localhost")
    assert response.status_code == 200
    return response.json()


def _get(municipality, role: str, path: str, params: dict[str, str]) -> Any:
    headers = _headers(municipality, role)
    return Client().get(
        path,
        params,
        HTTP_HOST=headers["Host"],
        HTTP_AUTHORIZATION=headers.get("Authorization", ""),
        HTTP_ACCEPT_LANGUAGE="pt-br",
    )


def _violations(schema: dict[str, Any]) -> list[str]:
    values = []
    if schema.get("minLength"):
        values.append("")
    if schema.get("maxLength"):
        values.append("x" * (int(schema["maxLength"]) + 1))
    if "enum" in schema:
        values.append("valor-que-nao-existe")
    if schema.get("type") == "integer":
        values.append("9223372036854775808")
        if "maximum" in schema:
            values.append(str(int(schema["maximum"]) + 1))
        if "minimum" in schema:
            values.append(str(int(schema["minimum"]) - 1))
    return values


def test_every_documented_query_constraint_is_enforced_with_a_400_in_portuguese(aracaju):
    schema = _schema(aracaju)
    checked: list[tuple[str, str, str]] = []
    disagreements = []
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None or "{" in path or not path.startswith("/api/v1/"):
            continue
        for parameter in operation.get("parameters", []):
            if parameter.get("in") != "query":
                continue
            for value in _violations(parameter.get("schema", {})):
                # the first role allowed to call the operation (a forbidden role never reaches validation)
                answers = [
                    _get(aracaju, role, path, {parameter["name"]: value})
                    for role in ("staff", "citizen", "manager", "admin")
                ]
                allowed = [answer for answer in answers if answer.status_code not in (401, 403, 404)]
                if not allowed:
                    continue
                response = allowed[0]
                if response.status_code != 400 or not response["Content-Type"].startswith("application/json"):
                    disagreements.append((path, parameter["name"], value, response.status_code))
                    continue
                assert "400" in operation["responses"]
                checked.append((path, parameter["name"], value))
    assert disagreements == [], "\n".join(map(str, disagreements))
    # the case list's `unidade` (minLength 1) among them: an empty one is refused, as documented
    assert ("/api/v1/cases/", "unidade", "") in checked
    assert len(checked) >= 10, checked


def test_every_api_operation_documents_every_error_status_the_server_answers(aracaju):
    schema = _schema(aracaju)
    missing = {}
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            expected = ERRORS | ({"415"} if "requestBody" in operation else set())
            absent = expected - set(operation["responses"])
            if absent:
                missing[f"{method.upper()} {path}"] = sorted(absent)
    assert missing == {}


def test_a_bad_cursor_is_refused_with_a_400_in_portuguese(aracaju):
    response = _get(aracaju, "staff", "/api/v1/cases/", {"cursor": "nao-e-um-cursor"})

    assert response.status_code == 400
    assert "Cursor inválido" in str(response.json())
    assert _get(aracaju, "staff", "/api/v1/cases/", {"cursor": ""}).status_code == 200


def test_a_memo_subject_of_spaces_is_refused_by_the_schema_and_by_the_server(aracaju):
    schema = _schema(aracaju)
    body = schema["paths"]["/api/v1/memos/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    reference = body["$ref"].rsplit("/", 1)[-1]
    subject = schema["components"]["schemas"][reference]["properties"]["subject"]
    headers = _headers(aracaju, "staff")

    response = Client().post(
        "/api/v1/memos/",
        {"subject": "   ", "body": "Texto do memorando.", "to_units": ["SEMAD"]},
        content_type="application/json",
        HTTP_HOST=headers["Host"],
        HTTP_AUTHORIZATION=headers["Authorization"],
    )

    assert re.search(subject["pattern"], "   ") is None  # the schema refuses it too
    assert response.status_code == 400
    assert "subject" in response.json()
