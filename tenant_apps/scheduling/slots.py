"""Free slots: weekly rules, minus holidays, absences and the appointments that hold the time.

One call reads the agenda's attendants, rules, absences and the appointments of the period in four
queries (plus the city's holidays once per year). Each day's empty grid is built in Python once and
kept in a per-process cache keyed by everything it depends on (rules of that day, absences touching
it, slot length, step, zone), so a changed rule or absence simply makes a new key; appointments are
read on every call and laid over the grids (bisect per appointment), so a booking or a cancellation
shows at once. `slot_grid_direct` is the uncached path (the reference in tests and the bench's
"before"). Times are built in the agenda's own time zone and returned as aware datetimes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast, Extract, TruncDate
from django.utils import timezone

from tenant_apps.workdays.selectors import holiday_dates

from .enums import HOLDING_STATUSES
from .models import Agenda, AgendaResource, Appointment, AvailabilityException, AvailabilityRule, SlotKind


class Slot(NamedTuple):
    """A bookable time of one resource (a tuple: thousands are built per request)."""

    starts_at: dt.datetime  # first, so a list of slots sorts by time, then resource, natively
    resource_id: int
    ends_at: dt.datetime
    capacity: int
    seats_taken: tuple[int, ...] = ()
    slot_kind_id: int | None = None

    @property
    def is_free(self) -> bool:
        return len(self.seats_taken) < self.capacity

    @property
    def free_seats(self) -> list[int]:
        return [seat for seat in range(1, self.capacity + 1) if seat not in self.seats_taken]


@dataclass
class Period:
    """What `slot_grid` read for a period: enough to explain why a time is not bookable."""

    agenda: Agenda
    first_day: dt.date
    last_day: dt.date
    holidays: set[dt.date] = field(default_factory=set)
    absences: dict[int, list[tuple[dt.datetime, dt.datetime, str]]] = field(default_factory=dict)
    slots: list[Slot] = field(default_factory=list)


def agenda_zone(agenda: Agenda) -> ZoneInfo:
    return ZoneInfo(agenda.time_zone)


def week_opening(agenda: Agenda, *, now: dt.datetime) -> tuple[dt.date | None, dt.datetime | None]:
    """For an agenda opened week by week (`opens_weekday`): (the last local day open now, when the
    following week opens). Weeks run Monday to Sunday; (None, None) for other agendas."""
    if agenda.opens_weekday is None:
        return None, None
    zone = agenda_zone(agenda)
    local = timezone.localtime(now, zone)
    monday = local.date() - dt.timedelta(days=local.weekday())
    opening = dt.datetime.combine(monday + dt.timedelta(days=agenda.opens_weekday), agenda.opens_time, zone)
    if local >= opening:
        return monday + dt.timedelta(days=13), opening + dt.timedelta(days=7)
    return monday + dt.timedelta(days=6), opening


def booking_window(agenda: Agenda, *, now: dt.datetime) -> tuple[dt.datetime, dt.date]:
    """(the earliest bookable start, the last bookable local day) for a citizen booking at `now`:
    the minimum notice, the horizon and, for agendas opened week by week, the last opened week."""
    earliest = now + dt.timedelta(minutes=agenda.min_notice_minutes)
    last_day = timezone.localtime(now, agenda_zone(agenda)).date() + dt.timedelta(days=agenda.horizon_days)
    opened_until, _next_opening = week_opening(agenda, now=now)
    if opened_until is not None:
        last_day = min(last_day, opened_until)
    return earliest, last_day


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def _holidays(agenda: Agenda, first: dt.date, last: dt.date) -> set[dt.date]:
    """National, state and municipal holidays (the workdays app) when the agenda closes on them."""
    if not agenda.closes_on_holidays:
        return set()
    days: set[dt.date] = set()
    for year in range(first.year, last.year + 1):
        days |= {day for day in holiday_dates(year) if first <= day <= last}
    return days


def slot_grid_direct(
    *,
    agenda: Agenda,
    first_day: dt.date,
    last_day: dt.date,
    resource_ids: Sequence[int] | None = None,
    slot_kind: SlotKind | None = None,
) -> Period:
    """`slot_grid` without the day cache: every slot built in Python on every call (the reference
    the cached path is tested against, and the "before" of `make bench`)."""
    period = Period(agenda=agenda, first_day=first_day, last_day=last_day)
    if first_day > last_day:
        return period
    zone = agenda_zone(agenda)
    links = AgendaResource.objects.filter(agenda=agenda, resource__is_active=True)
    if resource_ids is not None:
        links = links.filter(resource_id__in=list(resource_ids))
    ids = list(links.values_list("resource_id", flat=True))
    if not ids:
        return period
    range_start = dt.datetime.combine(first_day, dt.time.min, zone)
    range_end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, zone)

    rules = (
        AvailabilityRule.objects.filter(agenda=agenda, resource_id__in=ids)
        .exclude(valid_until__lt=first_day)
        .exclude(valid_from__gt=last_day)
    )
    if slot_kind is None:
        rules = rules.filter(slot_kind__isnull=True)
        duration = dt.timedelta(minutes=agenda.slot_minutes)
    else:
        rules = rules.filter(Q(slot_kind__isnull=True) | Q(slot_kind=slot_kind))
        duration = dt.timedelta(minutes=slot_kind.duration_minutes)
    # plain tuples: the loop below reads them thousands of times
    by_weekday: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for rule in rules.order_by("start_time", "id").values_list(
        "weekday",
        "resource_id",
        "start_time",
        "end_time",
        "valid_from",
        "valid_until",
        "capacity",
        "slot_kind_id",
    ):
        by_weekday[rule[0]].append(rule[1:])

    # Every time is moved to the agenda's zone once: aware datetimes sharing one tzinfo compare
    # without computing offsets, which matters over thousands of comparisons.
    for resource_id, starts_at, ends_at, reason in AvailabilityException.objects.filter(
        resource_id__in=ids, starts_at__lt=range_end, ends_at__gt=range_start
    ).values_list("resource_id", "starts_at", "ends_at", "reason"):
        period.absences.setdefault(resource_id, []).append(
            (starts_at.astimezone(zone), ends_at.astimezone(zone), reason)
        )

    # Appointments as epoch seconds, computed by PostgreSQL: parsing thousands of timestamps in
    # Python was half the cost of this function; slots are compared in seconds too.
    held: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for resource_id, starts_s, ends_s, seat in (
        Appointment.objects.filter(
            resource_id__in=ids,
            status__in=HOLDING_STATUSES,
            starts_at__lt=range_end,
            ends_at__gt=range_start,
        )
        .annotate(
            starts_s=Cast(Extract("starts_at", "epoch", tzinfo=dt.UTC), BigIntegerField()),
            ends_s=Cast(Extract("ends_at", "epoch", tzinfo=dt.UTC), BigIntegerField()),
        )
        .order_by("starts_at")
        .values_list("resource_id", "starts_s", "ends_s", "seat")
    ):
        held[resource_id].append((starts_s, ends_s, seat))
    held_starts = {resource_id: [item[0] for item in items] for resource_id, items in held.items()}
    held_longest = {
        resource_id: max(b_end - b_start for b_start, b_end, _seat in items)
        for resource_id, items in held.items()
    }

    period.holidays = _holidays(agenda, first_day, last_day)
    step = duration + dt.timedelta(minutes=agenda.buffer_minutes)
    duration_s = int(duration.total_seconds())
    step_s = int(step.total_seconds())
    slots = period.slots
    append = slots.append
    id_set = set(ids)
    for day in _days(first_day, last_day):
        if day in period.holidays:
            continue
        # the zone's offset that day (Brazil has had no daylight saving since 2019; a window never
        # spans an offset change): slot starts in epoch seconds without a timestamp() per slot
        noon = dt.datetime.combine(day, dt.time(12), zone)
        day_epoch = int(noon.timestamp()) - 12 * 3600
        for (
            resource_id,
            start_time,
            end_time,
            valid_from,
            valid_until,
            capacity,
            slot_kind_id,
        ) in by_weekday.get(day.weekday(), ()):
            if resource_id not in id_set:
                continue
            if (valid_from and day < valid_from) or (valid_until and day > valid_until):
                continue
            window_end = dt.datetime.combine(day, end_time, zone)
            start = dt.datetime.combine(day, start_time, zone)
            absences = period.absences.get(resource_id, ())
            bookings = held.get(resource_id, [])
            starts = held_starts.get(resource_id, [])
            longest = held_longest.get(resource_id, 0)
            start_s = day_epoch + start_time.hour * 3600 + start_time.minute * 60 + start_time.second
            while start + duration <= window_end:
                end = start + duration
                end_s = start_s + duration_s
                if not absences or not any(
                    a_start < end and a_end > start for a_start, a_end, _r in absences
                ):
                    taken: tuple[int, ...] = ()
                    if bookings:
                        # only appointments starting after `start - longest` can reach into the slot
                        low = bisect.bisect_right(starts, start_s - longest)
                        high = bisect.bisect_left(starts, end_s)
                        if high - low == 1:
                            taken = (bookings[low][2],) if bookings[low][1] > start_s else ()
                        elif high > low:
                            taken = tuple(
                                sorted(
                                    {seat for _b_start, b_end, seat in bookings[low:high] if b_end > start_s}
                                )
                            )
                    append(Slot(start, resource_id, end, capacity, taken, slot_kind_id))
                start += step
                start_s += step_s
    slots.sort()
    return period


# The day cache. A day's slots depend only on what is in its key: the zone, the day, the slot
# length and step, the rules that apply that day, the absences that touch it and the appointments
# that hold time in it. Every call reads those inputs from the database (the appointments only as
# a per-day fingerprint: count and a sum of hashes of each one's id, attendant, seat and times,
# computed by PostgreSQL) and looks the day up by them: a booking, a cancellation, an edited rule, a
# new absence or a deactivated attendant makes a new key by itself, so nothing is ever invalidated
# by hand and nothing stale can be served. Appointments themselves are read only for the days whose
# fingerprint is not cached (after a booking: that day). Holidays are checked per call (a holiday
# has no slots). The cache is per process, least recently used first out, bounded by slot count.
GRID_CACHE_MAX_SLOTS = 300_000


class _DayGrid(NamedTuple):
    """One day's slots before appointments, with per resource its slots' start and end (epoch
    seconds) and their positions in `slots`."""

    slots: tuple[Slot, ...]
    by_resource: dict[int, tuple[list[int], list[int], list[int]]]


class _Day(NamedTuple):
    """One day's slots with the seats held, and those with a free seat."""

    slots: tuple[Slot, ...]
    free: tuple[Slot, ...]


_cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_cache_slots = 0
_cache_lock = threading.Lock()
_cache_on = True


@contextmanager
def grid_cache_bypassed() -> Iterator[None]:
    """Meanwhile `slot_grid` and `slot_list_free` take the uncached path (`slot_grid_direct`): the
    bench's "before" and the tests' reference."""
    global _cache_on
    previous, _cache_on = _cache_on, False
    try:
        yield
    finally:
        _cache_on = previous


def grid_cache_clear() -> None:
    global _cache_slots
    with _cache_lock:
        _cache.clear()
        _cache_slots = 0


def _cache_get(key: tuple[Any, ...]) -> Any:
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
        return found


def _cache_put(key: tuple[Any, ...], value: Any, size: int) -> None:
    global _cache_slots
    with _cache_lock:
        if key in _cache:
            return
        _cache[key] = value
        _cache_slots += size
        while _cache_slots > GRID_CACHE_MAX_SLOTS and len(_cache) > 1:
            _old_key, old = _cache.popitem(last=False)
            _cache_slots -= len(old.slots)


def _day_grid_build(
    *,
    day: dt.date,
    zone: ZoneInfo,
    rules: tuple[tuple[Any, ...], ...],
    absences: dict[int, list[tuple[dt.datetime, dt.datetime]]],
    duration: dt.timedelta,
    step: dt.timedelta,
) -> _DayGrid:
    noon = dt.datetime.combine(day, dt.time(12), zone)
    day_epoch = int(noon.timestamp()) - 12 * 3600
    duration_s = int(duration.total_seconds())
    step_s = int(step.total_seconds())
    built: list[tuple[Slot, int]] = []
    for resource_id, start_time, end_time, capacity, slot_kind_id in rules:
        window_end = dt.datetime.combine(day, end_time, zone)
        start = dt.datetime.combine(day, start_time, zone)
        start_s = day_epoch + start_time.hour * 3600 + start_time.minute * 60 + start_time.second
        away = absences.get(resource_id, ())
        while start + duration <= window_end:
            end = start + duration
            if not away or not any(a_start < end and a_end > start for a_start, a_end in away):
                built.append((Slot(start, resource_id, end, capacity, (), slot_kind_id), start_s))
            start += step
            start_s += step_s
    built.sort(key=lambda pair: pair[0])
    index: dict[int, tuple[list[int], list[int], list[int]]] = {}
    for position, (slot, start_s) in enumerate(built):
        starts, ends, positions = index.setdefault(slot.resource_id, ([], [], []))
        starts.append(start_s)
        ends.append(start_s + duration_s)
        positions.append(position)
    return _DayGrid(tuple(slot for slot, _s in built), index)


