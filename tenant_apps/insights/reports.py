"""The annual PDFs the city publishes, rendered like every document PDF (WeasyPrint, only `data:`
resources, the coat of arms from `documents.pdf`):

- the ombudsman's annual management report, Lei 13.460/2017, art. 14, II and art. 15 (number of
  manifestations received, their kinds and how they were answered, deadlines kept, satisfaction);
- the LAI statistics, Lei 12.527/2011, art. 30, III ("relatório estatístico contendo a quantidade de
  pedidos de informação recebidos, atendidos e indeferidos, bem como informações genéricas sobre
  os solicitantes"). Denials are the appeals' grounds here: requests with a 1st-instance appeal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint.urls import URLFetcher

from tenant_apps.documents.pdf import PDF_LANGUAGE, coat_of_arms_data_uri
from tenant_apps.ombudsman.enums import ManifestationKind

from .selectors import OmbudsmanRow, Period, Scope, ombudsman_monthly, ombudsman_rows

REPORTS: dict[str, dict[str, str]] = {
    "ouvidoria": {"file": "relatorio-ouvidoria", "title": "Relatório anual de gestão da Ouvidoria"},
    "lai": {"file": "estatisticas-lai", "title": "Relatório estatístico de acesso à informação"},
}
LAI = str(ManifestationKind.INFORMATION_ACCESS)


def _total(rows: list[OmbudsmanRow]) -> OmbudsmanRow:
    total = OmbudsmanRow(kind="total")
    for row in rows:
        for name in total.__dataclass_fields__:
            if name != "kind":
                setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def report_context(*, report: str, year: int, municipality: Any) -> dict[str, Any]:
    period = Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    city = Scope(unit_ids=None, label="cidade")
    labels = {str(value): str(label) for value, label in ManifestationKind.choices}
    rows = [row for row in ombudsman_rows(city, period) if (row.kind == LAI) == (report == "lai")]
    kinds = [LAI] if report == "lai" else [kind for kind in labels if kind != LAI]
    monthly = ombudsman_monthly(period, kinds=kinds)
    months: dict[str, dict[str, int]] = {}
    for entry in monthly:
        month = months.setdefault(
            f"{entry['month']:%m/%Y}", {"received": 0, "answered": 0, "answered_in_time": 0}
        )
        for key in month:
            month[key] += entry[key] or 0
    return {
        "title": REPORTS[report]["title"],
        "report": report,
        "year": year,
        "municipality": municipality,
        "coat_of_arms": coat_of_arms_data_uri(municipality) if municipality is not None else "",
        "rows": [(labels.get(row.kind, row.kind), row) for row in rows],
        "total": _total(rows),
        "months": sorted(months.items(), key=lambda item: item[0][3:] + item[0][:2]),
        "generated_at": timezone.localtime(),
    }


def report_pdf(*, report: str, year: int, municipality: Any) -> bytes:
    with translation.override(PDF_LANGUAGE):
        html = render_to_string(
            "insights/report.html", report_context(report=report, year=year, municipality=municipality)
        )
    pdf = weasyprint.HTML(
        string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}), base_url=None
    ).write_pdf()
    if pdf is None:
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
