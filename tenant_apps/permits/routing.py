"""Routing rules written by the admin (no code): conditions on a request's answers, and the stages of
units that must give an opinion (parallel inside a stage, stages in sequence), each with its deadline
in business days. Rules are checked when saved (a rule that sends nowhere or comes back to a unit is
refused) and evaluated in memory, so routing a request costs no query beyond loading the rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from paco.text import text_fold

from .enums import RiskLevel

# condition fields the admin picks from, with what the value means
CONDITION_FIELDS = {
    "tipo": _("Tipo de alvará (código do serviço)"),
    "risco": _("Nível de risco (I, II ou III)"),
    "area_acima": _("Área acima de (m²)"),
    "bairro": _("Bairro"),
    "grupo_atividade": _("Grupo de atividade (início do CNAE, ex.: 56 ou 4711)"),
}
MAX_STAGES = 10
MAX_DAYS = 180


@dataclass(frozen=True)
class RequestFacts:
    """What a rule may look at (a request before or after it exists: the test mode builds one)."""

    kind_code: str
    risk_level: str
    area_m2: Decimal | None = None
    neighbourhood: str = ""
    activities: Sequence[str] = ()


@dataclass
class Route:
    """Stages of (unit id, business days); the rules that matched."""

    stages: list[list[tuple[int, int]]] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def conditions_clean(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list):
        raise ApplicationError(_("As condições devem ser uma lista."), extra={"field": "conditions"})
    cleaned = []
    for condition in raw:
        if not isinstance(condition, dict) or condition.get("campo") not in CONDITION_FIELDS:
            raise ApplicationError(
                _("Condição inválida: escolha um dos campos %(fields)s.")
                % {"fields": ", ".join(CONDITION_FIELDS)},
                extra={"field": "conditions"},
            )
        value = str(condition.get("valor", "")).strip()
        if not value:
            raise ApplicationError(_("Toda condição precisa de um valor."), extra={"field": "conditions"})
        if condition["campo"] == "risco" and value not in RiskLevel.values:
            raise ApplicationError(_("Nível de risco deve ser I, II ou III."), extra={"field": "conditions"})
        if condition["campo"] == "area_acima":
            try:
                Decimal(value.replace(",", "."))
            except InvalidOperation as error:
                raise ApplicationError(
                    _("Área: informe um número de m²."), extra={"field": "conditions"}
                ) from error
        cleaned.append({"campo": condition["campo"], "valor": value})
    return cleaned


def stages_clean(raw: Any, *, unit_ids: Iterable[int]) -> list[list[dict[str, int]]]:
    """Stages as `[[{"unidade": id, "dias": n}, ...], ...]`; refuses a rule that sends nowhere, a
    unit that does not exist and a unit met twice (the request would come back to it: a loop)."""
    known = set(unit_ids)
    if not isinstance(raw, list) or not raw or not any(isinstance(stage, list) and stage for stage in raw):
        raise ApplicationError(
            _("A regra não encaminha para nenhuma unidade: inclua ao menos uma unidade em uma etapa."),
            extra={"field": "stages"},
        )
    if len(raw) > MAX_STAGES:
        raise ApplicationError(_("No máximo %(n)s etapas.") % {"n": MAX_STAGES}, extra={"field": "stages"})
    seen: set[int] = set()
    cleaned: list[list[dict[str, int]]] = []
    for position, stage in enumerate(raw, start=1):
        if not isinstance(stage, list) or not stage:
            raise ApplicationError(
                _("A etapa %(n)s está vazia: toda etapa encaminha para ao menos uma unidade.")
                % {"n": position},
                extra={"field": "stages"},
            )
        entries = []
        for entry in stage:
            try:
                unit_id = int(entry["unidade"])
                days = int(entry["dias"])
            except (KeyError, TypeError, ValueError) as error:
                raise ApplicationError(
                    _("Etapa %(n)s: cada unidade precisa de um prazo em dias úteis.") % {"n": position},
                    extra={"field": "stages"},
                ) from error
            if unit_id not in known:
                raise ApplicationError(
                    _("Etapa %(n)s: unidade inexistente.") % {"n": position}, extra={"field": "stages"}
                )
            if not 1 <= days <= MAX_DAYS:
                raise ApplicationError(
                    _("Etapa %(n)s: o prazo deve ficar entre 1 e %(max)s dias úteis.")
                    % {"n": position, "max": MAX_DAYS},
                    extra={"field": "stages"},
                )
            if unit_id in seen:
                raise ApplicationError(
                    _(
                        "Etapa %(n)s: a unidade já aparece em outra etapa — o pedido voltaria a ela"
                        " (laço). Cada unidade dá um só parecer por pedido."
                    )
                    % {"n": position},
                    extra={"field": "stages"},
                )
            seen.add(unit_id)
            entries.append({"unidade": unit_id, "dias": days})
        cleaned.append(entries)
    return cleaned


def _matches(conditions: Sequence[dict[str, str]], facts: RequestFacts) -> bool:
    for condition in conditions:
        name, value = condition["campo"], condition["valor"]
        if name == "tipo" and facts.kind_code != value:
            return False
        if name == "risco" and facts.risk_level != value:
            return False
        if name == "area_acima" and (
            facts.area_m2 is None or facts.area_m2 <= Decimal(value.replace(",", "."))
        ):
            return False
        if name == "bairro" and text_fold(facts.neighbourhood).strip() != text_fold(value).strip():
            return False
        if name == "grupo_atividade":
            prefix = "".join(ch for ch in value if ch.isdigit())
            if not any(code.startswith(prefix) for code in facts.activities):
                return False
    return True


def route_compute(*, rules: Sequence[Any], facts: RequestFacts) -> Route:
    """Every matching rule contributes its stages; stage n of each is merged into stage n, and a unit
    already asked in an earlier merged stage is not asked again."""
    route = Route()
    placed: set[int] = set()
    for rule in rules:
        if not _matches(rule.conditions, facts):
            continue
        route.rules.append(rule.name)
        for index, stage in enumerate(rule.stages):
            while len(route.stages) <= index:
                route.stages.append([])
            for entry in stage:
                if entry["unidade"] not in placed:
                    placed.add(entry["unidade"])
                    route.stages[index].append((entry["unidade"], entry["dias"]))
    route.stages = [stage for stage in route.stages if stage]
    return route
