"""Free slots: weekly rules, minus holidays, absences and the appointments that hold the time.

One call reads the agenda's rules, the absences and the appointments of the period in three
queries (plus the city's holidays once per year) and builds the slots in Python: for 10
attendants over 60 days that is a few thousand slots, well under the 50 ms budget (`make bench`,
section `scheduling`). Times are built in the agenda's own time zone and returned as aware datetimes.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast, Extract
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


def slot_grid(
    *,
    agenda: Agenda,
    first_day: dt.date,
    last_day: dt.date,
    resource_ids: Sequence[int] | None = None,
    slot_kind: SlotKind | None = None,
) -> Period:
    """Every slot the rules open between two local days (inclusive), with the seats already taken;
    holidays and absences produce no slot. Inactive resources and agendas produce nothing."""
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
    period = slot_grid(
        agenda=agenda, first_day=first_day, last_day=last_day, resource_ids=resource_ids, slot_kind=slot_kind
    )
    earliest = earliest.astimezone(agenda_zone(agenda))  # same tzinfo as the slots: cheap comparisons
    return [
        slot for slot in period.slots if len(slot.seats_taken) < slot.capacity and slot.starts_at >= earliest
    ]


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
