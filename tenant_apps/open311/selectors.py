"""Reads of the Open311 API: which services are offered, which requests each caller may read.

The rule for services (GeoReport v2, "GET Service List": "a list of acceptable 311 service
request types"): a service is offered on Open311 when the municipal admin published it and it can
be filed through Open311 at all — public, active, and needing no document, since the spec has no
way to send a file ("POST Service Request": media_url is only a link, "a convention for parsing
media from this URL has yet to be established"). `open311_service_refusal` says why not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from paco.tokens import token_hash
from tenant_apps.cases.enums import CaseStatus
from tenant_apps.cases.models import Case
from tenant_apps.catalog.enums import FieldKind
from tenant_apps.catalog.models import RequiredAttachment, Service, ServiceField
from tenant_apps.documents.enums import AccessLevel

from .models import ApiClient, ClientRequest, PublishedService

# "GET Service Requests", response volume: "a span of 90 days or first 1000 requests returned"
MAX_REQUESTS = 1000
WINDOW = dt.timedelta(days=90)


def api_client_get_by_key(*, key: str) -> ApiClient | None:
    """The active client whose key this is (compared by SHA-256, never stored in clear)."""
    if not key:
        return None
    return ApiClient.objects.filter(key_hash=token_hash(key), is_active=True).first()


def jurisdiction_matches(*, municipality: Any, jurisdiction_id: str) -> bool:
    """Whether `jurisdiction_id` names this city: one of its domains (the spec suggests "the
    jurisdiction's main website root url (without the www)") or its IBGE code, any case."""
    value = jurisdiction_id.strip().lower().removeprefix("www.")
    if not value:
        return True
    if value == municipality.ibge_code:
        return True
    return bool(municipality.domains.filter(domain=value).exists())


def _documents_required(service: Service) -> list[str]:
    documents = [item.name for item in service.required_attachments.all() if item.is_required]
    documents += [
        item.label for item in service.fields.all() if item.kind == FieldKind.FILE and item.is_required
    ]
    return documents


def open311_service_refusal(service: Service) -> str | None:
    """Why `service` cannot be offered on Open311, in Portuguese; None when it can."""
    if not service.is_public:
        return _("O serviço “%(name)s” é interno (não aparece na Carta de Serviços).") % {
            "name": service.name
        }
    if not service.is_active:
        return _("O serviço “%(name)s” está desativado.") % {"name": service.name}
    documents = _documents_required(service)
    if documents:
        return _(
            "O serviço “%(name)s” exige documentos anexos (%(documents)s), que o Open311 não tem como "
            "receber: peça-o pelo portal da prefeitura."
        ) % {"name": service.name, "documents": ", ".join(documents)}
    return None


def open311_service_is_published(service: Service) -> bool:
    return PublishedService.objects.filter(service=service).exists()


def _offered() -> QuerySet[Service]:
    needs_documents = Exists(
        RequiredAttachment.objects.filter(service=OuterRef("pk"), is_required=True)
    ) | Exists(ServiceField.objects.filter(service=OuterRef("pk"), kind=FieldKind.FILE, is_required=True))
    return Service.objects.filter(is_active=True, is_public=True, open311_publication__isnull=False).exclude(
        needs_documents
    )


def _with_form(services: QuerySet[Service]) -> QuerySet[Service]:
    return services.select_related("unit").prefetch_related(
        Prefetch("fields", queryset=ServiceField.objects.order_by("position", "id")),
        Prefetch("required_attachments", queryset=RequiredAttachment.objects.order_by("position", "id")),
    )


def open311_service_list() -> QuerySet[Service]:
    """The offered services with their forms (three queries), as `GET services` lists them."""
    return _with_form(_offered()).order_by("group", "name")


def open311_service_get(*, code: str) -> Service | None:
    """An offered service with its form, or None."""
    return _with_form(_offered().filter(code=code)).first()


def open311_service_not_found_reason(*, code: str) -> str:
    """What `GET services/{code}` and `POST requests` answer for a code that is not offered: the
    documents rule when the public catalogue has the service, else plain not found."""
    service = _with_form(Service.objects.filter(code=code, is_public=True, is_active=True)).first()
    refusal = open311_service_refusal(service) if service is not None else None
    return refusal or _("Serviço não encontrado: %(code)s.") % {"code": code}


def open311_changeset() -> dt.datetime | None:
    """When the offered services last changed (discovery's `changeset`)."""
    services = Service.objects.filter(open311_publication__isnull=False).aggregate(latest=Max("updated_at"))
    publications = PublishedService.objects.aggregate(latest=Max("updated_at"))
    moments = [moment for moment in (services["latest"], publications["latest"]) if moment is not None]
    return max(moments) if moments else None


def _readable(client: ApiClient | None) -> QuerySet[Case]:
    """Requests of offered services, never sigilosos; plus, for a client that gives its api_key,
    every request it created itself, whatever became of its service since."""
    readable = Q(service__in=_offered().values("pk")) & ~Q(access_level=AccessLevel.SECRET)
    if client is not None:
        readable |= Q(open311_request__client=client)
    return (
        Case.objects.filter(readable)
        .select_related("service", "current_unit", "open311_request")
        .prefetch_related(
            Prefetch("service__fields", queryset=ServiceField.objects.order_by("position", "id"))
        )
    )


def service_request_list(
    *,
    client: ApiClient | None = None,
    nups: Sequence[str] = (),
    service_codes: Sequence[str] = (),
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    statuses: Sequence[str] = (),
    now: dt.datetime,
) -> list[Case]:
    """`GET requests` ("GET Service Requests"): by ids, which override every other argument; or by
    service, status and a window of at most 90 days (the last 90 by default; from start_date or
    up to end_date when only one is given); newest first, at most 1000. Dates are checked by the
    caller (`parameters.request_window`)."""
    cases = _readable(client)
    if nups:
        return list(cases.filter(nup__in=list(nups)).order_by("-opened_at", "-id")[:MAX_REQUESTS])
    if end is None:
        end = now if start is None else start + WINDOW
    if start is None:
        start = end - WINDOW
    cases = cases.filter(opened_at__gte=start, opened_at__lte=end)
    if service_codes:
        cases = cases.filter(service__code__in=list(service_codes))
    if statuses and set(statuses) != {"open", "closed"}:
        closed = Q(status=CaseStatus.CLOSED)
        cases = cases.filter(closed if "closed" in statuses else ~closed)
    return list(cases.order_by("-opened_at", "-id")[:MAX_REQUESTS])


def service_request_get(*, nup: str, client: ApiClient | None = None) -> Case | None:
    return _readable(client).filter(nup=nup).first()


def client_request_get_by_token(*, token: str) -> ClientRequest | None:
    """A token is a secret only its client was given, so it answers whatever became of the request."""
    return ClientRequest.objects.filter(token=token).select_related("case").first()
