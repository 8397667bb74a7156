"""GeoReport v2 bodies in JSON or XML, the format chosen by the URL suffix (`.json`, `.xml`).

XML follows the spec's examples: a plural root (`<services>`, `<service_requests>`, `<errors>`)
with one singular child per item; nested lists likewise (`<attributes><attribute>`), booleans as
`true`/`false` and nulls as empty elements.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - we only build XML, never parse input

from django.http import HttpResponse

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
SINGULAR = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "services": "service",
    "service_requests": "request",
    "errors": "error",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, SINGULAR.get(name, "item"), item)
    else:
        element.text = _text(value)


def xml_render(root: str, body: Any) -> bytes:
    element = ET.Element(root)
    if isinstance(body, list):
        for item in body:
            _append(element, SINGULAR[root], item)
    else:
        for key, value in body.items():
            _append(element, key, value)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def open311_response(
    body: Any, *, format: str, root: str, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    """`body` as JSON, or as XML under `root` (a list's items become `SINGULAR[root]` elements)."""
    if format == "xml":
        content = xml_render(root, body)
    else:
        content = json.dumps(body, ensure_ascii=False).encode()
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[format], headers=headers)


def open311_error(
    description: str, *, format: str, status: int, headers: dict[str, str] | None = None
) -> HttpResponse:
    """GeoReport v2, "Errors": `errors` > `error` with `code` (the HTTP status here) and `description`."""
    return open311_response(
        [{"code": status, "description": description}],
        format=format,
        root="errors",
        status=status,
        headers=headers,
    )
