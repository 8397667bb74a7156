"""Writes of the insights module: the aggregates (incremental and rebuild) and the city's settings."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from paco.errors import ApplicationError

from .aggregation import circulars_recompute, days_forget_before, days_recompute, history_first_day
from .models import AggregationRun, InsightsSettings, Neighbourhood

RUN_NAME = "aggregates"
# receipts of a circular keep arriving for weeks: recent circulars are recomputed on every run
CIRCULAR_WINDOW_DAYS = 90
# the rebuild recomputes the history a month at a time (short transactions)
REBUILD_CHUNK_DAYS = 31
_LOCK_KEY = 1_700_017  # one aggregation at a time per schema (pg_advisory_xact_lock)


class InsightsError(ApplicationError):
    pass


def _lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


@transaction.atomic
def aggregates_refresh(*, today: dt.date | None = None) -> AggregationRun:
    """Recompute the days from the last run's day to today (incremental, idempotent).

    Every row is keyed by the day of the event it counts and events are stamped when they happen,
    so the days since the last run hold everything new; the last day is recomputed again next time
    (it was still running). Without a previous run the whole history is built.
    """
    _lock()
    today = today or timezone.localdate()
    started = time.monotonic()
    run = AggregationRun.objects.filter(name=RUN_NAME).first()
    first = run.last_day if run else (history_first_day() or today)
    first = min(first, today)
    days_recompute(first=first, last=today)
    circulars_recompute(first=today - dt.timedelta(days=CIRCULAR_WINDOW_DAYS), last=today)
    run, _created = AggregationRun.objects.update_or_create(
        name=RUN_NAME,
        defaults={"last_day": today, "finished_at": timezone.now(), "seconds": time.monotonic() - started},
    )
    return run


def aggregates_rebuild(*, today: dt.date | None = None) -> AggregationRun | None:
    """Recompute every day from the oldest record to today, a month per transaction."""
    today = today or timezone.localdate()
    first = history_first_day()
    if first is None:
        return None
    started = time.monotonic()
    with transaction.atomic():
        _lock()
        days_forget_before(first=first)
    day = first
    while day <= today:
        last = min(today, day + dt.timedelta(days=REBUILD_CHUNK_DAYS - 1))
        with transaction.atomic():
            _lock()
            days_recompute(first=day, last=last)
        day = last + dt.timedelta(days=1)
    with transaction.atomic():
        _lock()
        circulars_recompute(first=first, last=today)
        run, _created = AggregationRun.objects.update_or_create(
            name=RUN_NAME,
            defaults={
                "last_day": today,
                "finished_at": timezone.now(),
                "seconds": time.monotonic() - started,
            },
        )
    return run


@transaction.atomic
def insights_settings_update(
    *,
    cost_per_page: Decimal,
    small_cell_threshold: int,
    city_wide_unit_id: int | None = None,
    shares_comparison: bool = False,
) -> InsightsSettings:
    if not Decimal("0.01") <= cost_per_page <= Decimal("100"):
        raise InsightsError("O custo por página deve estar entre R$ 0,01 e R$ 100,00.")
    if not 2 <= small_cell_threshold <= 50:
        raise InsightsError("A menor contagem publicada deve estar entre 2 e 50.")
    row = InsightsSettings.objects.select_for_update().first() or InsightsSettings()
    row.cost_per_page = cost_per_page
    row.small_cell_threshold = small_cell_threshold
    row.city_wide_unit_id = city_wide_unit_id
    row.shares_comparison = shares_comparison
    row.save()
    return row


@transaction.atomic
def neighbourhoods_ensure(*, names: list[str]) -> list[Neighbourhood]:
    """The city's list of bairros (the only neighbourhood names open data publishes)."""
    return [Neighbourhood.objects.get_or_create(name=name.strip())[0] for name in names if name.strip()]
