"""The one paging scheme of every list API: keyset cursors (docs/api.md, "Listas").

A list is ordered by one key and the id (`-created_at, -id`, say); a page is `limit` rows and, when
there are more, `next`: an opaque cursor holding the last row's key and id. The following page is
the rows after that pair, so page N costs what page 1 costs (no OFFSET scan) and a row inserted
meanwhile neither repeats nor hides another. A cursor that cannot be read is the first page.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from rest_framework import serializers

T = TypeVar("T", bound=models.Model)

PAGE_SIZE = 50
PAGE_SIZE_MAX = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    results: list[T]
    next: str | None  # the cursor of the following page, None on the last one


def _field_at(model: type[models.Model], key: str) -> models.Field[Any, Any]:
    parts = key.split("__")
    for part in parts[:-1]:
        related = model._meta.get_field(part).related_model
        if not isinstance(related, type):
            raise TypeError(f"{key}: {part} is not a relation")
        model = related
    field = model._meta.get_field(parts[-1])
    if not isinstance(field, models.Field):
        raise TypeError(f"{key}: not a concrete field")
    return field


def _value_at(row: models.Model, key: str) -> Any:
    value: Any = row
    for part in key.split("__"):
        value = getattr(value, part)
    return value


def cursor_encode(value: Any, pk: int) -> str:
    shown = value.isoformat() if isinstance(value, dt.datetime | dt.date) else value
    raw = json.dumps([shown, pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str, field: models.Field[Any, Any]) -> tuple[Any, int] | None:
    """The (key, id) pair of a cursor, the key as the field holds it; None when unreadable."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if isinstance(field, models.DateTimeField):
            value = dt.datetime.fromisoformat(value)
        elif isinstance(field, models.DateField):
            value = dt.date.fromisoformat(value)
        elif not isinstance(value, str | int | float):
            return None
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


def keyset_page(
    rows: QuerySet[T], *, key: str, descending: bool = True, cursor: str = "", limit: int = PAGE_SIZE
) -> Page[T]:
    """One page of `rows` ordered by (`key`, id), newest first unless `descending` is False.

    `key` is a field path (`created_at`, `circular__created_at`, `user__full_name`) whose value is
    never null. One query: a slice one row longer than the page tells whether there is a next one.
    """
    decoded = cursor_decode(cursor, _field_at(rows.model, key)) if cursor else None
    if decoded is not None:
        value, pk = decoded
        if descending:
            # the redundant `key <= value` lets PostgreSQL start an index scan at the cursor
            rows = rows.filter(**{f"{key}__lte": value}).filter(
                Q(**{f"{key}__lt": value}) | Q(**{key: value, "id__lt": pk})
            )
        else:
            rows = rows.filter(**{f"{key}__gte": value}).filter(
                Q(**{f"{key}__gt": value}) | Q(**{key: value, "id__gt": pk})
            )
    order = (f"-{key}", "-id") if descending else (key, "id")
    found = list(rows.order_by(*order)[: limit + 1])
    if len(found) <= limit:
        return Page(results=found, next=None)
    last = found[limit - 1]
    return Page(results=found[:limit], next=cursor_encode(_value_at(last, key), last.pk))


class PageParameters(serializers.Serializer):
    """The query parameters of every list API: `limit` and `cursor`."""

    limit = serializers.IntegerField(
        required=False, default=PAGE_SIZE, min_value=1, max_value=PAGE_SIZE_MAX, help_text="Itens por página."
    )
    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="O `next` da página anterior (sem ele, a primeira página).",
    )


def next_field() -> serializers.CharField:
    """The `next` of every list answer."""
    return serializers.CharField(allow_null=True, help_text="Cursor da próxima página, ou null.")
