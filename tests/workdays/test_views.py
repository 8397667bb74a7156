import datetime as dt
import re

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.workdays.models import MunicipalHoliday
from tenant_apps.workdays.services import municipal_holiday_create
from tests.conftest import client_for

LIST = "/admin-municipal/feriados/"
CREATE = "/admin-municipal/feriados/novo/"
STAFF_LOGIN = "/staff/entrar/"


def _rows(body: str) -> list[str]:
    rows = re.findall(r"<tr>\s*<td><time.*?</tr>", body, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("citizen", 302), ("staff", 404), ("manager", 404), ("admin", 200)],
)
def test_only_the_municipal_admin_opens_the_holidays(aracaju, role, expected):
    response = client_for(role, aracaju).get(LIST, HTTP_HOST="aracaju.localhost")

    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == f"{STAFF_LOGIN}?next={LIST}"


def test_the_list_marks_national_state_and_municipal_holidays(aracaju):
    with tenant_context(aracaju):
        municipal_holiday_create(date=dt.date(2026, 3, 17), name="Aniversário de Aracaju")
        municipal_holiday_create(date=dt.date(2027, 3, 17), name="Aniversário de Aracaju")

    response = client_for("admin", aracaju).get(LIST, {"ano": "2026"}, HTTP_HOST="aracaju.localhost")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Feriados de 2026" in body
    assert _rows(body) == [
        "01/01/2026 Quinta-feira Confraternização Universal Nacional definido em lei",
        "17/03/2026 Terça-feira Aniversário de Aracaju Municipal Remover Aniversário de Aracaju",
        "03/04/2026 Sexta-feira Sexta-feira Santa Nacional definido em lei",
        "21/04/2026 Terça-feira Tiradentes Nacional definido em lei",
        "01/05/2026 Sexta-feira Dia do Trabalhador Nacional definido em lei",
        "08/07/2026 Quarta-feira Emancipação política de Sergipe Estadual (SE) definido em lei",
        "07/09/2026 Segunda-feira Independência do Brasil Nacional definido em lei",
        "12/10/2026 Segunda-feira Nossa Senhora Aparecida Nacional definido em lei",
        "02/11/2026 Segunda-feira Finados Nacional definido em lei",
        "15/11/2026 Domingo Proclamação da República Nacional definido em lei",
        "20/11/2026 Sexta-feira Dia Nacional de Zumbi e da Consciência Negra Nacional definido em lei",
        "25/12/2026 Sexta-feira Natal Nacional definido em lei",
    ]
    # only the municipal holiday has a remove button
    assert body.count("/remover/") == 1


def test_gravatai_lists_the_rio_grande_do_sul_holiday_and_not_sergipe(gravatai):
    body = (
        client_for("admin", gravatai)
        .get(LIST, {"ano": "2026"}, HTTP_HOST="gravatai.localhost")
        .content.decode()
    )

    assert "20/09/2026 Domingo Dia do Gaúcho Estadual (RS) definido em lei" in _rows(body)
    assert "Sergipe" not in body


def test_the_admin_adds_a_municipal_holiday(aracaju):
    client = client_for("admin", aracaju)

    response = client.post(
        CREATE,
        {"date": "2026-12-08", "name": "Nossa Senhora da Conceição", "ano": "2026"},
        HTTP_HOST="aracaju.localhost",
    )

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?ano=2026"
    with tenant_context(aracaju):
        assert list(MunicipalHoliday.objects.values_list("date", "name")) == [
            (dt.date(2026, 12, 8), "Nossa Senhora da Conceição")
        ]
    page = client.get(response["Location"], HTTP_HOST="aracaju.localhost").content.decode()
    assert "Feriado municipal adicionado: 08/12/2026, Nossa Senhora da Conceição." in page


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"date": "2026-03-17", "name": "De novo"},
            "Já existe um feriado municipal em 17/03/2026: Aniversário de Aracaju.",
        ),
        (
            {"date": "2026-04-21", "name": "Outro"},
            "21/04/2026 já é feriado nacional ou estadual: Tiradentes.",
        ),
        ({"date": "", "name": "Sem data"}, "Este campo é obrigatório."),
        ({"date": "31/02/2026", "name": "Data errada"}, "Informe uma data válida."),
    ],
)
def test_a_bad_holiday_is_refused_with_a_message_and_nothing_changes(aracaju, payload, message):
    with tenant_context(aracaju):
        municipal_holiday_create(date=dt.date(2026, 3, 17), name="Aniversário de Aracaju")

    response = client_for("admin", aracaju).post(
        CREATE, {**payload, "ano": "2026"}, HTTP_HOST="aracaju.localhost"
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    with tenant_context(aracaju):
        assert list(MunicipalHoliday.objects.values_list("date", "name")) == [
            (dt.date(2026, 3, 17), "Aniversário de Aracaju")
        ]


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("staff", 404), ("manager", 404)])
def test_only_the_admin_adds_or_removes_holidays(aracaju, role, expected):
    with tenant_context(aracaju):
        holiday = municipal_holiday_create(date=dt.date(2026, 3, 17), name="Aniversário de Aracaju")
    client = client_for(role, aracaju)

    added = client.post(CREATE, {"date": "2026-06-24", "name": "São João"}, HTTP_HOST="aracaju.localhost")
    removed = client.post(f"{LIST}{holiday.pk}/remover/", HTTP_HOST="aracaju.localhost")

    assert (added.status_code, removed.status_code) == (expected, expected)
    with tenant_context(aracaju):
        assert list(MunicipalHoliday.objects.values_list("date", flat=True)) == [dt.date(2026, 3, 17)]


def test_the_admin_removes_a_municipal_holiday(aracaju):
    with tenant_context(aracaju):
        holiday = municipal_holiday_create(date=dt.date(2026, 3, 17), name="Aniversário de Aracaju")

    response = client_for("admin", aracaju).post(
        f"{LIST}{holiday.pk}/remover/", HTTP_HOST="aracaju.localhost"
    )

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?ano=2026"
    with tenant_context(aracaju):
        assert not MunicipalHoliday.objects.exists()


def test_the_admin_of_gravatai_cannot_remove_a_holiday_of_aracaju(aracaju, gravatai):
    with tenant_context(aracaju):
        holiday = municipal_holiday_create(date=dt.date(2026, 3, 17), name="Aniversário de Aracaju")
    with tenant_context(gravatai):
        assert not MunicipalHoliday.objects.filter(pk=holiday.pk).exists()
    client = client_for("admin", gravatai)

    on_gravatai = client.post(f"{LIST}{holiday.pk}/remover/", HTTP_HOST="gravatai.localhost")
    on_aracaju = client.post(f"{LIST}{holiday.pk}/remover/", HTTP_HOST="aracaju.localhost")
    listing = client.get(LIST, {"ano": "2026"}, HTTP_HOST="gravatai.localhost").content.decode()

    assert on_gravatai.status_code == 404
    assert on_aracaju.status_code == 302
    assert on_aracaju["Location"].startswith(STAFF_LOGIN)
    assert "Aniversário de Aracaju" not in listing
    with tenant_context(aracaju):
        assert MunicipalHoliday.objects.filter(pk=holiday.pk).exists()


def test_an_unknown_year_falls_back_to_the_current_one(aracaju):
    from django.utils import timezone

    response = client_for("admin", aracaju).get(LIST, {"ano": "abc"}, HTTP_HOST="aracaju.localhost")

    assert f"Feriados de {timezone.localdate().year}" in response.content.decode()
