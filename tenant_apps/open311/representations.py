"""What each GeoReport v2 resource says, as plain dicts (rendered as JSON or XML).

Privacy: a request shows no person — no name, e-mail, CPF, phone or form answer other than the
address and the coordinates; its subject and final answer only when the case is público.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tenant_apps.cases.enums import CaseStatus
from tenant_apps.cases.models import Case
from tenant_apps.catalog.enums import FieldKind
from tenant_apps.catalog.models import Service
from tenant_apps.documents.enums import AccessLevel

from .services import OPEN311_FORM_KEY

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["application/json", "text/xml"]

DATATYPES = {
    FieldKind.TEXT: "string",
    FieldKind.CPF: "string",
    FieldKind.CNPJ: "string",
    FieldKind.ADDRESS: "string",
    FieldKind.LONG_TEXT: "text",
    FieldKind.NUMBER: "number",
    FieldKind.DATE: "datetime",
    FieldKind.CHOICE: "singlevaluelist",
}
DATATYPE_DESCRIPTIONS = {
    FieldKind.CPF: "CPF (11 dígitos)",
    FieldKind.CNPJ: "CNPJ (14 dígitos)",
    FieldKind.ADDRESS: "Endereço",
    FieldKind.NUMBER: "Número decimal",
    FieldKind.DATE: "Data (AAAA-MM-DD)",
}


def w3c_datetime(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def discovery_payload(*, url: str, changeset: dt.datetime | None, contact: str) -> dict[str, Any]:
    changed = w3c_datetime(changeset)
    return {
        "changeset": changed,
        "contact": contact,
        "key_service": (
            "Chaves de acesso (api_key) para enviar solicitações são emitidas pela prefeitura; "
            "peça a sua pelo contato acima."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": changed,
                "type": "production",
                "formats": list(FORMATS),
            }
        ],
    }


def service_payload(service: Service) -> dict[str, Any]:
    fields = [field for field in service.fields.all() if field.kind in DATATYPES]
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": bool(fields),
        "type": "realtime",
        "keywords": ", ".join(part for part in (service.group, service.unit.acronym) if part),
        "group": service.group,
    }


def service_definition_payload(service: Service) -> dict[str, Any]:
    attributes = []
    for order, field in enumerate(
        (field for field in service.fields.all() if field.kind in DATATYPES), start=1
    ):
        attribute: dict[str, Any] = {
            "variable": True,
            "code": field.key,
            "datatype": DATATYPES[FieldKind(field.kind)],
            "required": field.is_required,
            "datatype_description": field.help_text or DATATYPE_DESCRIPTIONS.get(FieldKind(field.kind), ""),
            "order": order,
            "description": field.label,
        }
        if field.kind == FieldKind.CHOICE:
            attribute["values"] = [{"key": str(choice), "name": str(choice)} for choice in field.choices]
        attributes.append(attribute)
    return {"service_code": service.code, "attributes": attributes}


def _address(case: Case) -> str | None:
    for field in case.service.fields.all():
        if field.kind == FieldKind.ADDRESS and case.form_data.get(field.key):
            return str(case.form_data[field.key])
    extra = case.form_data.get(OPEN311_FORM_KEY) or {}
    return extra.get("address_string") or None


def _coordinate(case: Case, name: str) -> float | None:
    extra = case.form_data.get(OPEN311_FORM_KEY) or {}
    value = extra.get(name)
    return float(value) if value not in (None, "") else None


def service_request_payload(case: Case) -> dict[str, Any]:
    is_public = case.access_level == AccessLevel.PUBLIC
    is_closed = case.status == CaseStatus.CLOSED
    deadline = dt.datetime.combine(case.deadline, dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    extra = case.form_data.get(OPEN311_FORM_KEY) or {}
    return {
        "service_request_id": case.nup,
        "status": "closed" if is_closed else "open",
        "status_notes": (case.final_answer or None) if is_closed and is_public else None,
        "service_name": case.service.name,
        "service_code": case.service.code,
        "description": case.subject if is_public else None,
        "agency_responsible": case.current_unit.name,
        "service_notice": None,
        "requested_datetime": w3c_datetime(case.opened_at),
        "updated_datetime": w3c_datetime(case.last_event_at),
        "expected_datetime": w3c_datetime(deadline),
        "address": _address(case),
        "address_id": None,
        "zipcode": None,
        "lat": _coordinate(case, "lat"),
        "long": _coordinate(case, "long"),
        "media_url": extra.get("media_url") or None,
    }


def service_notice(case: Case) -> str:
    return f"Protocolo {case.nup} aberto. Prazo para resposta: {case.deadline:%d/%m/%Y}."
