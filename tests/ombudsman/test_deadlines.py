"""Every deadline rule, around Tiradentes (Tuesday 2026-04-21) and a municipal holiday."""

import datetime as dt

import pytest

from paco.errors import ApplicationError
from tenant_apps.ombudsman import deadlines
from tenant_apps.ombudsman.enums import CountKind
from tenant_apps.ombudsman.models import OmbudsmanSettings
from tenant_apps.workdays.models import MunicipalHoliday

D = dt.date


@pytest.fixture
def rules(in_aracaju):
    return OmbudsmanSettings()


@pytest.fixture
def municipal_holiday(in_aracaju):
    return MunicipalHoliday.objects.create(date=D(2026, 4, 22), name="Feriado municipal de teste")


def test_defaults_are_the_federal_numbers(rules):
    assert (rules.answer_days, rules.answer_extension_days) == (30, 30)
    assert (rules.unit_input_days, rules.unit_input_extension_days) == (20, 20)
    assert (rules.lai_days, rules.lai_extension_days) == (20, 10)
    assert (rules.appeal_filing_days, rules.appeal_decision_days) == (10, 5)
    assert rules.answer_count == CountKind.CALENDAR_DAYS


def test_manifestation_answer_in_30_days_ending_on_tiradentes_moves_to_next_business_day(rules):
    assert deadlines.answer_deadline(rules, start=D(2026, 3, 22), is_information_access=False) == D(
        2026, 4, 22
    )


def test_lai_answer_in_20_days_skips_tiradentes_and_the_municipal_holiday(rules, municipal_holiday):
    assert deadlines.answer_deadline(rules, start=D(2026, 4, 1), is_information_access=True) == D(2026, 4, 23)


def test_a_period_ending_on_a_weekend_moves_to_monday(rules):
    assert deadlines.answer_deadline(rules, start=D(2026, 4, 6), is_information_access=True) == D(2026, 4, 27)


def test_business_day_counting_skips_weekend_tiradentes_and_municipal_holiday(rules, municipal_holiday):
    rules.unit_input_days, rules.unit_input_count = 5, CountKind.BUSINESS_DAYS
    # 17/04 (Fri) -> 20 (1), 21 Tiradentes, 22 municipal, 23 (2), 24 (3), 27 (4), 28 (5)
    assert deadlines.unit_input_deadline(rules, start=D(2026, 4, 17)) == D(2026, 4, 28)


def test_unit_input_is_20_days_extendable_once_by_20(rules):
    deadline = deadlines.unit_input_deadline(rules, start=D(2026, 4, 1))
    assert deadline == D(2026, 4, 22)
    extended = deadlines.unit_input_extension(
        rules, deadline=deadline, already_extended=False, justification="Vistoria em campo"
    )
    assert extended == D(2026, 5, 12)
    with pytest.raises(ApplicationError, match="já foi prorrogado uma vez"):
        deadlines.unit_input_extension(
            rules, deadline=extended, already_extended=True, justification="De novo"
        )


def test_manifestation_extension_once_by_30_with_justification(rules):
    extended = deadlines.answer_extension(
        rules,
        deadline=D(2026, 4, 22),
        today=D(2026, 5, 10),
        is_information_access=False,
        already_extended=False,
        justification="Depende de licitação",
    )
    assert extended == D(2026, 5, 22)
    with pytest.raises(ApplicationError, match="única prorrogação"):
        deadlines.answer_extension(
            rules,
            deadline=extended,
            today=D(2026, 5, 10),
            is_information_access=False,
            already_extended=True,
            justification="Outra",
        )
    with pytest.raises(ApplicationError, match="justificativa"):
        deadlines.answer_extension(
            rules,
            deadline=D(2026, 4, 22),
            today=D(2026, 4, 10),
            is_information_access=False,
            already_extended=False,
            justification="  ",
        )


def test_lai_extension_by_10_with_notice_on_the_last_day(rules):
    extended = deadlines.answer_extension(
        rules,
        deadline=D(2026, 4, 22),
        today=D(2026, 4, 22),
        is_information_access=True,
        already_extended=False,
        justification="Informação em arquivo externo",
    )
    assert extended == D(2026, 5, 4)  # 02/05 is a Saturday


def test_lai_extension_after_the_20_days_is_refused(rules):
    with pytest.raises(ApplicationError, match="antes do fim do prazo"):
        deadlines.answer_extension(
            rules,
            deadline=D(2026, 4, 22),
            today=D(2026, 4, 23),
            is_information_access=True,
            already_extended=False,
            justification="Tarde demais",
        )


def test_appeal_deadlines_first_and_second_instance(rules):
    assert deadlines.appeal_filing_deadline(rules, informed_on=D(2026, 4, 17)) == D(2026, 4, 27)
    assert deadlines.appeal_decision_deadline(rules, filed_on=D(2026, 4, 16), instance=1) == D(2026, 4, 22)
    assert deadlines.appeal_decision_deadline(rules, filed_on=D(2026, 4, 20), instance=2) == D(2026, 4, 27)
    rules.appeal_count = CountKind.BUSINESS_DAYS
    assert deadlines.appeal_decision_deadline(rules, filed_on=D(2026, 4, 17), instance=1) == D(2026, 4, 27)


def test_reopen_window_and_nearly_overdue(rules):
    assert deadlines.reopen_until(rules, closed_on=D(2026, 4, 1)) == D(2026, 5, 1)
    assert deadlines.is_nearly_overdue(rules, deadline=D(2026, 4, 24), today=D(2026, 4, 20))
    assert not deadlines.is_nearly_overdue(rules, deadline=D(2026, 4, 30), today=D(2026, 4, 20))
    assert not deadlines.is_nearly_overdue(rules, deadline=D(2026, 4, 19), today=D(2026, 4, 20))


def test_the_municipality_settings_drive_the_services(in_aracaju):
    stored = OmbudsmanSettings.objects.get()
    stored.answer_days, stored.answer_count = 10, CountKind.BUSINESS_DAYS
    stored.save()
    rules = deadlines.settings_default()
    # 16/04 (Thu) + 10 business days: 17, 20, 22, 23, 24, 27, 28, 29, 30, 04/05 (01/05 holiday)
    assert deadlines.answer_deadline(rules, start=D(2026, 4, 16), is_information_access=False) == D(
        2026, 5, 4
    )
