"""The REST API under /api/v1/insights/ and the annual PDFs (Lei 13.460 arts. 14-15, LAI art. 30 III)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from tenant_apps.catalog.models import Service
from tenant_apps.insights.models import CaseDay, OmbudsmanDay
from tests.conftest import ARACAJU_HOST

from .conftest import unit


def _seed(aracaju) -> None:
    with tenant_context(aracaju):
        day = timezone.localdate() - dt.timedelta(days=1)
        service = Service.objects.get(code="poda-de-arvore")
        CaseDay.objects.create(day=day, unit=unit("SEPLOG-PROT"), service=service, opened=4, closed=3)
        CaseDay.objects.create(day=day, unit=unit("SEFAZ-TRIB"), service=service, opened=20)
        OmbudsmanDay.objects.create(
            day=day,
            unit=unit("CGM"),
            kind="acesso_informacao",
            received=12,
            received_anonymous=2,
            answered=10,
            answered_in_time=9,
            appeals=3,
            appeals_second=1,
            appeals_granted=1,
        )
        OmbudsmanDay.objects.create(day=day, unit=unit("CGM"), kind="reclamacao", received=7, answered=7)


def test_the_summary_api_follows_the_scope(aracaju, login_as):
    _seed(aracaju)
    manager = login_as("manager", aracaju)
    data = manager.get("/api/v1/insights/summary/", HTTP_HOST=ARACAJU_HOST).json()
    assert data["current"]["opened"] == 4
    assert data["current"]["closed"] == 3
    with tenant_context(aracaju):
        other = unit("SEFAZ-TRIB").pk
    assert manager.get(f"/api/v1/insights/summary/?unit={other}", HTTP_HOST=ARACAJU_HOST).status_code == 404
    city = login_as("admin", aracaju).get("/api/v1/insights/summary/", HTTP_HOST=ARACAJU_HOST).json()
    assert city["current"]["opened"] == 24
    bad = manager.get("/api/v1/insights/summary/?start=2026-05-01&end=2026-04-01", HTTP_HOST=ARACAJU_HOST)
    assert bad.status_code == 400
    assert (
        login_as("staff", aracaju).get("/api/v1/insights/summary/", HTTP_HOST=ARACAJU_HOST).status_code == 404
    )


def test_the_dataset_api_is_public_and_checks_the_year(aracaju, client):
    _seed(aracaju)
    listing = client.get("/api/v1/insights/datasets/", HTTP_HOST=ARACAJU_HOST).json()
    assert "ouvidoria-e-lai" in {item["slug"] for item in listing}
    rows = client.get("/api/v1/insights/datasets/protocolos-por-servico/", HTTP_HOST=ARACAJU_HOST).json()[
        "rows"
    ]
    assert [row["abertos"] for row in rows] == [24]
    assert (
        client.get(
            "/api/v1/insights/datasets/protocolos-por-servico/?year=abc", HTTP_HOST=ARACAJU_HOST
        ).status_code
        == 400
    )
    schema = client.get("/api/schema/", HTTP_HOST=ARACAJU_HOST).content.decode()
    assert "/api/v1/insights/summary/" in schema


def test_the_annual_lai_and_ombudsman_pdfs(aracaju, login_as):
    _seed(aracaju)
    year = (timezone.localdate() - dt.timedelta(days=1)).year
    admin = login_as("admin", aracaju)
    response = admin.get(f"/staff/indicadores/relatorio/{year}/lai.pdf", HTTP_HOST=ARACAJU_HOST)
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Lei 12.527/2011, art. 30, III" in text
    assert "12" in text  # received
    assert "3 / 1" in text  # appeals, first and second instance
    ombudsman = admin.get(f"/staff/indicadores/relatorio/{year}/ouvidoria.pdf", HTTP_HOST=ARACAJU_HOST)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(ombudsman.content)).pages)
    assert "Lei 13.460/2017" in text
    assert "Reclamação" in text
    manager = login_as("manager", aracaju)
    assert (
        manager.get(f"/staff/indicadores/relatorio/{year}/lai.pdf", HTTP_HOST=ARACAJU_HOST).status_code == 404
    )
