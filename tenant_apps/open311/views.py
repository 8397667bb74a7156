"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) on each city's host, `/open311/v2/`.

Plain Django views rather than DRF: the wire format is Open311's (JSON or XML by URL suffix,
errors as `[{code, description}]`), so these endpoints stay out of Paço's OpenAPI description.
Reading needs no key; `POST requests` needs an `api_key` issued with `open311_client_create`.
Section names in comments ("POST Service Request", "Errors", ...) are the spec's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from paco.errors import ApplicationError
from paco.schemas import current_tenant

from . import representations
from .models import ApiClient
from .parameters import request_query_parse
from .renderers import open311_error, open311_response
from .selectors import (
    api_client_get_by_key,
    client_request_get_by_token,
    jurisdiction_matches,
    open311_changeset,
    open311_service_get,
    open311_service_list,
    open311_service_not_found_reason,
    service_request_get,
    service_request_list,
)
from .services import Open311Error, ServiceRequestInput, api_client_post_count, service_request_create

ATTRIBUTE_PREFIX = "attribute["
READ = ("GET", "HEAD")
READ_AND_POST = ("GET", "HEAD", "POST")
ECHO_LIMIT = 200
LIST_PARAMETERS = ("service_request_id", "service_code", "status")

View = Callable[..., HttpResponse]


def _params(request: HttpRequest) -> dict[str, str]:
    """The arguments: the query string and, for a POST, the form-encoded body, which wins.

    The spec's POST example sends everything in the body; clients such as the `open311` library
    send api_key and jurisdiction_id in the query string of the POST, which is just as explicit.
    """
    params = request.GET.dict()
    # "GET Service Requests": service_code and status "can be declared multiple times, comma
    # delimited": a repeated parameter counts as its values joined by commas
    for name in LIST_PARAMETERS:
        if len(request.GET.getlist(name)) > 1:
            params[name] = ",".join(request.GET.getlist(name))
    if request.method == "POST":
        params.update(request.POST.dict())
    return params


def _method_list(methods: tuple[str, ...]) -> str:
    return _("%(first)s ou %(last)s") % {"first": ", ".join(methods[:-1]), "last": methods[-1]}


def open311_endpoint(*methods: str, jurisdiction: bool = True) -> Callable[[View], View]:
    """Every answer of an endpoint is an Open311 document, refusals included ("Errors"):

    - a method the resource does not have is a 405 with Allow (RFC 9110 §15.5.6; the spec only says
      "basically 400 for any other error", and 405 names the problem exactly);
    - a jurisdiction_id that is not this city is a 404 ("404 - jurisdiction_id provided was not
      found"); one left out or empty is this city (each city has its own endpoint, so the spec
      lets it be optional, and "Optional Arguments" makes empty the same as absent);
    - `Open311Error` carries its status (403 api_key, 404, 429), any other ApplicationError is a 400.
    """

    def decorator(view: View) -> View:
        @csrf_exempt  # a machine API authenticated by api_key, not by a browser session
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, format: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return open311_error(
                    _("Método %(method)s não permitido aqui; use %(allowed)s.")
                    % {"method": str(request.method)[:20], "allowed": _method_list(methods)},
                    format=format,
                    status=405,
                    headers={"Allow": ", ".join(methods)},
                )
            params = _params(request)
            jurisdiction_id = params.get("jurisdiction_id", "")
            if jurisdiction and not jurisdiction_matches(
                municipality=current_tenant(), jurisdiction_id=jurisdiction_id
            ):
                return open311_error(
                    _("jurisdiction_id não encontrado: %(jurisdiction)s.")
                    % {"jurisdiction": jurisdiction_id.strip()[:ECHO_LIMIT]},
                    format=format,
                    status=404,
                )
            try:
                return view(request, params, *args, format=format, **kwargs)
            except Open311Error as error:
                return open311_error(error.message, format=format, status=error.status, headers=error.headers)
            except ApplicationError as error:
                return open311_error(error.message, format=format, status=400)

        return wrapped

    return decorator


def _client(params: dict[str, str], *, required: bool) -> ApiClient | None:
    """The API client of `api_key` ("Errors": 403 for a missing or invalid key). Reading needs no
    key; a client that gives one also reads every request it created itself."""
    key = params.get("api_key", "").strip()
    if not key:
        if required:
            raise Open311Error(_("Informe a chave de acesso (api_key)."), status=403)
        return None
    client = api_client_get_by_key(key=key)
    if client is None:
        raise Open311Error(_("Chave de acesso (api_key) inválida ou desativada."), status=403)
    return client


@open311_endpoint(*READ, jurisdiction=False)
def discovery(request: HttpRequest, params: dict[str, str], format: str) -> HttpResponse:
    municipality = current_tenant()
    body = representations.discovery_payload(
        url=request.build_absolute_uri("/open311/v2/"),
        changeset=open311_changeset(),
        contact=_("Prefeitura de %(city)s — %(url)s")
        % {"city": municipality.name, "url": request.build_absolute_uri("/")},
    )
    return open311_response(body, format=format, root="discovery")


