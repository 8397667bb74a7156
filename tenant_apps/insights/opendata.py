"""The city's open datasets (`/dados-abertos/`): each one a data dictionary and rows computed from
the aggregates. No free text and no personal data: only the city's own names (services, units,
its list of bairros) and counts, and counts of people below the city's threshold are published as
"<N" (N = settings' `small_cell_threshold`). Later modules add theirs with `dataset_register`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils.module_loading import module_has_submodule

from tenant_apps.catalog.models import Service
from tenant_apps.ombudsman.enums import ManifestationKind
from tenant_apps.org.models import OrgUnit

from .models import CaseDay, CircularFigure, CloseDuration, NeighbourhoodDay, OmbudsmanDay
from .selectors import insights_settings, percentile


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema: string, integer, number, date
    title: str
    description: str
    counts_people: bool = False  # published as "<N" below the threshold


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    keywords: tuple[str, ...]
    fields: tuple[Field, ...]
    rows: Callable[[int | None], Iterator[list[Any]]]  # raw rows for a year (None: every year)
    periodicity: str = "http://purl.org/cld/freq/daily"
    by_year: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


DATASETS: dict[str, Dataset] = {}


def dataset_register(dataset: Dataset) -> None:
    DATASETS[dataset.slug] = dataset


def _months(queryset: Any, year: int | None) -> Any:
    if year is not None:
        queryset = queryset.filter(day__year=year)
    return queryset.annotate(month=TruncMonth("day"))


def _services() -> dict[int, Service]:
    return Service.objects.select_related("unit").in_bulk()


def _units() -> dict[int, OrgUnit]:
    return OrgUnit.objects.in_bulk()


MONTH = Field("mes", "string", "Mês", "Ano e mês (AAAA-MM), no fuso da cidade.")
SERVICE_CODE = Field(
    "servico_codigo", "string", "Código do serviço", "Identificador do serviço na Carta de Serviços."
)
SERVICE_NAME = Field("servico_nome", "string", "Serviço", "Nome do serviço na Carta de Serviços.")
UNIT = Field("unidade_sigla", "string", "Unidade", "Sigla da unidade do organograma da prefeitura.")


# ------------------------------------------------------------------------- Carta de Serviços


def _charter_rows(year: int | None) -> Iterator[list[Any]]:
    for service in (
        Service.objects.filter(is_active=True, is_public=True).select_related("unit").order_by("name")
    ):
        yield [
            service.code,
            service.name,
            service.group,
            service.unit.acronym,
            service.unit.name,
            service.deadline_days,
            service.get_deadline_kind_display(),
        ]


dataset_register(
    Dataset(
        slug="carta-de-servicos",
        title="Carta de Serviços ao Usuário",
        description=(
            "Os serviços que a prefeitura presta, a unidade responsável e o prazo (Lei 13.460/2017, art. 7º)."
        ),
        keywords=("carta de serviços", "serviços públicos", "prazos"),
        fields=(
            SERVICE_CODE,
            SERVICE_NAME,
            Field("categoria", "string", "Categoria", "Grupo do serviço na Carta."),
            UNIT,
            Field("unidade_nome", "string", "Nome da unidade", "Nome da unidade responsável."),
            Field("prazo_dias", "integer", "Prazo (dias)", "Prazo de atendimento prometido."),
            Field("contagem_prazo", "string", "Contagem do prazo", "Dias úteis ou corridos."),
        ),
        rows=_charter_rows,
        by_year=False,
    )
)


# ------------------------------------------------------------------------ cases per service


def _cases_per_service(year: int | None) -> Iterator[list[Any]]:
    services = _services()
    rows = (
        _months(CaseDay.objects.all(), year)
        .values("month", "service_id")
        .annotate(opened=Sum("opened"), closed=Sum("closed"), in_time=Sum("closed_in_time"))
        .order_by("month", "service_id")
    )
    for row in rows:
        service = services.get(row["service_id"])
        if service is None or not (row["opened"] or row["closed"]):
            continue
        yield [
            f"{row['month']:%Y-%m}",
            service.code,
            service.name,
            service.unit.acronym,
            row["opened"],
            row["closed"],
            row["in_time"],
        ]


dataset_register(
    Dataset(
        slug="protocolos-por-servico",
        title="Protocolos por serviço e mês",
        description="Protocolos abertos, concluídos e concluídos no prazo, por serviço e mês.",
        keywords=("protocolo", "atendimento", "serviços públicos"),
        fields=(
            MONTH,
            SERVICE_CODE,
            SERVICE_NAME,
            UNIT,
            Field("abertos", "integer", "Abertos", "Protocolos abertos no mês.", counts_people=True),
            Field("concluidos", "integer", "Concluídos", "Protocolos concluídos no mês.", counts_people=True),
            Field(
                "concluidos_no_prazo",
                "integer",
                "Concluídos no prazo",
                "Concluídos até o prazo do protocolo.",
                counts_people=True,
            ),
        ),
        rows=_cases_per_service,
    )
)


def _cases_per_neighbourhood(year: int | None) -> Iterator[list[Any]]:
    services = _services()
    rows = (
        _months(NeighbourhoodDay.objects.all(), year)
        .values("month", "neighbourhood", "service_id")
        .annotate(opened=Sum("opened"))
        .order_by("month", "neighbourhood", "service_id")
    )
    for row in rows:
        service = services.get(row["service_id"])
        if service is None:
            continue
        yield [
            f"{row['month']:%Y-%m}",
            row["neighbourhood"] or "Não informado",
            service.code,
            service.name,
            row["opened"],
        ]


dataset_register(
    Dataset(
        slug="protocolos-por-bairro",
        title="Protocolos por bairro, serviço e mês",
        description="Protocolos abertos por bairro (da lista oficial de bairros da cidade), serviço e mês.",
        keywords=("protocolo", "bairros", "território"),
        fields=(
            MONTH,
            Field(
                "bairro", "string", "Bairro", 'Bairro da lista oficial; "Não informado" quando não consta.'
            ),
            SERVICE_CODE,
            SERVICE_NAME,
            Field("abertos", "integer", "Abertos", "Protocolos abertos no mês.", counts_people=True),
        ),
        rows=_cases_per_neighbourhood,
    )
)


def _response_times(year: int | None) -> Iterator[list[Any]]:
    services = _services()
    histograms: dict[tuple[Any, int], dict[int, int]] = {}
    for month, service_id, days, total in (
        _months(CloseDuration.objects.all(), year)
        .values("month", "service_id", "days")
        .annotate(total=Sum("count"))
        .values_list("month", "service_id", "days", "total")
    ):
        histograms.setdefault((month, service_id), {})[days] = total
    means = {
        (row["month"], row["service_id"]): (row["closed"], row["days"])
        for row in _months(CaseDay.objects.all(), year)
        .values("month", "service_id")
        .annotate(closed=Sum("closed"), days=Sum("close_days_sum"))
    }
    threshold = insights_settings().small_cell_threshold
    for (month, service_id), histogram in sorted(
        histograms.items(), key=lambda item: (item[0][0], item[0][1])
    ):
        service = services.get(service_id)
        if service is None:
            continue
        closed, days = means.get((month, service_id), (0, 0.0))
        small = closed < threshold
        yield [
            f"{month:%Y-%m}",
            service.code,
            service.name,
            closed,
            None if small else percentile(histogram, 0.5),
            None if small else percentile(histogram, 0.9),
            None if small or not closed else days / closed,
        ]


dataset_register(
    Dataset(
        slug="tempos-de-resposta",
        title="Tempo de resposta dos protocolos",
        description=(
            "Mediana, percentil 90 e média de dias entre a abertura e a conclusão dos protocolos concluídos "
            "no mês, por serviço (vazio quando há poucos protocolos)."
        ),
        keywords=("protocolo", "tempo de resposta", "prazos"),
        fields=(
            MONTH,
            SERVICE_CODE,
            SERVICE_NAME,
            Field("concluidos", "integer", "Concluídos", "Protocolos concluídos no mês.", counts_people=True),
            Field(
                "mediana_dias",
                "integer",
                "Mediana (dias)",
                "Metade dos protocolos foi concluída em até tantos dias.",
            ),
            Field(
                "p90_dias",
                "integer",
                "Percentil 90 (dias)",
                "90% dos protocolos foram concluídos em até tantos dias.",
            ),
            Field("media_dias", "number", "Média (dias)", "Média de dias até a conclusão."),
        ),
        rows=_response_times,
    )
)


OMBUDSMAN_FIELDS = (
    ("recebidas", "received", "Manifestações ou pedidos recebidos."),
    ("identificadas", "received_identified", "Recebidas com identificação."),
    ("com_sigilo", "received_protected", "Recebidas com identidade preservada."),
    ("anonimas", "received_anonymous", "Recebidas sem identificação."),
    ("respondidas", "answered", "Respondidas (concluídas) no mês."),
    ("respondidas_no_prazo", "answered_in_time", "Respondidas dentro do prazo legal."),
    ("prorrogadas", "extended", "Prazos prorrogados no mês."),
    ("recursos", "appeals", "Recursos apresentados (LAI)."),
    ("recursos_segunda_instancia", "appeals_second", "Recursos em 2ª instância."),
    ("recursos_providos", "appeals_granted", "Recursos providos."),
    ("resolvidas", "resolved", "Consideradas resolvidas por quem se manifestou."),
)


def _ombudsman(year: int | None) -> Iterator[list[Any]]:
    labels = {str(value): str(label) for value, label in ManifestationKind.choices}
    rows = (
        _months(OmbudsmanDay.objects.all(), year)
        .values("month", "kind")
        .annotate(
            **{source: Sum(source) for _name, source, _text in OMBUDSMAN_FIELDS},
            sat_count=Sum("satisfaction_count"),
            sat_sum=Sum("satisfaction_sum"),
        )
        .order_by("month", "kind")
    )
    for row in rows:
        yield [
            f"{row['month']:%Y-%m}",
            labels.get(row["kind"], row["kind"]),
            *[row[source] or 0 for _name, source, _text in OMBUDSMAN_FIELDS],
            row["sat_count"] or 0,
            (row["sat_sum"] / row["sat_count"])
            if row["sat_count"] and row["sat_count"] >= insights_settings().small_cell_threshold
            else None,
        ]


dataset_register(
    Dataset(
        slug="ouvidoria-e-lai",
        title="Ouvidoria e acesso à informação (LAI)",
        description=(
            "Manifestações (Lei 13.460/2017) e pedidos de acesso à informação "
            "(Lei 12.527/2011, art. 30, III) "
            "por tipo e mês: recebidos, respondidos, no prazo, prorrogados, recursos, satisfação."
        ),
        keywords=("ouvidoria", "LAI", "transparência", "acesso à informação"),
        fields=(
            MONTH,
            Field("tipo", "string", "Tipo", "Tipo de manifestação ou pedido de acesso à informação."),
            *[
                Field(name, "integer", name.replace("_", " ").capitalize(), text, counts_people=True)
                for name, _s, text in OMBUDSMAN_FIELDS
            ],
            Field(
                "avaliacoes",
                "integer",
                "Avaliações",
                "Avaliações de satisfação recebidas.",
                counts_people=True,
            ),
            Field(
                "satisfacao_media",
                "number",
                "Satisfação média",
                "De 1 a 5 (vazio quando há poucas avaliações).",
            ),
        ),
        rows=_ombudsman,
    )
)


def _circulars(year: int | None) -> Iterator[list[Any]]:
    units = _units()
    rows = (
        _months(CircularFigure.objects.all(), year)
        .values("month", "unit_id")
        .annotate(
            circulars=Count("id"),
            recipients=Sum("recipients"),
            opened=Sum("opened"),
            acknowledged=Sum("acknowledged"),
            hours=Sum("ack_hours_sum"),
        )
        .order_by("month", "unit_id")
    )
    for row in rows:
        unit = units.get(row["unit_id"])
        if unit is None:
            continue
        recipients = row["recipients"] or 0
        yield [
            f"{row['month']:%Y-%m}",
            unit.acronym,
            row["circulars"],
            recipients,
            row["opened"] or 0,
            row["acknowledged"] or 0,
            (100.0 * (row["opened"] or 0) / recipients) if recipients else None,
            (row["hours"] / row["acknowledged"]) if row["acknowledged"] else None,
        ]


dataset_register(
    Dataset(
        slug="circulares-leitura",
        title="Leitura das circulares internas",
        description=(
            "Circulares enviadas por unidade e mês, quantos servidores as leram e deram ciência, "
            "e em quanto tempo."
        ),
        keywords=("comunicação interna", "circulares", "gestão"),
        fields=(
            MONTH,
            UNIT,
            Field("circulares", "integer", "Circulares", "Circulares enviadas pela unidade no mês."),
            Field(
                "destinatarios", "integer", "Destinatários", "Servidores destinatários.", counts_people=True
            ),
            Field("lidas", "integer", "Lidas", "Destinatários que abriram a circular.", counts_people=True),
            Field(
                "ciencias", "integer", "Ciências", "Destinatários que declararam ciência.", counts_people=True
            ),
            Field("taxa_leitura", "number", "Taxa de leitura (%)", "Lidas sobre destinatários, em %."),
            Field(
                "horas_ate_ciencia",
                "number",
                "Horas até a ciência",
                "Média de horas entre o envio e a ciência.",
            ),
        ),
        rows=_circulars,
    )
)


# ------------------------------------------------------------------------------- publishing


def datasets_all() -> dict[str, Dataset]:
    """This module's datasets and every installed app's `indicators.datasets()` (e.g. issued permits)."""
    found = dict(DATASETS)
    for config in apps.get_app_configs():
        if config.name != "tenant_apps.insights" and module_has_submodule(config.module, "indicators"):
            module = import_module(f"{config.name}.indicators")
            for dataset in getattr(module, "datasets", list)():
                found[dataset.slug] = dataset
    return found


def published_rows(dataset: Dataset, year: int | None) -> Iterator[list[Any]]:
    """The rows as published: counts of people below the threshold become "<N"."""
    threshold = insights_settings().small_cell_threshold
    suppressed = f"<{threshold}"
    people = [index for index, item in enumerate(dataset.fields) if item.counts_people]
    for row in dataset.rows(year):
        for index in people:
            value = row[index]
            if isinstance(value, int) and 0 < value < threshold:
                row[index] = suppressed
        yield row


def table_schema(dataset: Dataset) -> dict[str, Any]:
    """The data dictionary as a Frictionless Table Schema (what the CSV is validated against)."""
    threshold = insights_settings().small_cell_threshold
    fields = []
    for item in dataset.fields:
        entry: dict[str, Any] = {
            "name": item.name,
            "type": item.type,
            "title": item.title,
            "description": item.description,
        }
        if item.type == "number":
            entry["decimalChar"] = ","
        if item.type == "integer" or item.type == "number":
            entry["constraints"] = {"minimum": 0}
        fields.append(entry)
    return {"fields": fields, "missingValues": ["", f"<{threshold}"]}


def year_param(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 2000 <= int(value) <= dt.date.today().year + 1:  # noqa: DTZ011
        raise ValueError(value)
    return int(value)
