"""Business days in Aracaju (SE) and Gravataí (RS): weekends, national, state and municipal holidays."""

import datetime as dt

from tenant_apps.workdays.selectors import BusinessCalendar, holiday_dates, holiday_names
from tenant_apps.workdays.services import municipal_holiday_create


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_weekends_are_skipped(in_aracaju):
    calendar = BusinessCalendar()

    assert calendar.add_business_days(day("2026-03-06"), 1) == day("2026-03-09")  # Friday -> Monday
    assert calendar.add_business_days(day("2026-03-07"), 1) == day("2026-03-09")  # Saturday -> Monday
    assert calendar.add_business_days(day("2026-03-02"), 10) == day("2026-03-16")
    assert calendar.is_business_day(day("2026-03-08")) is False


def test_a_national_holiday_counts_in_both_cities(in_aracaju, gravatai):
    # Tiradentes, Tuesday 21 April 2026
    assert BusinessCalendar().add_business_days(day("2026-04-20"), 1) == day("2026-04-22")
    assert BusinessCalendar(state="RS").add_business_days(day("2026-04-20"), 1) == day("2026-04-22")
    assert holiday_names(2026)[day("2026-04-21")] == "Tiradentes"


def test_the_sergipe_holiday_counts_in_aracaju_only(in_aracaju):
    # Emancipação política de Sergipe, Wednesday 8 July 2026
    assert BusinessCalendar().add_business_days(day("2026-07-07"), 1) == day("2026-07-09")
    assert BusinessCalendar(state="RS").add_business_days(day("2026-07-07"), 1) == day("2026-07-08")
    assert holiday_names(2026)[day("2026-07-08")] == "Emancipação política de Sergipe"


def test_the_sergipe_holiday_does_not_count_in_gravatai(in_gravatai):
    assert day("2026-07-08") not in holiday_dates(2026)
    assert BusinessCalendar().add_business_days(day("2026-07-07"), 1) == day("2026-07-08")


def test_the_farroupilha_holiday_counts_in_gravatai_only(in_gravatai, aracaju):
    # Revolução Farroupilha (Dia do Gaúcho), 20 September: a Sunday in 2026, a Monday in 2027
    assert holiday_names(2026)[day("2026-09-20")] == "Dia do Gaúcho"
    assert day("2026-09-20") not in holiday_dates(2026, state="SE")
    assert BusinessCalendar().add_business_days(day("2027-09-17"), 1) == day("2027-09-21")
    assert BusinessCalendar(state="SE").add_business_days(day("2027-09-17"), 1) == day("2027-09-20")


def test_a_municipal_holiday_added_by_the_admin_counts_in_its_city_only(in_aracaju, gravatai):
    from django_tenants.utils import tenant_context

    assert BusinessCalendar().add_business_days(day("2026-03-16"), 1) == day("2026-03-17")

    municipal_holiday_create(date=day("2026-03-17"), name="Aniversário de Aracaju")

    # a calendar caches each year it reads: the next computation sees the new holiday
    assert BusinessCalendar().add_business_days(day("2026-03-16"), 1) == day("2026-03-18")
    assert holiday_names(2026)[day("2026-03-17")] == "Aniversário de Aracaju"
    with tenant_context(gravatai):
        assert BusinessCalendar().add_business_days(day("2026-03-16"), 1) == day("2026-03-17")


def test_calendar_days_ending_on_a_weekend_or_holiday_move_to_the_next_business_day(in_aracaju):
    calendar = BusinessCalendar()

    assert calendar.add_calendar_days(day("2026-03-02"), 5) == day("2026-03-09")  # Saturday 7 -> Monday 9
    assert calendar.add_calendar_days(day("2026-03-02"), 6) == day("2026-03-09")  # Sunday 8 -> Monday 9
    assert calendar.add_calendar_days(day("2026-04-16"), 5) == day("2026-04-22")  # Tiradentes -> Wednesday
    assert calendar.add_calendar_days(day("2026-03-02"), 3) == day("2026-03-05")  # a Thursday stays
    assert calendar.add_calendar_days(day("2026-12-15"), 10) == day("2026-12-28")  # Natal (Fri) -> Monday


def test_business_days_between_excludes_the_start_and_skips_holidays(in_aracaju):
    calendar = BusinessCalendar()

    # Friday 17 to Friday 24 April 2026: 20, 22, 23, 24 (21 is Tiradentes)
    assert calendar.business_days_between(day("2026-04-17"), day("2026-04-24")) == 4
    assert calendar.business_days_between(day("2026-04-17"), day("2026-04-17")) == 0
    assert calendar.business_days_between(day("2026-07-03"), day("2026-07-10")) == 4  # 8 July in Sergipe
    assert BusinessCalendar(state="RS").business_days_between(day("2026-07-03"), day("2026-07-10")) == 5


def test_add_business_days_and_business_days_between_agree(in_aracaju):
    calendar = BusinessCalendar()
    start = day("2026-12-18")

    end = calendar.add_business_days(start, 5)

    # 21, 22, 23, 24 December, then 25 (Natal), 26-27 (weekend): the fifth is Monday 28
    assert end == day("2026-12-28")
    assert calendar.business_days_between(start, end) == 5
