"""The manager page's charts: each one is a table (caption, columns, rows) drawn by Chart.js, shown
beneath it as an accessible table and downloadable as CSV, so the three always hold the same numbers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any, cast

from django.apps import apps
from django.core.cache import cache
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _

from tenant_apps.ombudsman.enums import ManifestationKind

from . import selectors
from .enums import PaperKind
from .models import AggregationRun
from .selectors import Period, Scope

CHART_NAMES = ("serie", "unidades", "servicos", "circulares", "papel", "ouvidoria")


def registered_charts() -> dict[str, Callable[[Scope, Period], Chart]]:
    """Every installed app's `indicators.charts()` (name -> builder over its own aggregates), in
    INSTALLED_APPS order: shown on the manager page after this module's charts, with table and CSV."""
    found: dict[str, Callable[[Scope, Period], Chart]] = {}
    for config in apps.get_app_configs():
        if config.name != "tenant_apps.insights" and module_has_submodule(config.module, "indicators"):
            module = import_module(f"{config.name}.indicators")
            found.update(getattr(module, "charts", dict)())
    return found


def chart_names() -> tuple[str, ...]:
    return CHART_NAMES + tuple(name for name in registered_charts() if name not in CHART_NAMES)


@dataclass
class Chart:
    name: str
    caption: str
    columns: list[str]
    rows: list[list[Any]]
    kind: str = "bar"  # Chart.js type
    label_column: int = 0
    value_columns: tuple[int, ...] = (1,)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "labels": [str(row[self.label_column]) for row in self.rows],
            "datasets": [
                {"label": self.columns[index], "data": [_number(row[index]) for row in self.rows]}
                for index in self.value_columns
            ],
        }


def _number(value: Any) -> float | int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return round(value, 1) if isinstance(value, float) else value
    return float(value)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def chart_build(
    name: str, *, scope: Scope, period: Period, stays: list[selectors.UnitStay] | None = None
) -> Chart:
    if name == "serie":
        points = selectors.series(scope, period)
        return Chart(
            name,
            _("Protocolos abertos e concluídos"),
            [_("Período"), _("Abertos"), _("Concluídos")],
            [[p["label"], p["opened"], p["closed"]] for p in points],
            kind="line",
            value_columns=(1, 2),
        )
    if name == "unidades":
        stays = stays if stays is not None else selectors.unit_stays(scope, period)
        return Chart(
            name,
            _("Tempo médio de permanência em cada unidade (dias)"),
            [_("Unidade"), _("Dias em média"), _("Recebidos"), _("Saídas"), _("Em estoque")],
            [
                [
                    item.unit.acronym,
                    _round(item.mean_hours / 24 if item.mean_hours is not None else None),
                    item.received,
                    item.stays,
                    item.backlog,
                ]
                for item in stays
            ],
        )
    if name == "servicos":
        service_rows = selectors.service_rows(scope, period)
        return Chart(
            name,
            _("Protocolos por serviço"),
            [
                _("Serviço"),
                _("Abertos"),
                _("Concluídos"),
                _("No prazo (%)"),
                _("Mediana (dias)"),
                _("P90 (dias)"),
                _("Satisfação (1 a 5)"),
            ],
            [
                [
                    row.service.name,
                    row.opened,
                    row.closed,
                    _percent(row.in_time_rate),
                    row.median_days,
                    row.p90_days,
                    _round(row.satisfaction_mean),
                ]
                for row in service_rows
            ],
            value_columns=(1, 2),
        )
    if name == "circulares":
        circular_rows = selectors.circular_rows(scope, period)
        return Chart(
            name,
            _("Leitura das circulares por unidade remetente"),
            [
                _("Unidade"),
                _("Lidas (%)"),
                _("Ciência (%)"),
                _("Circulares"),
                _("Destinatários"),
                _("Horas até a ciência (média)"),
            ],
            [
                [
                    row.unit.acronym,
                    _percent(row.read_rate),
                    _percent(row.ack_rate),
                    row.circulars,
                    row.recipients,
                    _round(row.ack_mean_hours),
                ]
                for row in circular_rows
            ],
            value_columns=(1, 2),
        )
    if name == "papel":
        paper = selectors.paper_saved(scope, period)
        cost = selectors.insights_settings().cost_per_page
        return Chart(
            name,
            _("Páginas que deixaram de ser impressas, por mês"),
            [_("Mês"), _("Páginas"), _("Economia (R$)")],
            [
                [row["month"].strftime("%m/%Y"), row["pages"], float(cost * row["pages"])]
                for row in paper.by_month
            ],
        )
    if name == "ouvidoria":
        ombudsman_rows = selectors.ombudsman_rows(scope, period)
        labels = dict(_ombudsman_kinds())
        return Chart(
            name,
            _("Ouvidoria e acesso à informação por tipo"),
            [
                _("Tipo"),
                _("Recebidas"),
                _("Respondidas"),
                _("No prazo (%)"),
                _("Prazo médio (dias)"),
                _("Satisfação (1 a 5)"),
            ],
            [
                [
                    labels.get(row.kind, row.kind),
                    row.received,
                    row.answered,
                    _percent(row.in_time_rate),
                    _round(row.mean_answer_days),
                    _round(row.satisfaction_mean),
                ]
                for row in ombudsman_rows
            ],
            value_columns=(1, 2),
        )
    builder = registered_charts().get(name)
    if builder is not None:
        return builder(scope, period)
    raise KeyError(name)


def _ombudsman_kinds() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in ManifestationKind.choices]


def paper_kind_labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in PaperKind.choices}


DASHBOARD_CACHE_SECONDS = 15 * 60


def dashboard(scope: Scope, period: Period) -> dict[str, Any]:
    """Everything the manager page shows, computed from the aggregates once per aggregation run:
    cached under the last run's time (a new run makes a new key), the scope and the period."""
    run = AggregationRun.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()
    units = "city" if scope.unit_ids is None else ",".join(str(pk) for pk in sorted(scope.unit_ids))
    digest = hashlib.sha256(f"{run}|{units}|{period.first}|{period.last}".encode()).hexdigest()[:32]
    key = f"insights:dashboard:{digest}"
    cached = cache.get(key)
    if cached is not None:
        return cast(dict[str, Any], cached)
    previous = period.previous()
    stays = selectors.unit_stays(scope, period)
    data = {
        "current": selectors.figures(scope, period),
        "before": selectors.figures(scope, previous),
        "bottlenecks": selectors.bottlenecks(stays),
        "charts": [chart_build(name, scope=scope, period=period, stays=stays) for name in chart_names()],
        "paper_period": selectors.paper_saved(scope, period),
        "paper_total": selectors.paper_saved(scope),
    }
    cache.set(key, data, DASHBOARD_CACHE_SECONDS)
    return data
