"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) on each city's host, `/open311/v2/`.

Plain Django views rather than DRF: the wire format is Open311's (JSON or XML by URL suffix,
errors as `[{code, description}]`), so these endpoints stay out of Paço's OpenAPI description.
Reading needs no key; `POST requests` needs an `api_key` issued with `open311_client_create`.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from paco.errors import ApplicationError
from paco.schemas import current_tenant
from tenant_apps.cases.selectors import nup_from_digits
from tenant_apps.cases.services import nup_digits

from . import representations
from .renderers import open311_error, open311_response
from .selectors import (
    api_client_get_by_key,
    open311_changeset,
    open311_service_get,
    open311_service_list,
    request_token_get,
    service_request_get,
    service_request_list,
)
from .services import ServiceRequestInput, api_client_post_allow, service_request_create

ATTRIBUTE_PREFIX = "attribute["


@require_GET
def discovery(request: HttpRequest, format: str) -> HttpResponse:
    municipality = current_tenant()
    body = representations.discovery_payload(
        url=request.build_absolute_uri("/open311/v2/"),
        changeset=open311_changeset(),
        contact=f"Prefeitura de {municipality.name} — {request.build_absolute_uri('/')}",
    )
    return open311_response(body, format=format, root="discovery")


@require_GET
def service_list(request: HttpRequest, format: str) -> HttpResponse:
    body = [representations.service_payload(service) for service in open311_service_list()]
    return open311_response(body, format=format, root="services")


@require_GET
def service_definition(request: HttpRequest, service_code: str, format: str) -> HttpResponse:
    service = open311_service_get(code=service_code)
    if service is None:
        return open311_error(
            _("Serviço não encontrado: %(code)s.") % {"code": service_code}, format=format, status=404
        )
    return open311_response(
        representations.service_definition_payload(service), format=format, root="service_definition"
    )


def _nups(raw: str) -> list[str]:
    digits = (nup_digits(part) for part in raw.split(","))
    return [nup_from_digits(value) for value in digits if len(value) == 17]


def _moment(raw: str, *, name: str) -> dt.datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            value = dt.datetime.combine(day, dt.time.min) if day else None
    except ValueError:
        value = None
    if value is None:
        raise ApplicationError(
            _("%(name)s: data inválida; use ISO 8601, por exemplo 2026-01-31T08:00:00-03:00.")
            % {"name": name}
        )
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _request_list(request: HttpRequest, format: str) -> HttpResponse:
    params = request.GET
    try:
        statuses = [part.strip() for part in params.get("status", "").split(",") if part.strip()]
        if any(status not in ("open", "closed") for status in statuses):
            raise ApplicationError(_("status: use open ou closed."))
        cases = service_request_list(
            nups=_nups(params["service_request_id"]) if params.get("service_request_id") else (),
            service_codes=[
                code.strip() for code in params.get("service_code", "").split(",") if code.strip()
            ],
            start=_moment(params.get("start_date", ""), name="start_date"),
            end=_moment(params.get("end_date", ""), name="end_date"),
            statuses=statuses,
            now=timezone.now(),
        )
    except ApplicationError as error:
        return open311_error(error.message, format=format, status=400)
    body = [representations.service_request_payload(case) for case in cases]
    return open311_response(body, format=format, root="service_requests")


def _request_create(request: HttpRequest, format: str) -> HttpResponse:
    data = request.POST
    key = data.get("api_key", "").strip()
    if not key:
        return open311_error(_("Informe a chave de acesso (api_key)."), format=format, status=403)
    client = api_client_get_by_key(key=key)
    if client is None:
        return open311_error(
            _("Chave de acesso (api_key) inválida ou desativada."), format=format, status=403
        )
    if not api_client_post_allow(client=client):
        return open311_error(
            _("Limite de solicitações por minuto excedido; tente novamente em instantes."),
            format=format,
            status=429,
        )
    code = data.get("service_code", "").strip()
    if not code:
        return open311_error(_("Informe o código do serviço (service_code)."), format=format, status=400)
    service = open311_service_get(code=code)
    if service is None:
        return open311_error(
            _("Serviço não encontrado: %(code)s.") % {"code": code}, format=format, status=404
        )
    attributes = {
        name[len(ATTRIBUTE_PREFIX) : -1]: str(value)
        for name, value in data.items()
        if name.startswith(ATTRIBUTE_PREFIX) and name.endswith("]")
    }
    request_input = ServiceRequestInput(
        email=data.get("email", ""),
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        phone=data.get("phone", ""),
        description=data.get("description", ""),
        address_string=data.get("address_string", ""),
        lat=data.get("lat", ""),
        long=data.get("long", ""),
        media_url=data.get("media_url", ""),
        attributes=attributes,
    )
    try:
        case, token = service_request_create(client=client, service=service, data=request_input)
    except ApplicationError as error:
        return open311_error(error.message, format=format, status=400)
    body = [
        {
            "service_request_id": case.nup,
            "token": token.token,
            "service_notice": representations.service_notice(case),
            "account_id": None,
        }
    ]
    return open311_response(body, format=format, root="service_requests", status=201)


@csrf_exempt  # a machine API authenticated by api_key, not by a browser session
@require_http_methods(["GET", "POST"])
def request_collection(request: HttpRequest, format: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, format)
    return _request_list(request, format)


@require_GET
def request_detail(request: HttpRequest, request_id: str, format: str) -> HttpResponse:
    case = service_request_get(nup=request_id)
    if case is None:
        return open311_error(_("Solicitação não encontrada."), format=format, status=404)
    return open311_response(
        [representations.service_request_payload(case)], format=format, root="service_requests"
    )


@require_GET
def token_detail(request: HttpRequest, token: str, format: str) -> HttpResponse:
    found = request_token_get(token=token)
    if found is None:
        return open311_error(_("Token não encontrado."), format=format, status=404)
    body = [{"service_request_id": found.case.nup, "token": found.token}]
    return open311_response(body, format=format, root="service_requests")
