"""Indicators of permits (read by tenant_apps.insights; docs/architecture.md): daily aggregates of
requests, issued permits (automatically, tacitly), refusals and level I exemption declarations
(apart: not permits) per kind, risk level and licensing unit, with the days from request to
issuance as a histogram (p50/p90 exact to the day), and of where requests wait: opinions per unit,
issuance after favourable opinions, pendências with the requester (ended, days waited, still
waiting at the end of each day). The managers' page charts "alvaras" and "alvaras-pareceres" read
these aggregates only; the open dataset "alvaras-emitidos" is the public register of issued
permits (no personal data of individuals, MEI included)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.insights.aggregation import DayAggregate
from tenant_apps.insights.charts import Chart
from tenant_apps.insights.opendata import Dataset, Field
from tenant_apps.insights.selectors import Period, Scope

from .cnae import cnae_get
from .enums import IssueMode, PermitStatus
from .models import OpinionDay, Permit, PermitDay, PermitKind
from .selectors import register_holder

PERMIT_DAY_SQL = """
INSERT INTO permits_permitday (day, kind_code, risk_level, unit_id, days, requested, issued, auto_issued,
    tacit, refused, exempted)
SELECT day, kind_code, risk_level, unit_id, days, sum(requested), sum(issued), sum(auto_issued), sum(tacit),
    sum(refused), sum(exempted)
