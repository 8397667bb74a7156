"""Indicators of permits (read by tenant_apps.insights; docs/architecture.md): daily aggregates of
requests, issued permits (automatically, tacitly), refusals per kind, risk level and licensing
unit, with the days from request to issuance as a histogram (p50/p90 exact to the day), and of
opinions per unit (given, days waited, still waiting at the end of each day). The managers' page
charts "alvaras" and "alvaras-pareceres" read these aggregates only; the open dataset
"alvaras-emitidos" is the public register of issued permits (no personal data of individuals)."""

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
from .enums import IssueMode, PermitStatus, RequesterKind
from .models import OpinionDay, Permit, PermitDay, PermitKind

PERMIT_DAY_SQL = """
INSERT INTO permits_permitday (day, kind_code, risk_level, unit_id, days, requested, issued, auto_issued,
    tacit, refused)
SELECT day, kind_code, risk_level, unit_id, days, sum(requested), sum(issued), sum(auto_issued), sum(tacit),
    sum(refused)
FROM (
    SELECT (r.created_at AT TIME ZONE %(tz)s)::date AS day, s.code AS kind_code, r.risk_level,
        s.unit_id, -1 AS days, 1 AS requested, 0 AS issued, 0 AS auto_issued, 0 AS tacit, 0 AS refused
    FROM permits_permitrequest r
    JOIN permits_permitkind k ON k.id = r.kind_id JOIN catalog_service s ON s.id = k.service_id
    WHERE r.created_at >= %(start)s AND r.created_at < %(end)s
  UNION ALL
    SELECT (p.issued_at AT TIME ZONE %(tz)s)::date, s.code, r.risk_level, s.unit_id,
        floor(extract(epoch FROM p.issued_at - r.created_at) / 86400)::int, 0, 1,
        (p.mode IN ('automatico', 'dispensa'))::int, (p.mode = 'tacito')::int, 0
    FROM permits_permit p JOIN permits_permitrequest r ON r.id = p.request_id
    JOIN permits_permitkind k ON k.id = r.kind_id JOIN catalog_service s ON s.id = k.service_id
    WHERE p.issued_at >= %(start)s AND p.issued_at < %(end)s
  UNION ALL
    SELECT (r.refused_at AT TIME ZONE %(tz)s)::date, s.code, r.risk_level, s.unit_id, -1, 0, 0, 0, 0, 1
    FROM permits_permitrequest r
    JOIN permits_permitkind k ON k.id = r.kind_id JOIN catalog_service s ON s.id = k.service_id
    WHERE r.refused_at >= %(start)s AND r.refused_at < %(end)s
) facts
GROUP BY day, kind_code, risk_level, unit_id, days
"""

# An opinion waits in its unit from when its stage starts until it is given, or until the request
# is decided without it (refused by another unit, tacitly approved): counted at each day's end.
OPINION_DAY_SQL = """
INSERT INTO permits_opinionday (day, unit_id, decided, wait_days_sum, waiting)
SELECT day, unit_id, sum(decided), sum(wait_days), sum(waiting)
FROM (
    SELECT (o.decided_at AT TIME ZONE %(tz)s)::date AS day, o.unit_id, 1 AS decided,
        extract(epoch FROM o.decided_at - o.started_at) / 86400.0 AS wait_days, 0 AS waiting
    FROM permits_opinion o
    WHERE o.decided_at >= %(start)s AND o.decided_at < %(end)s AND o.started_at IS NOT NULL
  UNION ALL
    SELECT d::date, o.unit_id, 0, 0.0, 1
    FROM permits_opinion o
    JOIN permits_permitrequest r ON r.id = o.request_id
    CROSS JOIN LATERAL (
        SELECT least(o.decided_at, r.refused_at, r.decided_at) AS ended_at
    ) e
    CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
    WHERE o.started_at IS NOT NULL AND o.started_at < %(end)s
      AND (e.ended_at IS NULL OR e.ended_at >= %(start)s)
      AND o.started_at < ((d::date + 1)::timestamp AT TIME ZONE %(tz)s)
      AND (e.ended_at IS NULL OR e.ended_at >= ((d::date + 1)::timestamp AT TIME ZONE %(tz)s))
) facts
GROUP BY day, unit_id
"""


def day_aggregates() -> list[DayAggregate]:
    return [
        {"table": "permits_permitday", "sql": PERMIT_DAY_SQL},
        {"table": "permits_opinionday", "sql": OPINION_DAY_SQL},
    ]


# --- the managers' figures (from the aggregates only) ----------------------------------------------------

