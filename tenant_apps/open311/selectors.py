"""Reads of the Open311 API. Requests are listed only for published services, never sigilosos."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Max, Prefetch, Q, QuerySet

from paco.tokens import token_hash
from tenant_apps.cases.enums import CaseStatus
from tenant_apps.cases.models import Case
from tenant_apps.catalog.models import Service, ServiceField
from tenant_apps.catalog.selectors import service_get_with_form, service_list_public
from tenant_apps.documents.enums import AccessLevel

from .models import ApiClient, RequestToken

MAX_REQUESTS = 1000
DEFAULT_WINDOW = dt.timedelta(days=90)


def api_client_get_by_key(*, key: str) -> ApiClient | None:
    """The active client whose key this is (compared by SHA-256, never stored in clear)."""
    if not key:
        return None
    return ApiClient.objects.filter(key_hash=token_hash(key), is_active=True).first()


def open311_service_list() -> QuerySet[Service]:
    """The public catalogue with each service's form fields (two queries)."""
    return service_list_public().prefetch_related(
        Prefetch("fields", queryset=ServiceField.objects.order_by("position", "id"))
    )


def open311_service_get(*, code: str) -> Service | None:
    return service_get_with_form(code=code)


def open311_changeset() -> dt.datetime | None:
    return Service.objects.filter(is_active=True, is_public=True).aggregate(latest=Max("updated_at"))[
        "latest"
    ]


def _listable() -> QuerySet[Case]:
    return (
        Case.objects.filter(
            service__open311_publication__isnull=False,
            service__is_active=True,
            service__is_public=True,
        )
        .exclude(access_level=AccessLevel.SECRET)
        .select_related("service", "current_unit")
        .prefetch_related(
            Prefetch("service__fields", queryset=ServiceField.objects.order_by("position", "id"))
        )
    )


def service_request_list(
    *,
    nups: Sequence[str] = (),
    service_codes: Sequence[str] = (),
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    statuses: Sequence[str] = (),
    now: dt.datetime,
) -> list[Case]:
    """GeoReport v2 `GET requests`: by ids (other filters ignored, as the spec says), or by service,
    status and a date window (90 days by default); newest first, at most 1000."""
    cases = _listable()
    if nups:
        return list(cases.filter(nup__in=list(nups)).order_by("-opened_at", "-id")[:MAX_REQUESTS])
    if end is None:
        end = now if start is None else start + DEFAULT_WINDOW
    if start is None:
        start = end - DEFAULT_WINDOW
    cases = cases.filter(opened_at__gte=start, opened_at__lte=end)
    if service_codes:
        cases = cases.filter(service__code__in=list(service_codes))
    if statuses and set(statuses) != {"open", "closed"}:
        closed = Q(status=CaseStatus.CLOSED)
        cases = cases.filter(closed if "closed" in statuses else ~closed)
    return list(cases.order_by("-opened_at", "-id")[:MAX_REQUESTS])


def service_request_get(*, nup: str) -> Case | None:
    return _listable().filter(nup=nup).first()


def request_token_get(*, token: str) -> RequestToken | None:
    return RequestToken.objects.filter(token=token).select_related("case").first()