def _day_with_appointments(grid: _DayGrid, held: list[tuple[int, int, int, int]]) -> _Day:
    """The grid with the seats held by `held` (resource, start and end in epoch seconds, seat)."""
    taken: dict[int, set[int]] = defaultdict(set)
    for resource_id, starts_s, ends_s, seat in held:
        found = grid.by_resource.get(resource_id)
        if found is None:
            continue
        starts, ends, positions = found
        # slots of one resource and one length: sorted by start, so by end too
        for item in range(bisect.bisect_right(ends, starts_s), bisect.bisect_left(starts, ends_s)):
            taken[positions[item]].add(seat)
    if not taken:
        return _Day(grid.slots, grid.slots)
    slots = list(grid.slots)
    for position, seats in taken.items():
        slots[position] = slots[position]._replace(seats_taken=tuple(sorted(seats)))
    return _Day(tuple(slots), tuple(slot for slot in slots if len(slot.seats_taken) < slot.capacity))


# Per local day the appointments touching it: how many, and a sum of hashes of what matters of them.
_FINGERPRINT_SQL = """
SELECT d::date, count(*), sum(hashtextextended(
    concat_ws(',', a.id, a.resource_id, a.seat,
        extract(epoch FROM a.starts_at), extract(epoch FROM a.ends_at)), 0)::numeric)
FROM scheduling_appointment a
CROSS JOIN LATERAL generate_series(
    (a.starts_at AT TIME ZONE %(tz)s)::date,
    ((a.ends_at - interval '1 microsecond') AT TIME ZONE %(tz)s)::date,
    interval '1 day') d
WHERE a.resource_id = ANY(%(ids)s) AND a.status = ANY(%(statuses)s)
  AND a.starts_at < %(end)s AND a.ends_at > %(start)s
GROUP BY 1
"""


