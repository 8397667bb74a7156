"""List endpoints cost a fixed number of queries, however many rows the page holds."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenant_apps.cases.services import case_dispatch, case_open
from tests.api.conftest import FORM


def _queries(client: Client, path: str) -> int:
    """Queries of one request, not counting django-tenants' `SET search_path` before each."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return sum(1 for query in queries.captured_queries if not query["sql"].startswith("SET search_path"))


LISTS = (
    ("owner", "/api/v1/cases/"),
    ("unit_staff", "/api/v1/cases/"),
    ("unit_staff", "/api/v1/cases/?unidade=EMSURB&situacao=em_andamento"),
)


def test_a_list_costs_the_same_queries_for_3_or_30_cases(aracaju, clients, citizen, poda, unit_staff):
    # the three lists read the same 30 cases (each dispatch signs a PDF: one set for the three)
    def open_cases(count: int) -> None:
        for number in range(count):
            case = case_open(service=poda, opened_by=citizen, form_data=FORM, subject=f"Árvore {number}")
            case_dispatch(case=case, actor=unit_staff, text="Vistoria agendada.")

    open_cases(3)
    few = {}
    for role, path in LISTS:
        clients[role].get(path)  # warm the host -> city cache
        few[role, path] = _queries(clients[role], path)
    open_cases(27)

    for role, path in LISTS:
        many = _queries(clients[role], path)
        assert len(clients[role].get(path).json()["results"]) == 25, (role, path)
        assert many == few[role, path], (role, path)
        assert few[role, path] <= 6, (role, path)  # session, user, TOTP device, memberships, the page


def test_a_case_costs_the_same_queries_with_1_or_20_history_entries(
    aracaju, clients, case, digits, unit_staff
):
    client = clients["unit_staff"]
    path = f"/api/v1/cases/{digits}/"
    client.get(path)
    few = _queries(client, path)
    for number in range(19):
        case_dispatch(case=case, actor=unit_staff, text=f"Despacho {number}.")

    many = _queries(client, path)

    assert len(client.get(path).json()["history"]) == 20
    assert many == few