FROM (
    SELECT (r.created_at AT TIME ZONE %(tz)s)::date AS day, s.code AS kind_code, r.risk_level,
        s.unit_id, -1 AS days, 1 AS requested, 0 AS issued, 0 AS auto_issued, 0 AS tacit, 0 AS refused,
        0 AS exempted
    FROM permits_permitrequest r
    JOIN permits_permitkind k ON k.id = r.kind_id JOIN catalog_service s ON s.id = k.service_id
    WHERE r.created_at >= %(start)s AND r.created_at < %(end)s
  UNION ALL
    SELECT (p.issued_at AT TIME ZONE %(tz)s)::date, s.code, r.risk_level, s.unit_id,
        CASE WHEN p.mode = 'dispensa' THEN -1
            ELSE floor(extract(epoch FROM p.issued_at - r.created_at) / 86400)::int END,
        0, (p.mode <> 'dispensa')::int, (p.mode = 'automatico')::int, (p.mode = 'tacito')::int, 0,
        (p.mode = 'dispensa')::int
    FROM permits_permit p JOIN permits_permitrequest r ON r.id = p.request_id
    JOIN permits_permitkind k ON k.id = r.kind_id JOIN catalog_service s ON s.id = k.service_id
    WHERE p.issued_at >= %(start)s AND p.issued_at < %(end)s
  UNION ALL
    SELECT (r.refused_at AT TIME ZONE %(tz)s)::date, s.code, r.risk_level, s.unit_id, -1, 0, 0, 0, 0, 1, 0
    FROM permits_permitrequest r
    JOIN permits_permitkind k ON k.id = r.kind_id JOIN catalog_service s ON s.id = k.service_id
    WHERE r.refused_at >= %(start)s AND r.refused_at < %(end)s
) facts
GROUP BY day, kind_code, risk_level, unit_id, days
"""

# Where requests wait, as stays [started_at, ended_at) of a step in a unit:
# - "parecer": an opinion waits in its unit from when its stage starts until it is given, or until
#   the request is decided without it (refused by another unit, tacitly approved);
# - "emissao": a request whose opinions were all favourable waits in the licensing unit from the
#   last one until it is issued (or otherwise decided);
# - "pendente": a request sent back to the requester waits from the pre-analysis that found the
#   problems (`pre_analysis_at`). Only the current stays are known (the request keeps no history
#   of its past ones), so each day counts the requests pendentes when the job ran.
# Each stay counts as ended on the day it ended (with the days it lasted), and as waiting at the end
# of every day it covers (with the days waited by then).
OPINION_DAY_SQL = """
INSERT INTO permits_opinionday (day, unit_id, step, decided, wait_days_sum, waiting, waiting_days_sum)
WITH stays AS (
    SELECT o.unit_id, 'parecer' AS step, o.started_at,
        CASE WHEN o.decided_at IS NOT NULL THEN o.decided_at
            ELSE least(r.refused_at, r.decided_at) END AS ended_at,
        o.decided_at IS NOT NULL AS counts_ended
    FROM permits_opinion o
    JOIN permits_permitrequest r ON r.id = o.request_id
    WHERE o.started_at IS NOT NULL
  UNION ALL
    SELECT s.unit_id, 'emissao', ready.started_at, least(p.issued_at, r.refused_at, r.decided_at), true
    FROM (
        SELECT o.request_id, max(o.decided_at) AS started_at FROM permits_opinion o
        GROUP BY o.request_id HAVING bool_and(o.status = 'favoravel')
    ) ready
    JOIN permits_permitrequest r ON r.id = ready.request_id
    JOIN permits_permitkind k ON k.id = r.kind_id JOIN catalog_service s ON s.id = k.service_id
    LEFT JOIN permits_permit p ON p.request_id = r.id
  UNION ALL
    SELECT s.unit_id, 'pendente', r.pre_analysis_at, NULL, false
    FROM permits_permitrequest r
    JOIN permits_permitkind k ON k.id = r.kind_id JOIN catalog_service s ON s.id = k.service_id
    WHERE r.status = 'pendente' AND r.pre_analysis_at IS NOT NULL
)
SELECT day, unit_id, step, sum(decided), sum(wait_days), sum(waiting), sum(waiting_days)
FROM (
    SELECT (ended_at AT TIME ZONE %(tz)s)::date AS day, unit_id, step, 1 AS decided,
        extract(epoch FROM ended_at - started_at) / 86400.0 AS wait_days, 0 AS waiting,
        0.0 AS waiting_days
    FROM stays
    WHERE counts_ended AND ended_at >= %(start)s AND ended_at < %(end)s
  UNION ALL
    SELECT d::date, unit_id, step, 0, 0.0, 1,
        extract(epoch FROM ((d::date + 1)::timestamp AT TIME ZONE %(tz)s) - started_at) / 86400.0
    FROM stays
    CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
    WHERE started_at < %(end)s AND (ended_at IS NULL OR ended_at >= %(start)s)
      AND started_at < ((d::date + 1)::timestamp AT TIME ZONE %(tz)s)
      AND (ended_at IS NULL OR ended_at >= ((d::date + 1)::timestamp AT TIME ZONE %(tz)s))
) facts
GROUP BY day, unit_id, step
"""


def day_aggregates() -> list[DayAggregate]:
    return [
        {"table": "permits_permitday", "sql": PERMIT_DAY_SQL},
        {"table": "permits_opinionday", "sql": OPINION_DAY_SQL},
    ]


# --- the managers' figures (from the aggregates only) ----------------------------------------------------

SEED_BASELINE_DAYS = 60  # "hoje levam em torno de 60 dias" (the seed article)

# where requests wait, besides the units' opinions (`OpinionDay.step`)
STEP_OPINION = "parecer"
STEP_ISSUANCE = "emissao"
STEP_REQUESTER = "pendente"


def percentile(histogram: dict[int, int], fraction: float) -> int | None:
    """The `fraction` percentile (nearest rank) of whole days given as {days: how many}."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, -(-int(total * fraction * 1000) // 1000))  # ceil(total * fraction)
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return days
    return max(histogram)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _kind_groups(scope: Scope, period: Period) -> dict[tuple[str, str], dict[str, Any]]:
    rows = scope.filter(PermitDay.objects.filter(day__range=(period.first, period.last))).values_list(
        "kind_code",
        "risk_level",
        "days",
        "requested",
        "issued",
        "auto_issued",
        "tacit",
        "refused",
        "exempted",
    )
    groups: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {
            "requested": 0,
            "issued": 0,
            "auto_issued": 0,
            "tacit": 0,
            "refused": 0,
            "exempted": 0,
            "histogram": defaultdict(int),
        }
    )
    for kind_code, level, days, requested, issued, auto_issued, tacit, refused, exempted in rows:
        group = groups[(kind_code, level)]
        group["requested"] += requested
        group["issued"] += issued
        group["auto_issued"] += auto_issued
        group["tacit"] += tacit
        group["refused"] += refused
        group["exempted"] += exempted
        if days >= 0 and issued:
            group["histogram"][days] += issued
    return groups


