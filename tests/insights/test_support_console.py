"""The control plane's support console shows each city's paper saved and median days to close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.catalog.models import Service
from tenant_apps.insights.models import CloseDuration, InsightsSettings, PaperDay
from tenant_apps.insights.selectors import city_figures_by_schema, population_tier, tier_comparison

from .conftest import unit


def test_the_console_shows_each_citys_paper_and_median(aracaju, gravatai, login_as):
    # given: Aracaju saved 1,000 pages at R$ 0,40 and closed cases in 2, 3 and 9 days this month
    with tenant_context(aracaju):
        InsightsSettings.objects.create(cost_per_page=Decimal("0.40"))
        day = timezone.localdate() - dt.timedelta(days=3)
        PaperDay.objects.create(day=day, unit=unit("SEPLOG"), kind="memorando", items=100, pages=1000)
        service = Service.objects.get(code="poda-de-arvore")
        for days, count in ((2, 1), (3, 1), (9, 1)):
            CloseDuration.objects.create(
                day=day, unit=unit("EMSURB"), service=service, days=days, count=count
            )

    # when
    figures = city_figures_by_schema(schemas=["aracaju", "gravatai", "nao existe; drop"])

    # then
    assert figures["aracaju"] == {
        "paper_pages": 1000,
        "paper_cost": Decimal("400.00"),
        "median_days": 3,
        "shares_comparison": False,
    }
    assert figures["gravatai"] == {
        "paper_pages": 0,
        "paper_cost": Decimal("0.00"),
        "median_days": None,
        "shares_comparison": False,
    }
    body = login_as("support", None).get("/suporte/").content.decode()
    row = body[body.index('data-municipality="aracaju"') :]
    assert '<td data-col="paper">400,00</td>' in row[: row.index("</tr>")]
    assert '<td data-col="median_days">3</td>' in row[: row.index("</tr>")]


def test_the_comparison_needs_consent_and_enough_cities_of_the_same_tier(in_aracaju):
    assert [population_tier(n) for n in (5_000, 20_001, 265_070, 602_757)] == [0, 1, 2, 3]
    assert tier_comparison(municipality=in_aracaju) is None  # no consent
    InsightsSettings.objects.create(shares_comparison=True)
    assert tier_comparison(municipality=in_aracaju) is None  # no other consenting city of its size