def _slot_days(
    *,
    agenda: Agenda,
    first_day: dt.date,
    last_day: dt.date,
    resource_ids: Sequence[int] | None = None,
    slot_kind: SlotKind | None = None,
) -> tuple[Period, list[_Day]]:
    """The period's days (holidays left out), each from the day cache or computed and cached."""
    period = Period(agenda=agenda, first_day=first_day, last_day=last_day)
    if first_day > last_day:
        return period, []
    zone = agenda_zone(agenda)
    links = AgendaResource.objects.filter(agenda=agenda, resource__is_active=True)
    if resource_ids is not None:
        links = links.filter(resource_id__in=list(resource_ids))
    # no ORDER BY in these reads: Django's compiling of orderings cost more than the queries here
    ids = list(links.order_by().values_list("resource_id", flat=True))
    if not ids:
        return period, []
    range_start = dt.datetime.combine(first_day, dt.time.min, zone)
    range_end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, zone)

    rules = (
        AvailabilityRule.objects.filter(agenda=agenda, resource_id__in=ids)
        .exclude(valid_until__lt=first_day)
        .exclude(valid_from__gt=last_day)
    )
    if slot_kind is None:
        rules = rules.filter(slot_kind__isnull=True)
        duration = dt.timedelta(minutes=agenda.slot_minutes)
    else:
        rules = rules.filter(Q(slot_kind__isnull=True) | Q(slot_kind=slot_kind))
        duration = dt.timedelta(minutes=slot_kind.duration_minutes)
    by_weekday: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for weekday, *rule in rules.order_by().values_list(
        "weekday",
        "resource_id",
        "start_time",
        "end_time",
        "valid_from",
        "valid_until",
        "capacity",
        "slot_kind_id",
    ):
        by_weekday[weekday].append(tuple(rule))
    for items in by_weekday.values():
        items.sort(key=_rule_order)  # a stable cache key

    for resource_id, starts_at, ends_at, reason in (
        AvailabilityException.objects.filter(
            resource_id__in=ids, starts_at__lt=range_end, ends_at__gt=range_start
        )
        .order_by()
        .values_list("resource_id", "starts_at", "ends_at", "reason")
    ):
        period.absences.setdefault(resource_id, []).append(
            (starts_at.astimezone(zone), ends_at.astimezone(zone), reason)
        )
    for absences in period.absences.values():
        absences.sort()

    with connection.cursor() as cursor:
        cursor.execute(
            _FINGERPRINT_SQL,
            {
                "tz": zone.key,
                "ids": ids,
                "statuses": list(HOLDING_STATUSES),
                "start": range_start,
                "end": range_end,
            },
        )
        fingerprints = {day: (count, total) for day, count, total in cursor.fetchall()}

    period.holidays = _holidays(agenda, first_day, last_day)
    step = duration + dt.timedelta(minutes=agenda.buffer_minutes)
    fixed_key = (zone.key, int(duration.total_seconds()), int(step.total_seconds()))
    days: list[_Day | None] = []
    missing: dict[int, tuple[dt.date, tuple[Any, ...], Any]] = {}
    for day in _days(first_day, last_day):
        if day in period.holidays:
            continue
        weekday_rules = tuple(
            (resource_id, start_time, end_time, capacity, slot_kind_id)
            for resource_id, start_time, end_time, valid_from, valid_until, capacity, slot_kind_id in (
                by_weekday.get(day.weekday(), ())
            )
            if not ((valid_from and day < valid_from) or (valid_until and day > valid_until))
        )
        day_absences: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
        if period.absences:
            day_begin = dt.datetime.combine(day, dt.time.min, zone)
            day_end = day_begin + dt.timedelta(days=1, hours=1)  # no slot ends after this
            for resource_id, items in period.absences.items():
                touching = [
                    (a_start, a_end)
                    for a_start, a_end, _r in items
                    if a_start < day_end and a_end > day_begin
                ]
                if touching:
                    day_absences[resource_id] = sorted(touching)
        grid_key = (
            "grid",
            *fixed_key,
            day,
            weekday_rules,
            tuple(sorted((resource_id, tuple(items)) for resource_id, items in day_absences.items())),
        )
        held = fingerprints.get(day)
        found = _cache_get(("day", grid_key, held)) if _cache_on else None
        if found is None:
            grid = _cache_get(grid_key) if _cache_on else None
            if grid is None:
                grid = _day_grid_build(
                    day=day,
                    zone=zone,
                    rules=weekday_rules,
                    absences=day_absences,
                    duration=duration,
                    step=step,
                )
                if _cache_on:
                    _cache_put(grid_key, grid, len(grid.slots))
            if held is None:
                found = _Day(grid.slots, grid.slots)
                if _cache_on:
                    _cache_put(("day", grid_key, held), found, len(found.slots))
            else:
                missing[len(days)] = (day, grid_key, grid)
        days.append(found)

    if missing:
        # the appointments of the days not in the cache (after a booking: that day), in one query
        first_missing = min(day for day, _key, _grid in missing.values())
        last_missing = max(day for day, _key, _grid in missing.values())
        held_by_day: dict[dt.date, list[tuple[int, int, int, int]]] = defaultdict(list)
        for resource_id, starts_s, ends_s, seat, day_from, day_to in (
            Appointment.objects.filter(
                resource_id__in=ids,
                status__in=HOLDING_STATUSES,
                starts_at__lt=dt.datetime.combine(last_missing + dt.timedelta(days=1), dt.time.min, zone),
                ends_at__gt=dt.datetime.combine(first_missing, dt.time.min, zone),
            )
            .annotate(
                starts_s=Cast(Extract("starts_at", "epoch", tzinfo=dt.UTC), BigIntegerField()),
                ends_s=Cast(Extract("ends_at", "epoch", tzinfo=dt.UTC), BigIntegerField()),
                day_from=TruncDate("starts_at", tzinfo=zone),
                day_to=TruncDate("ends_at", tzinfo=zone),
            )
            .order_by()
            .values_list("resource_id", "starts_s", "ends_s", "seat", "day_from", "day_to")
        ):
            for day in _days(day_from, day_to):
                held_by_day[day].append((resource_id, starts_s, ends_s, seat))
        for position, (day, grid_key, grid) in missing.items():
            computed = _day_with_appointments(grid, held_by_day.get(day, []))
            if _cache_on:
                _cache_put(("day", grid_key, fingerprints.get(day)), computed, len(computed.slots))
            days[position] = computed
    return period, [day for day in days if day is not None]


