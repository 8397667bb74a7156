"""What the admin (and support) see: usage of the current period and the projected bill."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.billing.models import Subscription
from shared_apps.billing.services import subscription_ensure
from shared_apps.metering.enums import BYTES_PER_GB
from shared_apps.metering.selectors import usage_current_period, usage_current_period_many
from shared_apps.metering.services import usage_gauge_set
from tests.conftest import client_for
from tests.metering.conftest import SAO_PAULO, local, record, subscribe

PAGE = "/admin-municipal/assinatura/"


def _lines(period) -> dict[str, tuple[int, int, int, int, int]]:
    return {
        line.metric: (
            line.quantity,
            line.unit_price_cents,
            line.amount_cents,
            line.projected_quantity,
            line.projected_amount_cents,
        )
        for line in period.lines
    }


def test_the_projected_bill_of_a_trial_without_subscription_is_exact_and_not_billed(aracaju, gravatai):
    # given: Aracaju (médio porte: R$ 4.900,00 a month) in trial, on November 11th at midnight, a third
    # of the calendar month gone (10 of 30 days)
    subscription = subscription_ensure(municipality=aracaju, contact_email="admin@aracaju.se.gov.br")
    Subscription.objects.filter(pk=subscription.pk).update(plan_code="medio")
    for n in range(7):
        record(aracaju, "cases", f"case:{n}", local(2 + n))
    record(aracaju, "emails", "notification:1", local(3), quantity=10)
    record(aracaju, "cases", "case:old", local(31, month=10))  # the previous month
    record(aracaju, "cases", "case:later", local(11, 13))  # after "now"
    record(gravatai, "cases", "case:1", local(5))
    usage_gauge_set(
        municipality_id=aracaju.pk, metric="storage_gb", value=BYTES_PER_GB + 1, day=dt.date(2026, 11, 10)
    )

    period = usage_current_period(municipality=aracaju, now=local(11, 0))

    assert (period.start, period.end) == (local(1, 0), local(1, 0, month=12))
    assert period.is_billed is False
    assert period.billing_note == "não cobrado na avaliação"
    assert _lines(period) == {
        "cases": (7, 50, 350, 21, 1050),
        "documents": (0, 10, 0, 0, 0),
        "emails": (10, 1, 10, 30, 30),
        "sms": (0, 12, 0, 0, 0),
        "video_minutes": (0, 15, 0, 0, 0),
        "storage_gb": (2, 150, 300, 2, 300),
    }
    assert [line.label for line in period.lines][:2] == ["Protocolos abertos", "Documentos gerados"]
    assert period.monthly_fee_cents == 490_000
    assert (period.total_cents, period.projected_total_cents) == (490_660, 491_380)
    assert (period.total_display, period.projected_total_display) == ("R$ 4.906,60", "R$ 4.913,80")


def test_a_subscribed_city_uses_its_billing_period(aracaju):
    subscribe(
        aracaju,
        customer="cus_aracaju",
        since=local(1, 0),
        current_period_start=dt.datetime(2026, 11, 15, 3, 0, tzinfo=dt.UTC),
        current_period_end=dt.datetime(2026, 12, 15, 3, 0, tzinfo=dt.UTC),
        plan_code="pequeno",
    )
    record(aracaju, "sms", "notification:1", local(14, 23))  # the previous period
    record(aracaju, "sms", "notification:2", local(16, 9), quantity=3)

    # 7.5 of 30 days gone: a quarter
    period = usage_current_period(municipality=aracaju, now=dt.datetime(2026, 11, 22, 15, 0, tzinfo=dt.UTC))

    assert period.start.astimezone(SAO_PAULO) == local(15, 0)
    assert period.is_billed is True
    assert _lines(period)["sms"] == (3, 12, 36, 12, 144)
    assert (period.total_cents, period.projected_total_cents) == (190_036, 190_144)


def test_the_subscription_page_shows_this_citys_usage_and_never_another_citys(aracaju, gravatai):
    now = dt.datetime.now(tz=SAO_PAULO)
    for n in range(3):
        record(aracaju, "cases", f"case:{n}", now - dt.timedelta(seconds=1))
    record(gravatai, "cases", "case:1", now - dt.timedelta(seconds=1), quantity=987_654)

    page = client_for("admin", aracaju).get(PAGE, HTTP_HOST="aracaju.localhost")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Uso no período atual" in html
    row = (
        '<tr data-metric="cases">\n    <td>Protocolos abertos</td><td>3</td><td>R$ 0,50</td>\n'
        "    <td>R$ 1,50</td>"
    )
    assert row in html
    assert "Uso não cobrado na avaliação." in html
    assert "987654" not in html
    assert "987.654" not in html


def test_the_usage_of_many_cities_takes_three_queries_and_matches_each_citys(aracaju, gravatai):
    subscribe(gravatai, customer="cus_gravatai", since=local(1, 0))
    record(aracaju, "cases", "case:1", local(5))
    record(gravatai, "sms", "notification:1", local(6), quantity=4)
    usage_gauge_set(municipality_id=gravatai.pk, metric="storage_gb", value=5, day=dt.date(2026, 11, 7))
    now = local(11, 0)

    with CaptureQueriesContext(connection) as queries:
        many = usage_current_period_many(municipalities=[aracaju, gravatai], now=now)

    assert len(queries.captured_queries) == 3
    assert many == {
        aracaju.pk: usage_current_period(municipality=aracaju, now=now),
        gravatai.pk: usage_current_period(municipality=gravatai, now=now),
    }
    assert [(line.metric, line.quantity) for line in many[gravatai.pk].lines if line.quantity] == [
        ("sms", 4),
        ("storage_gb", 1),
    ]
    assert (many[aracaju.pk].is_billed, many[gravatai.pk].is_billed) == (False, True)
