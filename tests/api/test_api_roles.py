"""Role matrix of every Protocolo endpoint on one EMSURB case: who gets what, and refusals change nothing.

Roles: anonymous; the citizen who owns the case and another citizen; staff of EMSURB (the case's
unit) and of SEMA; EMSURB's manager; the municipal admin (whose role is in SEPLOG).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tenant_apps.cases.models import Case
from tenant_apps.cases.services import case_close, case_request_information
from tests.api.conftest import FORM, case_state, png

ROLES = ("anonymous", "owner", "other_citizen", "unit_staff", "other_staff", "manager", "admin")

READ = {
    "anonymous": 401,
    "owner": 200,
    "other_citizen": 404,
    "unit_staff": 200,
    "other_staff": 404,
    "manager": 200,
    "admin": 404,
}
STAFF_ACTION = {
    "anonymous": 401,
    "owner": 403,
    "other_citizen": 403,
    "unit_staff": 200,
    "other_staff": 404,
    "manager": 200,
    "admin": 404,
}
ASSIGN = {**STAFF_ACTION, "unit_staff": 403}
ANSWER = {
    "anonymous": 401,
    "owner": 200,
    "other_citizen": 404,
    "unit_staff": 403,
    "other_staff": 403,
    "manager": 403,
    "admin": 403,
}


def _closed(case: Case, people: dict[str, Any]) -> None:
    case_close(case=case, actor=people["unit_staff"], answer="Feito.")


def _asked(case: Case, people: dict[str, Any]) -> None:
    case_request_information(case=case, actor=people["unit_staff"], question="Qual o número?")


# endpoint -> (method, path suffix, payload factory, expected status per role, precondition)
ENDPOINTS: dict[str, tuple[str, str, Callable[[], dict[str, Any]] | None, dict[str, int], Any]] = {
    "detail": ("GET", "", None, READ, None),
    "history": ("GET", "history/", None, READ, None),
    "forward": ("POST", "forward/", lambda: {"to_unit": "SEMA"}, STAFF_ACTION, None),
    "dispatch": ("POST", "dispatch/", lambda: {"text": "Vistoria marcada."}, STAFF_ACTION, None),
    "attachments": (
        "POST",
        "attachments/",
        lambda: {"anexos": [png()], "rotulos": ["Laudo"]},
        STAFF_ACTION,
        None,
    ),
    "request-information": (
        "POST",
        "request-information/",
        lambda: {"question": "Qual?"},
        STAFF_ACTION,
        None,
    ),
    "close": ("POST", "close/", lambda: {"answer": "Poda feita."}, STAFF_ACTION, None),
    "reopen": ("POST", "reopen/", lambda: {"reason": "Voltou a crescer."}, STAFF_ACTION, _closed),
    "assign": ("POST", "assign/", lambda: {"assignee": "edna@aracaju.se.gov.br"}, ASSIGN, None),
    "answer": ("POST", "answer/", lambda: {"answer": "Número 100.", "anexos": [png()]}, ANSWER, _asked),
}


@pytest.fixture
def people(citizen, other_citizen, unit_staff, other_staff, manager, admin) -> dict[str, Any]:
    return {
        "owner": citizen,
        "other_citizen": other_citizen,
        "unit_staff": unit_staff,
        "other_staff": other_staff,
        "manager": manager,
        "admin": admin,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_role_matrix_of_a_case_endpoint(aracaju, clients, people, case, digits, endpoint, role):
    method, suffix, payload, expected, precondition = ENDPOINTS[endpoint]
    if precondition:
        precondition(case, people)
    before = case_state(case)
    client = clients[role]

    path = f"/api/v1/cases/{digits}/{suffix}"
    response = client.get(path) if method == "GET" else client.post(path, payload())  # type: ignore[misc]

    assert response.status_code == expected[role], response.content
    if method == "POST" and expected[role] == 200:
        assert case_state(case) != before
    else:
        assert case_state(case) == before


LIST_RESULTS = {
    "owner": True,
    "other_citizen": False,
    "unit_staff": True,
    "other_staff": False,
    "manager": True,
    "admin": False,
}


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix_of_the_case_list(aracaju, clients, case, digits, role):
    response = clients[role].get("/api/v1/cases/")

    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert [row["nup_digits"] for row in response.json()["results"]] == (
        [digits] if LIST_RESULTS[role] else []
    )


OPEN = {
    "anonymous": 401,
    "owner": 201,
    "other_citizen": 201,
    "unit_staff": 403,
    "other_staff": 403,
    "manager": 403,
    "admin": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix_of_opening_a_case(aracaju, clients, people, role):
    cases_before = Case.objects.count()

    response = clients[role].post(
        "/api/v1/cases/", {"service": "poda-de-arvore", "form_data": FORM}, content_type="application/json"
    )

    assert response.status_code == OPEN[role]
    if OPEN[role] == 201:
        assert Case.objects.get(nup=response.json()["nup"]).citizen == people[role]
    else:
        assert Case.objects.count() == cases_before
