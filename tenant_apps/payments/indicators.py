"""Indicators of payments (read by tenant_apps.insights, docs/architecture.md): guides paid and
the amount collected per local day and purpose, net of refunds (`CollectionDay`), and the open dataset of the
amount collected per month. Amounts are the city's revenue: public, with no personal data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from tenant_apps.insights.aggregation import DayAggregate
from tenant_apps.insights.opendata import Dataset, Field

from . import purposes
from .models import CollectionDay

# Net of refunds: a devolução done (status "devolvida") is taken off the day it settled, under its
# guide's purpose (the money left the city's account that day); a day with only refunds is negative.
COLLECTION_DAY_SQL = """
INSERT INTO payments_collectionday (day, purpose, paid, amount)
SELECT day, purpose, sum(paid), sum(amount)
FROM (
    SELECT (g.paid_at AT TIME ZONE %(tz)s)::date AS day, g.purpose, 1 AS paid,
        coalesce(g.paid_amount, g.amount) AS amount
    FROM payments_paymentguide g
    WHERE g.status = 'paga' AND g.paid_at >= %(start)s AND g.paid_at < %(end)s
  UNION ALL
    SELECT (r.settled_at AT TIME ZONE %(tz)s)::date, g.purpose, 0, -r.amount
    FROM payments_refund r JOIN payments_paymentguide g ON g.id = r.guide_id
    WHERE r.status = 'devolvida' AND r.settled_at >= %(start)s AND r.settled_at < %(end)s
) facts
GROUP BY day, purpose
"""


def day_aggregates() -> list[DayAggregate]:
    return [{"table": "payments_collectionday", "sql": COLLECTION_DAY_SQL}]


def collected_by_month(*, year: int | None = None) -> list[dict[str, Any]]:
    """[{"month": date, "purpose": str, "paid": int, "amount": Decimal}] from the daily aggregate."""
    days = CollectionDay.objects.all()
    if year is not None:
        days = days.filter(day__year=year)
    rows = (
        days.annotate(month=TruncMonth("day"))
        .values("month", "purpose")
        .annotate(paid=Sum("paid"), amount=Sum("amount"))
        .order_by("month", "purpose")
    )
    return [dict(row) for row in rows]


def _collection_rows(year: int | None) -> Iterator[list[Any]]:
    for row in collected_by_month(year=year):
        amount = float(round(row["amount"], 2))  # a JSON number in the .json download
        yield [f"{row['month']:%Y-%m}", purposes.label_for(row["purpose"]), row["paid"], amount]


def datasets() -> list[Dataset]:
    return [
        Dataset(
            slug="arrecadacao-pix",
            title="Taxas arrecadadas por Pix",
            description=(
                "Guias de pagamento (DAM) pagas por Pix e valor arrecadado, por mês e finalidade. "
                "O dinheiro vai direto para a conta da prefeitura; as devoluções (estornos de Pix) são "
                "descontadas no mês em que foram feitas."
            ),
            keywords=("arrecadação", "taxas", "Pix", "DAM"),
            fields=(
                Field("mes", "string", "Mês", "Ano e mês (AAAA-MM) do pagamento, no fuso da cidade."),
                Field("finalidade", "string", "Finalidade", "O que a taxa paga (alvará, expediente...)."),
                Field("guias_pagas", "integer", "Guias pagas", "Guias pagas no mês."),
                Field(
                    "valor_arrecadado",
                    "number",
                    "Valor arrecadado (R$)",
                    "Soma dos valores pagos menos as devoluções feitas no mês, em reais.",
                ),
            ),
            rows=_collection_rows,
        )
    ]
