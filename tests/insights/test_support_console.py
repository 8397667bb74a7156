"""The control plane's support console shows each city's paper saved and median days to close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from tenant_apps.catalog.models import Service
from tenant_apps.insights.models import CloseDuration, InsightsSettings, PaperDay
from tenant_apps.insights.selectors import city_figures_by_schema, population_tier, tier_comparison
from tenant_apps.org.models import OrgUnit

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


def _other_city(slug: str, *, population: int, shares: bool, median_days: int, pages: int) -> None:
    """A city of the control plane with just the insights tables the comparison reads (its schema
    made by hand inside the test's transaction, rolled back with it)."""
    from django.db import connection

    from tenants.models import Municipality

    with schema_context("public"):
        Municipality.objects.create(
            schema_name=slug,
            ibge_code=str(9_900_000 + population // 1000),
            name=f"Cidade {slug}",
            display_name=f"Prefeitura de {slug}",
            slug=slug.replace("_", "-"),
            state="SE",
            population=population,
            primary_color="#123456",
            secondary_color="#654321",
        )
    day = timezone.localdate() - dt.timedelta(days=2)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{slug}"')
        for table in ("insights_paperday", "insights_insightssettings", "insights_closeduration"):
            cursor.execute(
                f'CREATE TABLE "{slug}".{table} (LIKE aracaju.{table} INCLUDING DEFAULTS INCLUDING IDENTITY)'
            )  # noqa: S608
        cursor.execute(
            f'INSERT INTO "{slug}".insights_insightssettings SELECT * FROM aracaju.insights_insightssettings'  # noqa: S608
        )
        cursor.execute(f'UPDATE "{slug}".insights_insightssettings SET shares_comparison = %s', [shares])  # noqa: S608
        cursor.execute(
            f'INSERT INTO "{slug}".insights_paperday (day, unit_id, kind, items, pages)'  # noqa: S608
            " VALUES (%s, NULL, 'notificacao', 1, %s)",
            [day, pages],
        )
        cursor.execute(
            f'INSERT INTO "{slug}".insights_closeduration (day, unit_id, service_id, days, count)'  # noqa: S608
            " VALUES (%s, 1, 1, %s, 5)",
            [day, median_days],
        )


def test_the_comparison_with_consent_shows_the_anonymised_median_of_same_tier_cities(
    aracaju, gravatai, login_as
):
    # given: Aracaju (602.757 inhabitants) consents; three consenting cities of its tier, one of its
    # tier that does not consent and Gravataí (a smaller tier) consenting with extreme figures
    with tenant_context(aracaju):
        InsightsSettings.objects.create(shares_comparison=True)
        for slug, population, shares, days, pages in (
            ("cmp_norte", 700_000, True, 4, 100),
            ("cmp_sul", 800_000, True, 10, 300),
            ("cmp_leste", 550_000, True, 20, 200),
            ("cmp_oeste", 900_000, False, 90, 9_000),
        ):
            _other_city(slug, population=population, shares=shares, median_days=days, pages=pages)
    with tenant_context(gravatai):
        InsightsSettings.objects.create(shares_comparison=True)
        CloseDuration.objects.create(
            day=timezone.localdate(),
            unit=OrgUnit.objects.first(),
            service=Service.objects.first(),
            days=200,
            count=50,
        )

    # when / then: the median of the three consenting same-tier cities, without their names
    with tenant_context(aracaju):
        comparison = tier_comparison(municipality=aracaju)
    assert comparison is not None
    assert (comparison.cities, comparison.median_days, comparison.paper_pages_median) == (3, 10, 200)

    body = login_as("admin", aracaju).get("/staff/indicadores/").content.decode()
    assert "Cidades do mesmo porte que também compartilham seus números (3, anônimas)" in body
    assert "mediana de 10 dias" in body
    for name in ("cmp_norte", "cmp-norte", "cmp_sul", "cmp_leste", "cmp_oeste", "Gravataí"):
        assert name not in body

    # a consent withdrawn: nothing shown
    with tenant_context(aracaju):
        InsightsSettings.objects.update(shares_comparison=False)
        assert tier_comparison(municipality=aracaju) is None
