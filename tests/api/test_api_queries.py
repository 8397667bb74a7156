"""List endpoints cost a fixed number of queries, however many rows the page holds."""

from __future__ import annotations

import pytest
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


@pytest.mark.parametrize(
    ("role", "path", "rows"),
    [
        ("owner", "/api/v1/cases/", "results"),
        ("unit_staff", "/api/v1/cases/", "results"),
        ("unit_staff", "/api/v1/cases/?unidade=EMSURB&situacao=em_andamento", "results"),
    ],
)
def test_a_list_costs_the_same_queries_for_3_or_30_cases(
    aracaju, clients, citizen, poda, unit_staff, role, path, rows
):
    def open_cases(count: int) -> None:
        for number in range(count):
            case = case_open(service=poda, opened_by=citizen, form_data=FORM, subject=f"Árvore {number}")
            case_dispatch(case=case, actor=unit_staff, text="Vistoria agendada.")

    client = clients[role]
    open_cases(3)
    client.get(path)  # warm the host -> city cache
    few = _queries(client, path)
    open_cases(27)

    many = _queries(client, path)

    assert len(client.get(path).json()[rows]) == 25
    assert many == few
    assert few <= 6  # session, user, TOTP device, memberships, the page


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