def _kind_rows(groups: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    names = dict(PermitKind.objects.values_list("service__code", "service__name"))
    return [
        {
            "kind_code": kind_code,
            "kind": names.get(kind_code, kind_code),
            "risk_level": level,
            "requested": group["requested"],
            "issued": group["issued"],
            "auto_issued": group["auto_issued"],
            "auto_share": _share(group["auto_issued"], group["issued"]),
            "tacit": group["tacit"],
            "refused": group["refused"],
            "exempted": group["exempted"],
            "p50": percentile(group["histogram"], 0.5),
            "p90": percentile(group["histogram"], 0.9),
        }
        for (kind_code, level), group in sorted(
            groups.items(), key=lambda item: (names.get(item[0][0], item[0][0]), item[0][1])
        )
    ]


def kind_figures(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Per kind and risk level of the scope's licensing units: requests, permits issued
    (automatically, tacitly), refused, the automatic share, the days from request to issuance
    (p50/p90) and, apart, the level I exemption declarations (not permits: not in the issued
    counts nor in the days)."""
    return _kind_rows(_kind_groups(scope, period))


def permit_summary(scope: Scope, period: Period) -> dict[str, Any]:
    """The managers' permits page (/staff/alvaras/indicadores/): the rows of the `alvaras` and
    `alvaras-pareceres` charts; the headline p50/p90 per kind and risk level (`headline`), and the
    period's totals with p50/p90 over the permits of every kind (exemption declarations counted
    apart, never in the days), beside the seed's 60 days."""
    groups = _kind_groups(scope, period)
    histogram: dict[int, int] = defaultdict(int)
    for group in groups.values():
        for days, count in group["histogram"].items():
            histogram[days] += count
    issued = sum(group["issued"] for group in groups.values())
    auto_issued = sum(group["auto_issued"] for group in groups.values())
    kinds = _kind_rows(groups)
    return {
        "kinds": kinds,
        "headline": [row for row in kinds if row["p50"] is not None],
        "units": unit_figures(scope, period),
        "requested": sum(group["requested"] for group in groups.values()),
        "issued": issued,
        "auto_share": _share(auto_issued, issued),
        "tacit": sum(group["tacit"] for group in groups.values()),
        "refused": sum(group["refused"] for group in groups.values()),
        "exempted": sum(group["exempted"] for group in groups.values()),
        "p50": percentile(histogram, 0.5),
        "p90": percentile(histogram, 0.9),
        "baseline_days": SEED_BASELINE_DAYS,
    }


def _step_label(step: str, acronym: str) -> str:
    if step == STEP_ISSUANCE:
        return _("%(unit)s: aguardando a emissão (pareceres favoráveis)") % {"unit": acronym}
    if step == STEP_REQUESTER:
        return _("%(unit)s: pendências com o requerente") % {"unit": acronym}
    return acronym


def unit_figures(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Where requests wait, one row per step: each unit's opinions, and per licensing unit the
    requests waiting for issuance (every opinion favourable) and those waiting for the requester
    (pendente) — waiting at the end of the period's last day and the mean days they have waited,
    the waits that ended in the period (opinions given, permits issued) and their mean days;
    longest waits first."""
    rows = scope.filter(OpinionDay.objects.filter(day__range=(period.first, period.last)))
    given = {
        (row["step"], row["unit__acronym"]): row
        for row in rows.values("step", "unit__acronym").annotate(
            decided=Sum("decided"), wait=Sum("wait_days_sum")
        )
    }
    waiting = {
        (row["step"], row["unit__acronym"]): row
        for row in rows.filter(day=period.last, waiting__gt=0)
        .values("step", "unit__acronym")
        .annotate(count=Sum("waiting"), days=Sum("waiting_days_sum"))
    }
    result = []
    for step, acronym in set(given) | set(waiting):
        ended = given.get((step, acronym)) or {}
        still = waiting.get((step, acronym)) or {}
        decided = ended.get("decided") or 0
        count = still.get("count") or 0
        result.append(
            {
                "unit": _step_label(step, acronym),
                "acronym": acronym,
                "step": step,
                "waiting": count,
                "waiting_days": round(still["days"] / count, 1) if count else None,
                "decided": decided,
                "average_days": round(ended["wait"] / decided, 1) if decided else None,
            }
        )
    result.sort(
        key=lambda row: (
            -max(row["average_days"] or 0, row["waiting_days"] or 0),
            -row["waiting"],
            row["unit"],
        )
    )
    return [row for row in result if row["waiting"] or row["decided"]]


def _kinds_chart(scope: Scope, period: Period) -> Chart:
    return Chart(
        "alvaras",
        _(
            "Alvarás por tipo e nível de risco: dias do pedido à emissão (antes do Paço, cerca de "
            "%(days)s dias); as declarações de dispensa (nível I) à parte"
        )
        % {"days": SEED_BASELINE_DAYS},
        [
            _("Tipo e nível de risco"),
            _("Pedidos"),
            _("Emitidos"),
            _("Emitidos automaticamente (%)"),
            _("Aprovações tácitas"),
            _("Indeferidos"),
            _("Mediana (dias)"),
            _("P90 (dias)"),
            _("Declarações de dispensa (nível I)"),
        ],
        [
            [
                _("%(kind)s — nível %(level)s") % {"kind": row["kind"], "level": row["risk_level"]},
                row["requested"],
                row["issued"],
                row["auto_share"],
                row["tacit"],
                row["refused"],
                row["p50"],
                row["p90"],
                row["exempted"],
            ]
            for row in kind_figures(scope, period)
        ],
        value_columns=(1, 2, 8),
    )


def _opinions_chart(scope: Scope, period: Period) -> Chart:
    return Chart(
        "alvaras-pareceres",
        _(
            "Onde os pedidos de alvará esperam: pareceres por unidade, emissão após os pareceres e "
            "pendências com o requerente"
        ),
        [
            _("Etapa"),
            _("Aguardando (fim do período)"),
            _("Concluídos no período"),
            _("Espera média dos concluídos (dias)"),
            _("Espera média de quem aguarda (dias)"),
        ],
        [
            [row["unit"], row["waiting"], row["decided"], row["average_days"], row["waiting_days"]]
            for row in unit_figures(scope, period)
        ],
        value_columns=(1, 2),
    )


def charts() -> dict[str, Callable[[Scope, Period], Chart]]:
    return {"alvaras": _kinds_chart, "alvaras-pareceres": _opinions_chart}


# --- open data: the register of issued permits ------------------------------------------------------------


def _status(permit: Permit, today: Any) -> str:
    status = permit.status
    if status == PermitStatus.VALID and permit.valid_until and permit.valid_until < today:
        status = PermitStatus.EXPIRED
    return str(PermitStatus(status).label)


def _register_rows(year: int | None) -> Iterator[list[Any]]:
    """One row per issued permit (not the level I exemption declarations, as the public register):
    the holder's name only for companies other than MEI (a natural person's name, and a MEI's, which
    is its owner's, are personal data, LGPD: `selectors.register_holder`, as on /alvaras/)."""
    permits = (
        Permit.objects.exclude(mode=IssueMode.EXEMPTION)
        .select_related("request__kind__service")
        .order_by("issued_at", "id")
    )
    if year is not None:
        permits = permits.filter(issued_at__year=year)
    today = timezone.localdate()
    for permit in permits.iterator(chunk_size=500):
        request = permit.request
        activities = [cnae_get(code) for code in request.activities]
        yield [
            permit.number,
            request.kind.service.code,
            request.kind.service.name,
            request.risk_level,
            "; ".join(item.formatted for item in activities if item),
            request.neighbourhood,
            _status(permit, today),
            str(IssueMode(permit.mode).label),
            timezone.localtime(permit.issued_at).date().isoformat(),
            permit.valid_until.isoformat() if permit.valid_until else "",
            register_holder(request=request),
        ]


def datasets() -> list[Dataset]:
    return [
        Dataset(
            slug="alvaras-emitidos",
            title="Alvarás emitidos",
            description=(
                "Registro público dos alvarás e licenças emitidos: número, tipo, nível de risco, "
                "atividades (CNAE), bairro, situação atual e datas. O nome do titular aparece só para "
                "empresas, exceto MEI (cuja razão social é o nome do titular); pedidos de pessoas "
                "físicas e de MEI não trazem nenhum dado pessoal (LGPD). As declarações de dispensa "
                "(baixo risco, nível I) não entram."
            ),
            keywords=("alvarás", "licenças", "licenciamento", "CNAE", "Lei 13.874/2019"),
            fields=(
                Field("numero", "string", "Número", "Número do alvará."),
                Field(
                    "tipo_codigo", "string", "Código do tipo", "Identificador do tipo na Carta de Serviços."
                ),
                Field(
                    "tipo", "string", "Tipo", "Alvará de funcionamento, de construção, licença sanitária..."
                ),
                Field(
                    "nivel_risco",
                    "string",
                    "Nível de risco",
                    "I, II ou III (Decreto 10.178/2019, art. 3º), o mais alto das atividades.",
                ),
                Field(
                    "atividades_cnae", "string", "Atividades (CNAE)", "Subclasses CNAE, separadas por ';'."
                ),
                Field("bairro", "string", "Bairro", "Bairro informado no pedido."),
                Field("situacao", "string", "Situação", "Vigente, suspenso, cassado ou vencido, hoje."),
                Field(
                    "emissao", "string", "Forma de emissão", "Após análise, automática ou aprovação tácita."
                ),
                Field("emitido_em", "date", "Emitido em", "Data de emissão, no fuso da cidade."),
                Field("valido_ate", "date", "Válido até", "Fim da validade (vazio: sem prazo)."),
                Field(
                    "titular",
                    "string",
                    "Titular (empresa)",
                    "Razão social; vazio para pessoas físicas e MEI.",
                ),
            ),
            rows=_register_rows,
        )
    ]
