"""`/dados-abertos/`: the catalogue, each dataset as CSV and JSON with its data dictionary, and the
DCAT catalogue (JSON-LD) that CKAN's DCAT harvester (dados.gov.br) reads. No login."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .csv_export import csv_lines
from .models import AggregationRun
from .opendata import Dataset, datasets_all, published_rows, table_schema, year_param

LICENSE = "http://opendefinition.org/licenses/odc-by/"  # Open Data Commons Attribution


def _dataset(slug: str) -> Dataset:
    dataset = datasets_all().get(slug)
    if dataset is None:
        raise Http404
    return dataset


def _year(request: HttpRequest) -> int | None:
    try:
        return year_param(request.GET.get("ano"))
    except ValueError:
        return None


def _modified_at() -> dt.datetime:
    run = AggregationRun.objects.order_by("-finished_at").first()
    return run.finished_at if run else timezone.now()


def _modified() -> str:
    return _modified_at().isoformat(timespec="seconds")


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    year = timezone.localdate().year
    return render(
        request,
        "insights/opendata.html",
        {
            "title": _("Dados abertos"),
            "datasets": list(datasets_all().values()),
            "years": list(range(year, year - 3, -1)),
            "modified_at": _modified_at(),
        },
    )


@require_GET
def dataset_dictionary(request: HttpRequest, dataset: str) -> HttpResponse:
    item = _dataset(dataset)
    return render(
        request,
        "insights/dictionary.html",
        {"title": item.title, "dataset": item, "schema": table_schema(item)},
    )


@require_GET
def dataset_schema(request: HttpRequest, dataset: str) -> JsonResponse:
    return JsonResponse(table_schema(_dataset(dataset)), json_dumps_params={"ensure_ascii": False})


@require_GET
def dataset_csv(request: HttpRequest, dataset: str) -> StreamingHttpResponse:
    item = _dataset(dataset)
    year = _year(request)
    header = [field.name for field in item.fields]
    response = StreamingHttpResponse(
        csv_lines(header, published_rows(item, year)), content_type="text/csv; charset=utf-8"
    )
    suffix = f"-{year}" if year else ""
    response["Content-Disposition"] = f'attachment; filename="{item.slug}{suffix}.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _json_chunks(item: Dataset, year: int | None) -> Iterator[str]:
    names = [field.name for field in item.fields]
    yield json.dumps({"dataset": item.slug, "titulo": item.title, "ano": year}, ensure_ascii=False)[:-1]
    yield ', "registros": ['
    first = True
    for row in published_rows(item, year):
        yield ("" if first else ",") + json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False)
        first = False
    yield "]}"


@require_GET
def dataset_json(request: HttpRequest, dataset: str) -> StreamingHttpResponse:
    item = _dataset(dataset)
    response = StreamingHttpResponse(
        _json_chunks(item, _year(request)), content_type="application/json; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def dcat_catalogue(*, base: str, municipality: Any) -> dict[str, Any]:
    """DCAT (W3C) in JSON-LD with the properties ckanext-dcat maps to CKAN fields."""
    name = getattr(municipality, "display_name", "") or "Prefeitura"
    publisher = {"@id": base + "/#prefeitura", "@type": "foaf:Organization", "foaf:name": name}
    modified = {"@value": _modified(), "@type": "xsd:dateTime"}
    datasets = []
    for item in datasets_all().values():
        page = base + reverse("insights:opendata_dictionary", args=[item.slug])
        distributions = []
        for fmt, media_type, url_name in (
            ("CSV", "text/csv", "insights:opendata_csv"),
            ("JSON", "application/json", "insights:opendata_json"),
        ):
            url = base + reverse(url_name, args=[item.slug])
            distributions.append(
                {
                    "@id": url,
                    "@type": "dcat:Distribution",
                    "dct:title": f"{item.title} ({fmt})",
                    "dct:format": fmt,
                    "dcat:mediaType": media_type,
                    "dcat:accessURL": {"@id": url},
                    "dcat:downloadURL": {"@id": url},
                    "dct:license": {"@id": LICENSE},
                    "dct:conformsTo": {"@id": base + reverse("insights:opendata_schema", args=[item.slug])},
                }
            )
        datasets.append(
            {
                "@id": page,
                "@type": "dcat:Dataset",
                "dct:identifier": f"{getattr(municipality, 'schema_name', 'cidade')}-{item.slug}",
                "dct:title": item.title,
                "dct:description": item.description,
                "dcat:keyword": list(item.keywords),
                "dct:publisher": publisher,
                "dct:modified": modified,
                "dct:language": "pt-BR",
                "dct:accrualPeriodicity": {"@id": item.periodicity},
                "dcat:landingPage": {"@id": page},
                "dct:license": {"@id": LICENSE},
                "dcat:distribution": distributions,
            }
        )
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": base + reverse("insights:opendata_dcat"),
        "@type": "dcat:Catalog",
        "dct:title": f"Dados abertos — {name}",
        "dct:description": "Indicadores de atendimento, Carta de Serviços, ouvidoria e LAI da prefeitura.",
        "dct:language": "pt-BR",
        "dct:publisher": publisher,
        "dct:modified": modified,
        "foaf:homepage": {"@id": base + reverse("insights:opendata")},
        "dcat:dataset": datasets,
    }


@require_GET
def catalogue_dcat(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    body = json.dumps(
        dcat_catalogue(base=base, municipality=getattr(request, "tenant", None)), ensure_ascii=False
    )
    response = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response