SEED_BASELINE_DAYS = 60  # "hoje levam em torno de 60 dias" (the seed article)


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
        "kind_code", "risk_level", "days", "requested", "issued", "auto_issued", "tacit", "refused"
    )
    groups: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {
            "requested": 0,
            "issued": 0,
            "auto_issued": 0,
            "tacit": 0,
            "refused": 0,
            "histogram": defaultdict(int),
        }
    )
    for kind_code, level, days, requested, issued, auto_issued, tacit, refused in rows:
        group = groups[(kind_code, level)]
        group["requested"] += requested
        group["issued"] += issued
        group["auto_issued"] += auto_issued
        group["tacit"] += tacit
        group["refused"] += refused
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
            "p50": percentile(group["histogram"], 0.5),
            "p90": percentile(group["histogram"], 0.9),
        }
        for (kind_code, level), group in sorted(
            groups.items(), key=lambda item: (names.get(item[0][0], item[0][0]), item[0][1])
        )
    ]


def kind_figures(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Per kind and risk level of the scope's licensing units: requests, issued (automatically,
    tacitly), refused, the automatic share and the days from request to issuance (p50/p90)."""
    return _kind_rows(_kind_groups(scope, period))


def permit_summary(scope: Scope, period: Period) -> dict[str, Any]:
    """The managers' permits page (/staff/alvaras/indicadores/): the rows of the `alvaras` and
    `alvaras-pareceres` charts, and the totals of the period with p50/p90 over every kind, beside
    the seed's 60 days."""
    groups = _kind_groups(scope, period)
    histogram: dict[int, int] = defaultdict(int)
    for group in groups.values():
        for days, count in group["histogram"].items():
            histogram[days] += count
    issued = sum(group["issued"] for group in groups.values())
    auto_issued = sum(group["auto_issued"] for group in groups.values())
    return {
        "kinds": _kind_rows(groups),
        "units": unit_figures(scope, period),
        "requested": sum(group["requested"] for group in groups.values()),
        "issued": issued,
        "auto_share": _share(auto_issued, issued),
        "tacit": sum(group["tacit"] for group in groups.values()),
        "refused": sum(group["refused"] for group in groups.values()),
        "p50": percentile(histogram, 0.5),
        "p90": percentile(histogram, 0.9),
        "baseline_days": SEED_BASELINE_DAYS,
    }


def unit_figures(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Per unit asked for opinions: opinions waiting at the end of the period's last day, opinions
    given in the period and the mean days they waited — longest waits first."""
    rows = scope.filter(OpinionDay.objects.filter(day__range=(period.first, period.last)))
    given = {
        row["unit__acronym"]: row
        for row in rows.values("unit__acronym").annotate(decided=Sum("decided"), wait=Sum("wait_days_sum"))
    }
    waiting = dict(
        rows.filter(day=period.last, waiting__gt=0).values_list("unit__acronym").annotate(Sum("waiting"))
    )
    result = [
        {
            "unit": acronym,
            "waiting": waiting.get(acronym, 0),
            "decided": (given.get(acronym) or {}).get("decided") or 0,
            "average_days": (
                round(given[acronym]["wait"] / given[acronym]["decided"], 1)
                if given.get(acronym) and given[acronym]["decided"]
                else None
            ),
        }
        for acronym in set(given) | set(waiting)
    ]
    result.sort(key=lambda row: (-(row["average_days"] or 0), -row["waiting"], row["unit"]))
    return [row for row in result if row["waiting"] or row["decided"]]


def _kinds_chart(scope: Scope, period: Period) -> Chart:
    return Chart(
        "alvaras",
        _(
            "Alvarás por tipo e nível de risco: dias do pedido à emissão (antes do Paço, cerca de "
            "%(days)s dias)"
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
            ]
            for row in kind_figures(scope, period)
        ],
        value_columns=(1, 2),
    )


def _opinions_chart(scope: Scope, period: Period) -> Chart:
    return Chart(
        "alvaras-pareceres",
        _("Pareceres de alvarás por unidade: onde os pedidos esperam"),
        [
            _("Unidade"),
            _("Aguardando parecer (fim do período)"),
            _("Pareceres dados"),
            _("Espera média (dias)"),
        ],
        [
            [row["unit"], row["waiting"], row["decided"], row["average_days"]]
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
    the holder's name only for companies (a natural person's name is personal data, LGPD)."""
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
            request.requester_name if request.requester_kind == RequesterKind.COMPANY else "",
        ]


def datasets() -> list[Dataset]:
    return [
        Dataset(
            slug="alvaras-emitidos",
            title="Alvarás emitidos",
            description=(
                "Registro público dos alvarás e licenças emitidos: número, tipo, nível de risco, "
                "atividades (CNAE), bairro, situação atual e datas. O nome do titular aparece só para "
                "empresas; pedidos de pessoas físicas não trazem nenhum dado pessoal (LGPD). As "
                "declarações de dispensa (baixo risco, nível I) não entram."
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
                Field("titular", "string", "Titular (empresa)", "Razão social; vazio para pessoas físicas."),
            ),
            rows=_register_rows,
        )
    ]
