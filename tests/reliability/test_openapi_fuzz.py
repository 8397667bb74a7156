"""Issue 10, reliability suite: schemathesis over each city's OpenAPI as staff, citizen and anonymous.

Every generated request must answer without a server error and with a body matching the documented
schema. `make test` runs a bounded pass (a few examples per operation, one city per role);
`make soak` (PACO_SOAK=1) runs many examples per operation in both cities.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tenant_apps.accounts.models import User
from tests.conftest import ROLE_EMAILS

SOAK = os.environ.get("PACO_SOAK") == "1"
EXAMPLES = 60 if SOAK else 2
ROLES = ("staff", "citizen", "anonymous")


def _headers(municipality, role: str) -> dict[str, str]:
    headers = {"Host": f"{municipality.slug}.localhost"}
    if role != "anonymous":
        with tenant_context(municipality):
            user = User.objects.get(email=ROLE_EMAILS[role](municipality.slug))
            token, _created = Token.objects.get_or_create(user=user)
        headers["Authorization"] = f"Token {token.key}"
    return headers


def _fuzz(municipality, role: str, *, methods: tuple[str, ...]) -> dict[str, int]:
    # as Django's test client does: a request must not close the test's connection
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        return _fuzz_run(municipality, role, methods=methods)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz_run(municipality, role: str, *, methods: tuple[str, ...]) -> dict[str, int]:
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", app, headers={"Host": f"{municipality.slug}.localhost"}
    )
    headers = _headers(municipality, role)
    tally: dict[str, int] = {"requests": 0, "5xx": 0}
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in methods:
            continue

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],  # no shrinking: report and go on
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:
            response = case.call(headers=headers)
            tally["requests"] += 1
            if response.status_code >= 500:
                tally["5xx"] += 1
            try:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            except Exception as error:  # noqa: BLE001 - collected and reported together
                failures.append(
                    f"{case.operation.method.upper()} {case.operation.path} ({role}): {str(error)[:300]}"
                )
                raise

        before = len(failures)
        try:
            run()
        except Exception as error:  # noqa: BLE001 - collected and reported together
            if len(failures) == before:  # not a response check: the run itself broke
                failures.append(f"{operation.method.upper()} {operation.path} ({role}): {error!r}"[:400])
    print(f"\nschemathesis {municipality.slug}/{role}: {tally['requests']} requests, {tally['5xx']} 5xx")  # noqa: T201
    assert failures == []
    assert tally["requests"] > 0
    return tally


@pytest.mark.parametrize("role", ROLES)
def test_the_api_holds_its_schema_for_every_role(aracaju, gravatai, role):
    cities = [aracaju, gravatai] if SOAK else [aracaju if role != "citizen" else gravatai]
    methods = ("GET", "POST") if SOAK else ("GET",)
    for municipality in cities:
        tally = _fuzz(municipality, role, methods=methods)
        assert tally["5xx"] == 0