@open311_endpoint(*READ)
def service_list(request: HttpRequest, params: dict[str, str], format: str) -> HttpResponse:
    body = [representations.service_payload(service) for service in open311_service_list()]
    return open311_response(body, format=format, root="services")


@open311_endpoint(*READ)
def service_definition(
    request: HttpRequest, params: dict[str, str], service_code: str, format: str
) -> HttpResponse:
    service = open311_service_get(code=service_code)
    if service is None:
        raise Open311Error(open311_service_not_found_reason(code=service_code), status=404)
    return open311_response(
        representations.service_definition_payload(service), format=format, root="service_definition"
    )


def _request_list(request: HttpRequest, params: dict[str, str], format: str) -> HttpResponse:
    client = _client(params, required=False)
    query = request_query_parse(params)
    cases = service_request_list(
        client=client,
        nups=query.nups,
        service_codes=query.service_codes,
        start=query.start,
        end=query.end,
        statuses=query.statuses,
        now=timezone.now(),
    )
    body = [representations.service_request_payload(case) for case in cases]
    return open311_response(body, format=format, root="service_requests")


def _request_create(request: HttpRequest, params: dict[str, str], format: str) -> HttpResponse:
    client = _client(params, required=True)
    assert client is not None  # noqa: S101 - required=True raises instead
    api_client_post_count(client=client)
    code = params.get("service_code", "").strip()
    if not code:
        raise ApplicationError(_("Informe o código do serviço (service_code)."))
    service = open311_service_get(code=code)
    if service is None:
        raise Open311Error(open311_service_not_found_reason(code=code), status=404)
    attributes = {
        name[len(ATTRIBUTE_PREFIX) : -1]: str(value)
        for name, value in params.items()
        if name.startswith(ATTRIBUTE_PREFIX) and name.endswith("]")
    }
    created = service_request_create(
        client=client,
        service=service,
        data=ServiceRequestInput(
            email=params.get("email", ""),
            first_name=params.get("first_name", ""),
            last_name=params.get("last_name", ""),
            phone=params.get("phone", ""),
            description=params.get("description", ""),
            address_string=params.get("address_string", ""),
            address_id=params.get("address_id", ""),
            lat=params.get("lat", ""),
            long=params.get("long", ""),
            media_url=params.get("media_url", ""),
            attributes=attributes,
        ),
    )
    # "POST Service Request", response: the spec says a token "should not be returned" with a
    # service_request_id. Both are answered: the id at once (type realtime) and a token with which
    # the client can find the id again (GET tokens) after losing the answer; clients read the id.
    body = [
        {
            "service_request_id": created.case.nup,
            "token": created.token,
            "service_notice": representations.service_notice(created.case),
            "account_id": None,
        }
    ]
    return open311_response(body, format=format, root="service_requests", status=201)


@open311_endpoint(*READ_AND_POST)
def request_collection(request: HttpRequest, params: dict[str, str], format: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, params, format)
    return _request_list(request, params, format)


@open311_endpoint(*READ)
def request_detail(
    request: HttpRequest, params: dict[str, str], request_id: str, format: str
) -> HttpResponse:
    case = service_request_get(nup=request_id, client=_client(params, required=False))
    if case is None:
        raise Open311Error(_("Solicitação não encontrada."), status=404)
    return open311_response(
        [representations.service_request_payload(case)], format=format, root="service_requests"
    )


@open311_endpoint(*READ)
def token_detail(request: HttpRequest, params: dict[str, str], token: str, format: str) -> HttpResponse:
    found = client_request_get_by_token(token=token)
    if found is None:
        raise Open311Error(_("Token não encontrado."), status=404)
    body = [{"service_request_id": found.case.nup, "token": found.token}]
    return open311_response(body, format=format, root="service_requests")


NOT_FOUND_BY_RESOURCE = {
    "requests/": lambda rest: _("Solicitação não encontrada."),
    "tokens/": lambda rest: _("Token não encontrado."),
    "services/": lambda rest: _("Serviço não encontrado: %(code)s.") % {"code": rest},
}


@csrf_exempt
def not_found(request: HttpRequest, path: str) -> HttpResponse:
    """Any other path under `/open311/v2/` ("Errors": "404 for resources that don't exist"), in the
    format its suffix asks for; XML when it asks for none we have (XML is the spec's required
    format, "Format Support")."""
    format = "json" if path.endswith(".json") else "xml"
    if not path:
        return open311_error(
            _("Recurso não encontrado no Open311; comece por discovery.xml ou discovery.json."),
            format=format,
            status=404,
        )
    for prefix, describe in NOT_FOUND_BY_RESOURCE.items():
        if path.startswith(prefix):
            rest = path[len(prefix) :].removesuffix(f".{format}")
            return open311_error(describe(rest[:ECHO_LIMIT]), format=format, status=404)
    return open311_error(
        _("Recurso não encontrado no Open311: %(path)s.") % {"path": path[:ECHO_LIMIT]},
        format=format,
        status=404,
    )
