"""Metering fixtures: the Stripe stub of tests/billing, and subscribed municipalities."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from paco.usage import usage_record
from shared_apps.billing.models import Subscription
from shared_apps.billing.services import subscription_ensure
from shared_apps.metering.models import UsageDaily, UsageEvent, UsageReport
from tenants.models import Municipality
from tests.billing.conftest import _stripe_server, stripe_server  # noqa: F401

SAO_PAULO = zoneinfo.ZoneInfo("America/Sao_Paulo")
METER_EVENTS = "/v1/billing/meter_events"


def local(day: int, hour: int = 12, minute: int = 0, *, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SAO_PAULO)


def end_of_day(day: int, *, month: int = 11) -> int:
    return int(dt.datetime(2026, month, day, 23, 59, 59, tzinfo=SAO_PAULO).timestamp())


def subscribe(
    municipality: Municipality, *, customer: str, since: dt.datetime, **fields: Any
) -> Subscription:
    """A subscription with a Stripe customer, metered from `since`."""
    subscription = subscription_ensure(
        municipality=municipality, contact_email=f"admin@{municipality.slug}.gov.br"
    )
    Subscription.objects.filter(pk=subscription.pk).update(
        stripe_customer_id=customer, metering_since=since, **fields
    )
    subscription.refresh_from_db()
    return subscription


def record(municipality: Municipality, metric: str, key: str, when: dt.datetime, quantity: int = 1) -> None:
    with tenant_context(municipality):
        usage_record(metric=metric, key=key, quantity=quantity, occurred_at=when)


def meter_requests(stub: Any) -> list[Any]:
    return [request for request in stub.requests if request.path == METER_EVENTS]


@pytest.fixture(autouse=True)
def _no_usage_committed_elsewhere(request: pytest.FixtureRequest) -> None:
    """Tests that commit (tests/cases/test_nup_concurrency.py opens cases outside a transaction)
    leave usage events behind: every metering test starts from none (deleted in its transaction)."""
    if "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    for model in (UsageReport, UsageDaily, UsageEvent):
        model.objects.all().delete()


@pytest.fixture
def aracaju_subscribed(aracaju: Municipality) -> Subscription:
    return subscribe(aracaju, customer="cus_aracaju", since=local(1, 0))


@pytest.fixture
def gravatai_subscribed(gravatai: Municipality) -> Subscription:
    return subscribe(gravatai, customer="cus_gravatai", since=local(1, 0))
