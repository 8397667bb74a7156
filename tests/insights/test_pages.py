"""The manager page, its CSV and the role matrix: a unit manager sees their units and sub-units, a
secretary the secretariat, the municipal admin and the mayor's office the whole city, and nobody
sees another secretariat's figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.catalog.models import Service
from tenant_apps.insights.models import CaseDay, InsightsSettings
from tenant_apps.insights.selectors import scope_for
from tests.conftest import ARACAJU_HOST, _force_login

from .conftest import manager_of, staff_of, unit

SEPLOG_PROT_OPENED = 11  # the test manager's unit (under SEPLOG)
SEFAZ_TRIB_OPENED = 37  # another secretariat's sub-unit


@pytest.fixture
def figures(aracaju):
    with tenant_context(aracaju):
        service = Service.objects.get(code="poda-de-arvore")
        day = timezone.localdate() - dt.timedelta(days=2)
        CaseDay.objects.create(day=day, unit=unit("SEPLOG-PROT"), service=service, opened=SEPLOG_PROT_OPENED)
        CaseDay.objects.create(day=day, unit=unit("SEFAZ-TRIB"), service=service, opened=SEFAZ_TRIB_OPENED)
    return aracaju


def _client_for_user(user, client):
    _force_login(client, user, ARACAJU_HOST)
    return client


def _summary_opened(body: str) -> str:
    start = body.index("Protocolos abertos")
    return body[start : start + 120]


def test_the_scopes(in_aracaju):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    assert scope_for(users.get(email="admin@aracaju.se.gov.br")).is_city
    manager = scope_for(users.get(email="gestor@aracaju.gov.br"))
    assert manager.unit_ids == {unit("SEPLOG-PROT").pk}
    secretary = scope_for(manager_of("SEFAZ", "secretario.sefaz@aracaju.gov.br"))
    assert secretary.unit_ids == {unit("SEFAZ").pk, unit("SEFAZ-TRIB").pk}
    assert scope_for(staff_of("aracaju")) is None
    mayor = manager_of("SEMA", "gabinete@aracaju.gov.br")
    assert not scope_for(mayor).is_city
    InsightsSettings.objects.create(city_wide_unit=unit("SEMA"))
    assert scope_for(mayor).is_city


def test_a_unit_manager_sees_their_unit_only(figures, login_as):
    client = login_as("manager", figures)
    body = client.get("/staff/indicadores/", HTTP_HOST=ARACAJU_HOST).content.decode()
    assert f"<td>{SEPLOG_PROT_OPENED}</td>" in _summary_opened(body)
    assert f"<td>{SEFAZ_TRIB_OPENED}</td>" not in body  # (a bare "37" may sit in a CSRF token)
    assert "SEFAZ-TRIB" not in body

    # another secretariat's unit in the picker is refused (400), nothing of it shown
    with tenant_context(figures):
        other = unit("SEFAZ-TRIB").pk
    today = timezone.localdate()
    response = client.get(
        f"/staff/indicadores/?de={today - dt.timedelta(days=9)}&ate={today}&unidade={other}",
        HTTP_HOST=ARACAJU_HOST,
    )
    assert response.status_code == 400
    assert str(SEFAZ_TRIB_OPENED) not in response.content.decode()
    csv = client.get("/staff/indicadores/servicos.csv", HTTP_HOST=ARACAJU_HOST).content.decode()
    assert f"Poda de árvore;{SEPLOG_PROT_OPENED};0" in csv


def test_a_secretary_sees_the_secretariat_and_the_admin_the_city(figures, login_as, client):
    with tenant_context(figures):
        secretary = manager_of("SEFAZ", "secretario.sefaz@aracaju.gov.br")
        _client_for_user(secretary, client)
    body = client.get("/staff/indicadores/", HTTP_HOST=ARACAJU_HOST).content.decode()
    assert f"<td>{SEFAZ_TRIB_OPENED}</td>" in _summary_opened(body)
    assert "SEPLOG-PROT" not in body

    admin_body = (
        login_as("admin", figures).get("/staff/indicadores/", HTTP_HOST=ARACAJU_HOST).content.decode()
    )
    assert f"<td>{SEPLOG_PROT_OPENED + SEFAZ_TRIB_OPENED}</td>" in _summary_opened(admin_body)
    assert "Relatório anual da Ouvidoria" in admin_body


def test_the_page_shows_the_previous_period_and_every_chart_has_its_table_and_csv(figures, login_as):
    client = login_as("admin", figures)
    today = timezone.localdate()
    body = client.get(
        f"/staff/indicadores/?de={today - dt.timedelta(days=6)}&ate={today}", HTTP_HOST=ARACAJU_HOST
    ).content.decode()
    assert "comparado com" in body
    for chart in ("serie", "unidades", "servicos", "circulares", "papel", "ouvidoria"):
        assert f'id="grafico-{chart}"' in body
        assert f"/staff/indicadores/{chart}.csv" in body
    assert 'src="/static/chartjs/chart.umd.js"' in body
    # bad input: a clear error, a 400
    bad = client.get("/staff/indicadores/?de=2026-02-10&ate=2026-01-01", HTTP_HOST=ARACAJU_HOST)
    assert bad.status_code == 400
    assert "A data final é anterior à inicial." in bad.content.decode()


def test_staff_without_a_managed_unit_get_a_404(figures, login_as):
    assert login_as("staff", figures).get("/staff/indicadores/", HTTP_HOST=ARACAJU_HOST).status_code == 404
    assert login_as("citizen", figures).get("/staff/indicadores/", HTTP_HOST=ARACAJU_HOST).status_code == 302


def test_the_csv_is_the_table(figures, login_as):
    response = login_as("admin", figures).get("/staff/indicadores/servicos.csv", HTTP_HOST=ARACAJU_HOST)
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffServiço;Abertos;Concluídos")
    assert f"Poda de árvore;{SEPLOG_PROT_OPENED + SEFAZ_TRIB_OPENED};0;;;;" in text


def test_the_page_reads_the_aggregates_only_in_a_bounded_number_of_queries(figures, login_as):
    """No page scans the case tables (issue 17): every query of the manager page, with the
    dashboard's cache empty, reads the aggregates (or the org chart, catalogue and the session)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login_as("admin", figures)
    counts = []
    for days in (6, 29, 364):  # a week, a month, a year: the same queries
        cache.clear()
        today = timezone.localdate()
        with CaptureQueriesContext(connection) as queries:
            first = today - dt.timedelta(days=days)
            response = client.get(f"/staff/indicadores/?de={first}&ate={today}", HTTP_HOST=ARACAJU_HOST)
        assert response.status_code == 200
        sqls = [item["sql"] for item in queries.captured_queries]
        for prefix in ("cases_", "ombudsman_", "comms_", "documents_", "notifications_"):
            assert not [sql for sql in sqls if f'"{prefix}' in sql or f" {prefix}" in sql], prefix
        counts.append(len(sqls))
    assert counts[0] == counts[1] == counts[2], counts
    assert counts[0] <= 45, counts  # one or two per chart block (every module registers its own)
