"""Business days: weekends, national and state holidays (the `holidays` package) and the city's own.

Deadlines of Lei 13.460/2017 and of the LAI count in days; when a municipality's rules count
business days, the day the period starts is excluded and a period ending on a non-business
day moves to the next business day (the usual rule of administrative procedure, Lei 9.784/1999,
art. 66).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays

from paco.schemas import current_tenant

from .enums import HolidayScope
from .models import MunicipalHoliday


@lru_cache(maxsize=256)
def _public_holidays(state: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("BR", subdiv=state or None, years=year).keys())


def holiday_dates(year: int, *, state: str | None = None) -> frozenset[dt.date]:
    """National + state holidays of `year` plus the municipal ones entered by the admin."""
    state = state if state is not None else getattr(current_tenant(), "state", "") or ""
    municipal = MunicipalHoliday.objects.filter(date__year=year).order_by().values_list("date", flat=True)
    return _public_holidays(state, year) | frozenset(municipal)


def holiday_names(year: int, *, state: str | None = None) -> dict[dt.date, str]:
    state = state if state is not None else getattr(current_tenant(), "state", "") or ""
    names = dict(holidays.country_holidays("BR", subdiv=state or None, years=year, language="pt_BR").items())
    names.update(dict(MunicipalHoliday.objects.filter(date__year=year).values_list("date", "name")))
    return dict(sorted(names.items()))


@dataclass(frozen=True)
class HolidayEntry:
    """One holiday of a year as the admin sees it; only municipal ones carry an id (and can be removed)."""

    date: dt.date
    name: str
    scope: str
    holiday_id: int | None = None

    @property
    def is_editable(self) -> bool:
        return self.holiday_id is not None


@lru_cache(maxsize=256)
def _public_holiday_entries(state: str, year: int) -> tuple[HolidayEntry, ...]:
    national = holidays.country_holidays("BR", years=year, language="pt_BR")
    regional = holidays.country_holidays("BR", subdiv=state or None, years=year, language="pt_BR")
    return tuple(
        HolidayEntry(
            date=day, name=name, scope=HolidayScope.NATIONAL if day in national else HolidayScope.STATE
        )
        for day, name in sorted(regional.items())
    )


def public_holiday_names(year: int, *, state: str | None = None) -> dict[dt.date, str]:
    """National and state holidays only (fixed by law; not editable by the municipality)."""
    state = state if state is not None else getattr(current_tenant(), "state", "") or ""
    return {entry.date: entry.name for entry in _public_holiday_entries(state, year)}


def holiday_list(*, year: int, state: str | None = None) -> list[HolidayEntry]:
    """Every holiday of `year`, in date order: national, state (of the city's state) and municipal."""
    state = state if state is not None else getattr(current_tenant(), "state", "") or ""
    municipal = [
        HolidayEntry(
            date=holiday.date, name=holiday.name, scope=HolidayScope.MUNICIPAL, holiday_id=holiday.pk
        )
        for holiday in MunicipalHoliday.objects.filter(date__year=year).order_by("date")
    ]
    ranks = {scope: rank for rank, scope in enumerate(HolidayScope.values)}
    return sorted(
        [*_public_holiday_entries(state, year), *municipal],
        key=lambda entry: (entry.date, ranks[entry.scope]),
    )


class BusinessCalendar:
    """Caches the holidays of each year it touches; one instance per computation."""

    def __init__(self, *, state: str | None = None) -> None:
        self.state = state
        self._years: dict[int, frozenset[dt.date]] = {}

    def is_business_day(self, day: dt.date) -> bool:
        if day.weekday() >= 5:
            return False
        if day.year not in self._years:
            self._years[day.year] = holiday_dates(day.year, state=self.state)
        return day not in self._years[day.year]

    def next_business_day(self, day: dt.date) -> dt.date:
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_business_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` business days after `start` (start itself not counted)."""
        day = start
        remaining = days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                remaining -= 1
        return day

    def add_calendar_days(self, start: dt.date, days: int) -> dt.date:
        """`days` calendar days after `start`, moved forward if the period ends on a non-business day."""
        return self.next_business_day(start + dt.timedelta(days=days))

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days in (start, end]: how many a pause from `start` to `end` consumed."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        return count