def slot_grid(
    *,
    agenda: Agenda,
    first_day: dt.date,
    last_day: dt.date,
    resource_ids: Sequence[int] | None = None,
    slot_kind: SlotKind | None = None,
) -> Period:
    """Every slot the rules open between two local days (inclusive), with the seats already taken;
    holidays and absences produce no slot. Inactive resources and agendas produce nothing.

    Five small queries (attendants, rules, absences, the appointments' fingerprint per day, the
    city's holidays per year), plus the appointments of the days the cache does not hold."""
    if not _cache_on:
        return slot_grid_direct(
            agenda=agenda,
            first_day=first_day,
            last_day=last_day,
            resource_ids=resource_ids,
            slot_kind=slot_kind,
        )
    period, days = _slot_days(
        agenda=agenda, first_day=first_day, last_day=last_day, resource_ids=resource_ids, slot_kind=slot_kind
    )
    for day in days:
        period.slots.extend(day.slots)
    return period


def slot_list_free(
    *,
    agenda: Agenda,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    resource_ids: Sequence[int] | None = None,
    slot_kind: SlotKind | None = None,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """The slots a citizen may book now: free seats, after the minimum notice, within the horizon."""
    now = now or timezone.now()
    earliest, horizon_day = booking_window(agenda, now=now)
    today = timezone.localtime(now, agenda_zone(agenda)).date()
    first_day = max(first_day or today, today)
    last_day = min(last_day or horizon_day, horizon_day)
    earliest = earliest.astimezone(agenda_zone(agenda))  # same tzinfo as the slots: cheap comparisons
    if not _cache_on:
        period = slot_grid_direct(
            agenda=agenda,
            first_day=first_day,
            last_day=last_day,
            resource_ids=resource_ids,
            slot_kind=slot_kind,
        )
        return [
            slot
            for slot in period.slots
            if len(slot.seats_taken) < slot.capacity and slot.starts_at >= earliest
        ]
    _period, days = _slot_days(
        agenda=agenda, first_day=first_day, last_day=last_day, resource_ids=resource_ids, slot_kind=slot_kind
    )
    free: list[Slot] = []
    for day in days:
        free.extend(day.free)
    # sorted by start: the minimum notice cuts a prefix
    return free[bisect.bisect_left(free, earliest, key=_starts_at) :]


def _starts_at(slot: Slot) -> dt.datetime:
    return slot.starts_at


def _rule_order(rule: tuple[Any, ...]) -> tuple[Any, ...]:
    resource_id, start_time, end_time, valid_from, valid_until, capacity, slot_kind_id = rule
    return (start_time, resource_id, end_time, str(valid_from), str(valid_until), capacity, slot_kind_id or 0)


def first_free_slot(
    *, agenda: Agenda, now: dt.datetime | None = None, resource_ids: Sequence[int] | None = None
) -> Slot | None:
    """The first free slot within the horizon (the manager's "waiting time"), searched week by week."""
    now = now or timezone.now()
    _earliest, horizon_day = booking_window(agenda, now=now)
    day = timezone.localtime(now, agenda_zone(agenda)).date()
    while day <= horizon_day:
        last = min(day + dt.timedelta(days=6), horizon_day)
        slots = slot_list_free(
            agenda=agenda, first_day=day, last_day=last, resource_ids=resource_ids, now=now
        )
        if slots:
            return slots[0]
        day = last + dt.timedelta(days=1)
    return None
