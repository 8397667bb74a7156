"""Reads of cases, always scoped to what the person may see."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from paco.errors import NotFound
from paco.pagination import keyset_page
from paco.text import text_fold
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import Viewer
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import user_managed_unit_ids, user_unit_ids

from .enums import CaseStatus
from .models import Case, CaseDocument, CaseEvent, CaseMove, CaseShare

INBOX_PAGE_SIZE = 25


def case_queryset_visible(user: Viewer) -> QuerySet[Case]:
    """Citizens: their own cases. Staff: cases now in, opened by or passed through their units, or shared."""
    base = Case.objects.select_related("service", "current_unit", "opening_unit", "assigned_to")
    if not getattr(user, "is_authenticated", False):
        return base.none()
    kind = getattr(user, "kind", None)
    if kind == UserKind.CITIZEN:
        return base.filter(citizen_id=user.pk)
    if kind != UserKind.STAFF:
        return base.none()
    units = user_unit_ids(user)
    passed_through = CaseMove.objects.filter(case=OuterRef("pk")).filter(
        Q(from_unit_id__in=units) | Q(to_unit_id__in=units)
    )
    shared = CaseShare.objects.filter(case=OuterRef("pk"), user_id=user.pk)
    return base.filter(
        Q(current_unit_id__in=units) | Q(opening_unit_id__in=units) | Exists(passed_through) | Exists(shared)
    )


def case_get_visible(*, user: Viewer, nup: str) -> Case:
    case = case_queryset_visible(user).filter(nup=nup).first()
    if case is None:
        raise NotFound
    return case


def case_user_can_act(*, user: Viewer, case: Case) -> bool:
    """Staff act on a case only while it is in one of their units."""
    return case.current_unit_id in user_unit_ids(user)


def case_list_for_citizen(*, user: User) -> QuerySet[Case]:
    return (
        Case.objects.select_related("service", "current_unit")
        .filter(citizen=user)
        .order_by("-opened_at", "-id")
    )


def case_events_visible(*, case: Case, user: Viewer | None) -> QuerySet[CaseEvent]:
    events = CaseEvent.objects.filter(case=case).select_related("unit").order_by("sequence")
    if getattr(user, "kind", None) != UserKind.STAFF:
        events = events.filter(is_public=True)
    return events


def case_events_for_citizen(*, case: Case, user: Viewer) -> list[CaseEvent]:
    """The public history, each unit named in full (a citizen does not know the acronyms)."""
    events = list(case_events_visible(case=case, user=user))
    names = dict(OrgUnit.objects.filter(is_active=True).values_list("acronym", "name"))
    acronyms = "|".join(re.escape(acronym) for acronym in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])({acronyms})(?![\w-])") if names else None
    for event in events:
        summary = event.summary
        event.citizen_summary = pattern.sub(lambda m: names[m.group(1)], summary) if pattern else summary  # type: ignore[attr-defined]
    return events


@dataclass(frozen=True)
class CaseSubmission:
    answers: list[tuple[str, str]]
    description: str
    request_document: Any


def case_submission(*, case: Case) -> CaseSubmission:
    """What the requester sent: the request form's answers (in the form's order), text and files."""
    fields = list(case.service.fields.all()) if case.service_id else []
    labels = {field.key: field.label for field in fields}
    order = {field.key: index for index, field in enumerate(fields)}
    answers = [
        (labels.get(key, key), str(value))
        for key, value in sorted(case.form_data.items(), key=lambda item: order.get(item[0], len(order)))
        if value not in ("", None)
    ]
    request_document = case_documents(case=case, for_requester=True).filter(kind=DocumentKind.REQUEST).first()
    return CaseSubmission(answers=answers, description=case.description, request_document=request_document)


@dataclass(frozen=True)
class InboxPage:
    cases: list[Case]
    next_cursor: str | None


INBOX_FILTERS = ("novo", "em_andamento", "aguardando_cidadao", "atrasado", "concluido", "todos")


def case_list_inbox(
    *,
    unit_id: int,
    filter_name: str = "todos",
    query: str = "",
    cursor: str = "",
    page_size: int = INBOX_PAGE_SIZE,
) -> InboxPage:
    """One page of a unit's inbox, newest movement first, with keyset pagination (paco.pagination).

    Uses the (current_unit, status, last_event_at, id) index; a cursor is the last row's
    (last_event_at, id), so page N costs the same as page 1 at any table size.
    """
    cases = Case.objects.select_related("service", "current_unit", "assigned_to", "citizen").filter(
        current_unit_id=unit_id
    )
    if filter_name == "atrasado":
        cases = cases.exclude(status=CaseStatus.CLOSED).filter(
            deadline__lt=timezone.localdate(), paused_since__isnull=True
        )
    elif filter_name in CaseStatus.values:
        cases = cases.filter(status=filter_name)
    elif filter_name == "todos":
        cases = cases.exclude(status=CaseStatus.CLOSED)
    if query.strip():
        cases = case_search_filter(cases, query)
    page = keyset_page(cases, key="last_event_at", cursor=cursor, limit=page_size)
    return InboxPage(cases=page.results, next_cursor=page.next)


def case_search_filter(cases: QuerySet[Case], query: str) -> QuerySet[Case]:
    """NUP (exact) or Portuguese full-text search over subject, description and answers."""
    from django.contrib.postgres.search import SearchQuery

    query = query.strip()
    if any(ch.isdigit() for ch in query) and ("." in query or "/" in query):
        return cases.filter(nup__startswith=query)
    return cases.filter(
        search_vector=SearchQuery(text_fold(query), config="portuguese", search_type="websearch")
    )


def case_counts_by_filter(*, unit_id: int) -> dict[str, int]:
    from django.db.models import Count

    open_statuses = [CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CITIZEN]
    base = Case.objects.filter(current_unit_id=unit_id)
    # Only open cases are counted: a unit accumulates hundreds of thousands of closed ones, and
    # counting those on every inbox view would cost more than the page itself.
    counts = dict(
        base.filter(status__in=open_statuses)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    overdue = (
        base.exclude(status=CaseStatus.CLOSED)
        .filter(deadline__lt=timezone.localdate(), paused_since__isnull=True)
        .count()
    )
    return {
        "novo": counts.get(CaseStatus.NEW, 0),
        "em_andamento": counts.get(CaseStatus.IN_PROGRESS, 0),
        "aguardando_cidadao": counts.get(CaseStatus.WAITING_CITIZEN, 0),
        "atrasado": overdue,
    }


def nup_from_digits(digits: str) -> str:
    """`10005000001202655` -> `10005.000001/2026-55`."""
    return f"{digits[:5]}.{digits[5:11]}/{digits[11:15]}-{digits[15:17]}"


def case_get_for_citizen(*, user: Viewer, digits: str) -> Case:
    if getattr(user, "kind", None) != UserKind.CITIZEN:
        raise NotFound
    case = (
        Case.objects.select_related("service", "current_unit", "citizen")
        .filter(citizen_id=user.pk, nup=nup_from_digits(digits))
        .first()
    )
    if case is None:
        raise NotFound
    return case


def case_get_for_staff(*, user: Viewer, digits: str) -> Case:
    if getattr(user, "kind", None) != UserKind.STAFF:
        raise NotFound
    return case_get_visible(user=user, nup=nup_from_digits(digits))


def case_pending_information_request(*, case: Case) -> Any:
    return case.information_requests.filter(answered_at__isnull=True).order_by("created_at").first()


def case_deadlines_for_manager(*, user: Viewer) -> QuerySet[Case]:
    """Open cases of the units the user manages, earliest deadline first."""
    return (
        Case.objects.select_related("service", "current_unit", "assigned_to")
        .filter(current_unit_id__in=user_managed_unit_ids(user))
        .exclude(status=CaseStatus.CLOSED)
        .order_by("deadline", "id")
    )


def case_documents(*, case: Case, for_requester: bool = False) -> QuerySet[Any]:
    """The case file; the requester sees only what is public to them (no internal dispatches)."""
    from tenant_apps.documents.models import Document

    links: dict[str, Any] = {"case_links__case": case}
    if for_requester:
        links["case_links__is_public"] = True
    return (
        Document.objects.filter(**links)
        .select_related("unit", "author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def case_list_visible(
    *,
    user: Viewer,
    filter_name: str = "todos",
    query: str = "",
    cursor: str = "",
    page_size: int = INBOX_PAGE_SIZE,
) -> InboxPage:
    """One page of every case the person may see (a citizen's own), newest movement first.

    Same keyset pagination as the unit inbox; here "todos" includes concluded cases.
    """
    cases = case_queryset_visible(user)
    if filter_name == "atrasado":
        cases = cases.exclude(status=CaseStatus.CLOSED).filter(
            deadline__lt=timezone.localdate(), paused_since__isnull=True
        )
    elif filter_name in CaseStatus.values:
        cases = cases.filter(status=filter_name)
    if query.strip():
        cases = case_search_filter(cases, query)
    page = keyset_page(cases, key="last_event_at", cursor=cursor, limit=page_size)
    return InboxPage(cases=page.results, next_cursor=page.next)


def case_document_read_grant(user: Viewer, document: Any) -> Any:
    """Hook for tenant_apps.documents: the requester is a party; staff who see the case are related."""
    from tenant_apps.documents.selectors import ReadGrant

    if not getattr(user, "is_authenticated", False):
        return ReadGrant.NONE
    if CaseDocument.objects.filter(document=document, case__citizen_id=user.pk, is_public=True).exists():
        return ReadGrant.PARTY
    if case_queryset_visible(user).filter(case_documents__document=document).exists():
        return ReadGrant.RELATED
    return ReadGrant.NONE


def case_document_for_requester(*, case: Case, document_id: int) -> Any:
    document = case_documents(case=case, for_requester=True).filter(pk=document_id).first()
    if document is None:
        raise NotFound
    return document
