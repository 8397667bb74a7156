"""What each GeoReport v2 resource says, as plain dicts (rendered as JSON or XML).

Privacy: a request shows no person — no name, e-mail, CPF, phone or form answer other than the
address and the coordinates; its subject and final answer only when the case is público, and its
`service_notice` says so when they are left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.cases.enums import CaseStatus
from tenant_apps.cases.models import Case
from tenant_apps.catalog.enums import FieldKind
from tenant_apps.catalog.models import Service
from tenant_apps.documents.enums import AccessLevel

from .models import ClientRequest

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
    FieldKind.CPF: gettext_lazy("CPF (11 dígitos)"),
    FieldKind.CNPJ: gettext_lazy("CNPJ (14 dígitos)"),
    FieldKind.ADDRESS: gettext_lazy("Endereço"),
    FieldKind.NUMBER: gettext_lazy("Número decimal"),
    FieldKind.DATE: gettext_lazy("Data (AAAA-MM-DD; data e hora ISO 8601 também servem)"),
}


def w3c_datetime(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def discovery_payload(*, url: str, changeset: dt.datetime | None, contact: str) -> dict[str, Any]:
    changed = w3c_datetime(changeset)
    return {
        "changeset": changed,
        "contact": contact,
        "key_service": _(
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


def _attribute_fields(service: Service) -> list[Any]:
    """The form fields a client answers as attributes: every kind GeoReport can carry except the
    first address field, which is the request's location ("POST Service Request": lat & long,
    address_string or address_id), not an attribute."""
    location = next((field for field in service.fields.all() if field.kind == FieldKind.ADDRESS), None)
    return [field for field in service.fields.all() if field.kind in DATATYPES and field is not location]


def service_payload(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": bool(_attribute_fields(service)),
        # "GET Service List", type: realtime — the id is answered at once (a NUP, by case_open)
        "type": "realtime",
        "keywords": ", ".join(part for part in (service.group, service.unit.acronym) if part),
        "group": service.group,
    }


def service_definition_payload(service: Service) -> dict[str, Any]:
    attributes = []
    for order, field in enumerate(_attribute_fields(service), start=1):
        attribute: dict[str, Any] = {
            "variable": True,
            "code": field.key,
            "datatype": DATATYPES[FieldKind(field.kind)],
            "required": field.is_required,
            "datatype_description": field.help_text
            or str(DATATYPE_DESCRIPTIONS.get(FieldKind(field.kind), "")),
            "order": order,
            "description": field.label,
        }
        if field.kind == FieldKind.CHOICE:
            attribute["values"] = [{"key": str(choice), "name": str(choice)} for choice in field.choices]
        attributes.append(attribute)
    return {"service_code": service.code, "attributes": attributes}


def _sent(case: Case) -> ClientRequest | None:
    try:
        return case.open311_request
    except ObjectDoesNotExist:
        return None


def _address(case: Case) -> str | None:
    for field in case.service.fields.all():
        if field.kind == FieldKind.ADDRESS and case.form_data.get(field.key):
            return str(case.form_data[field.key])
    return None


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


def service_request_payload(case: Case) -> dict[str, Any]:
    """One request ("GET Service Request"). A request an API client created answers the location
    and media as that client sent them (nothing made up from coordinates); a request from another
    channel answers its form's address."""
    is_public = case.access_level == AccessLevel.PUBLIC
    is_closed = case.status == CaseStatus.CLOSED
    deadline = dt.datetime.combine(case.deadline, dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    sent = _sent(case)
    return {
        "service_request_id": case.nup,
        "status": "closed" if is_closed else "open",
        "status_notes": (case.final_answer or None) if is_closed and is_public else None,
        "service_name": case.service.name,
        "service_code": case.service.code,
        "description": case.subject if is_public else None,
        "agency_responsible": case.current_unit.name,
        "service_notice": service_notice(case),
        "requested_datetime": w3c_datetime(case.opened_at),
        "updated_datetime": w3c_datetime(case.last_event_at),
        "expected_datetime": w3c_datetime(deadline),
        "address": (sent.address_string or None) if sent is not None else _address(case),
        "address_id": (sent.address_id or None) if sent is not None else None,
        "zipcode": None,
        "lat": _number(sent.lat) if sent is not None else None,
        "long": _number(sent.long) if sent is not None else None,
        "media_url": (sent.media_url or None) if sent is not None else None,
    }


def service_notice(case: Case) -> str:
    """The same notice in the POST answer and in every GET: the deadline, and why the description
    is missing when it is (a deliberate privacy rule, not a fault)."""
    notice = _("Protocolo %(nup)s aberto. Prazo para resposta: %(deadline)s.") % {
        "nup": case.nup,
        "deadline": f"{case.deadline:%d/%m/%Y}",
    }
    if case.access_level != AccessLevel.PUBLIC:
        notice += " " + _(
            "A descrição e a resposta não são publicadas no Open311 porque o protocolo é de acesso restrito."
        )
    return notice
