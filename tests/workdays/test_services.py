import datetime as dt

import pytest

from paco.errors import ApplicationError
from tenant_apps.workdays.models import MunicipalHoliday
from tenant_apps.workdays.services import municipal_holiday_create, municipal_holiday_delete


def _holidays() -> list[tuple[dt.date, str]]:
    return list(MunicipalHoliday.objects.order_by("date").values_list("date", "name"))


def test_a_municipal_holiday_is_added_and_removed(in_aracaju):
    holiday = municipal_holiday_create(date=dt.date(2026, 3, 17), name="  Aniversário de Aracaju ")

    assert _holidays() == [(dt.date(2026, 3, 17), "Aniversário de Aracaju")]

    municipal_holiday_delete(holiday=holiday)

    assert _holidays() == []


@pytest.mark.parametrize(
    ("date", "name", "message"),
    [
        (
            dt.date(2026, 3, 17),
            "Outro nome",
            "Já existe um feriado municipal em 17/03/2026: Aniversário de Aracaju.",
        ),
        (dt.date(2026, 4, 21), "Feriado local", "21/04/2026 já é feriado nacional ou estadual: Tiradentes."),
        (
            dt.date(2026, 7, 8),
            "Feriado local",
            "08/07/2026 já é feriado nacional ou estadual: Emancipação política de Sergipe.",
        ),
        (dt.date(2026, 6, 24), "   ", "Informe o nome do feriado."),
        (dt.date(2026, 6, 24), "x" * 201, "O nome do feriado tem no máximo 200 caracteres."),
    ],
)
def test_bad_holidays_are_refused_and_nothing_changes(in_aracaju, date, name, message):
    municipal_holiday_create(date=dt.date(2026, 3, 17), name="Aniversário de Aracaju")
    before = _holidays()

    with pytest.raises(ApplicationError) as raised:
        municipal_holiday_create(date=date, name=name)

    assert raised.value.message == message
    assert _holidays() == before


def test_a_state_holiday_of_another_state_is_a_normal_day_for_the_city(in_gravatai):
    # 8 July is Sergipe's holiday: Gravataí (RS) may have its own holiday that day
    municipal_holiday_create(date=dt.date(2026, 7, 8), name="Ponto facultativo")

    assert _holidays() == [(dt.date(2026, 7, 8), "Ponto facultativo")]
