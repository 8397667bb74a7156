"""Full-text search over documents in Portuguese, only over what the person may read.

The text is indexed accent-folded (`text_fold`) with the `portuguese` configuration (stemming,
stop words), and the query is folded the same way, so "arvore", "Árvore" and "ÁRVORES" all find
"Poda de árvore". One SQL query per page: the visibility rule (público, or authored by one of the
person's units) is a subquery in the same statement, the author unit and author are joined, and
pagination is by keyset on (rank, id), so page 50 costs what page 1 costs.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.utils import timezone

from paco.text import text_fold
from tenant_apps.accounts.selectors import user_is_staff
from tenant_apps.accounts.types import Viewer
from tenant_apps.org.models import Membership

from .enums import AccessLevel
from .models import Document, DocumentVersion

SEARCH_PAGE_SIZE = 20
# Relevance is computed over the most recent matches only: ranking every match of a common word
# among millions of documents costs hundreds of milliseconds, while finding the newest N matches
# walks the primary key backwards (or the GIN index, for rare words) and stops early.
SEARCH_CANDIDATES = 1000
SEARCH_MAX_PAGE_SIZE = 100
EXCERPT_CHARS = 280


@dataclass(frozen=True)
class SearchPage:
    results: Sequence[Document]  # each with `rank` and `excerpt` annotations
    next_cursor: str | None


def _cursor_encode(document: Any) -> str:
    raw = json.dumps([float(document.rank), document.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[float, int] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        rank, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return float(rank), int(pk)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


def document_queryset_readable(user: Viewer) -> QuerySet[Document]:
    """Documents the person may read without asking process hooks: público, or of their own units.

    Restrito documents that reach a person through a process (a case forwarded to their unit)
    are found from that process, not from this search.
    """
    readable = Q(access_level=AccessLevel.PUBLIC)
    if user_is_staff(user):
        today = timezone.localdate()
        current_units = (
            Membership.objects.filter(user_id=user.pk)
            .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .values("unit_id")
        )
        readable |= Q(unit_id__in=Subquery(current_units))
    return Document.objects.filter(readable)


def document_search(
    *, user: Viewer, query: str, limit: int = SEARCH_PAGE_SIZE, cursor: str = ""
) -> SearchPage:
    """Ranked documents matching `query` (websearch syntax: words, "phrases", -exclusions)."""
    folded = text_fold(query).strip()
    if not folded:
        return SearchPage(results=[], next_cursor=None)
    limit = max(1, min(limit, SEARCH_MAX_PAGE_SIZE))
    search_query = SearchQuery(folded, config="portuguese", search_type="websearch")
    latest_body = (
        DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number").values("body")[:1]
    )
    candidates = (
        document_queryset_readable(user)
        .filter(search_vector=search_query)
        .order_by("-id")
        .values("id")[:SEARCH_CANDIDATES]
    )
    documents = (
        Document.objects.filter(id__in=Subquery(candidates))
        .annotate(
            rank=SearchRank(F("search_vector"), search_query),
            excerpt=Substr(Subquery(latest_body), 1, EXCERPT_CHARS),
        )
        .select_related("unit", "author")
    )
    decoded = _cursor_decode(cursor) if cursor else None
    if decoded:
        rank, pk = decoded
        # ts_rank is a `real`: compare in `real` too, since the cursor holds its shortest decimal form
        after = RawSQL("%s::real", (rank,))  # noqa: S611 - a float parameter, never text
        documents = documents.filter(Q(rank__lt=after) | Q(rank=after, id__lt=pk))
    rows = list(documents.order_by("-rank", "-id")[: limit + 1])
    next_cursor = _cursor_encode(rows[limit - 1]) if len(rows) > limit else None
    return SearchPage(results=rows[:limit], next_cursor=next_cursor)
