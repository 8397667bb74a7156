"""Read-only cities: a municipality whose status is read_only or suspended (unpaid subscription,
vendor suspension) keeps serving every page, so citizens can still sign in and follow their cases,
but refuses every write: unsafe methods get a 403 (a page in Portuguese, or JSON on the API)."""

from __future__ import annotations

import json
from collections.abc import Callable
from xml.etree import ElementTree as ET  # noqa: S405 - we only build XML, never parse input

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .enums import MunicipalityStatus

READ_ONLY_STATUSES = frozenset(
    {MunicipalityStatus.READ_ONLY, MunicipalityStatus.SUSPENDED, MunicipalityStatus.CANCELLED}
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
API_PREFIXES = ("/api/", "/open311/")
OPEN311_PREFIX = "/open311/"


def municipality_is_read_only(municipality: object) -> bool:
    return getattr(municipality, "status", None) in READ_ONLY_STATUSES


def _allowed(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.view_name in settings.READ_ONLY_ALLOWED_URL_NAMES


class ReadOnlyTenantMiddleware:
    """After TenantMiddleware (it needs `request.tenant`); refuses before any view or form runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        municipality = getattr(request, "tenant", None)
        if (
            request.method not in SAFE_METHODS
            and municipality_is_read_only(municipality)
            and not _allowed(request)
        ):
            return read_only_response(request)
        return self.get_response(request)


def read_only_response(request: HttpRequest) -> HttpResponse:
    message = _(
        "Este portal está temporariamente somente para consulta: é possível ver os pedidos já feitos,"
        " mas não abrir novos nem alterar nada."
    )
    if request.path_info.startswith(OPEN311_PREFIX):
        return _open311_refusal(request.path_info, message)
    if request.path_info.startswith(API_PREFIXES):
        return JsonResponse({"message": message}, status=403)
    return render(
        request, "tenants/read_only.html", {"title": _("Somente consulta"), "message": message}, status=403
    )


def _open311_refusal(path: str, message: str) -> HttpResponse:
    """A GeoReport v2 error document (`errors` > `error` > `code`, `description`), in the format the
    path's suffix asks for, as every other Open311 answer (built here: tenants never import the
    Open311 app)."""
    if path.endswith(".json"):
        body = json.dumps([{"code": 403, "description": message}], ensure_ascii=False).encode()
        return HttpResponse(body, status=403, content_type="application/json; charset=utf-8")
    root = ET.Element("errors")
    error = ET.SubElement(root, "error")
    ET.SubElement(error, "code").text = "403"
    ET.SubElement(error, "description").text = message
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, status=403, content_type="text/xml; charset=utf-8")
