from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings

from tenants.models import Municipality

from .models import Subscription


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    max_population: int | None
    monthly_fee_cents: int

    @property
    def monthly_fee_display(self) -> str:
        reais, centavos = divmod(self.monthly_fee_cents, 100)
        return f"R$ {reais:,}".replace(",", ".") + f",{centavos:02d}"


def plan_list() -> list[Plan]:
    rows = cast(list[dict[str, Any]], settings.BILLING_PLANS)
    return [Plan(**row) for row in rows]


def plan_get(code: str) -> Plan | None:
    return next((plan for plan in plan_list() if plan.code == code), None)


def plan_for_population(population: int | None) -> Plan:
    """The first tier whose ceiling holds the population (an unknown population: the smallest)."""
    plans = plan_list()
    for plan in plans:
        if population is None or plan.max_population is None or population <= plan.max_population:
            return plan
    return plans[-1]


def plan_price_ids(plan_code: str) -> tuple[list[str], list[str]]:
    """(licensed prices, metered prices) of a plan, from STRIPE_PRICE_IDS."""
    prices = settings.STRIPE_PRICE_IDS
    metered = [
        prices[f"{plan_code}:{item}"]
        for item in settings.BILLING_METERED_ITEMS
        if f"{plan_code}:{item}" in prices
    ]
    return [prices[f"{plan_code}:monthly"]], metered


def subscription_get_for_municipality(*, municipality: Municipality) -> Subscription | None:
    return Subscription.objects.select_related("municipality").filter(municipality=municipality).first()
