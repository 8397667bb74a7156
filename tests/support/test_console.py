import contextlib
import datetime as dt
import re

import dramatiq
from django.core.signals import got_request_exception
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from dramatiq.broker import MessageProxy

from shared_apps.billing.models import Subscription
from shared_apps.metering.models import UsageDaily, UsageEvent
from shared_apps.support.job_errors import ErrorTallyMiddleware
from shared_apps.support.models import ErrorTally
from shared_apps.support.selectors import error_counts_by_municipality
from tenants.models import Municipality
from tests.conftest import cache_clear, client_for
from tests.factories import (
    ErrorTallyFactory,
    MunicipalityFactory,
    SubscriptionFactory,
    UsageDailyFactory,
    UsageEventFactory,
)
from tests.support.conftest import support_client

CONSOLE = "/suporte/"
GB = 1024**3


def _row(page: str, slug: str) -> dict[str, str]:
    match = re.search(rf'<tr data-municipality="{slug}">(.*?)</tr>', page, re.S)
    assert match, slug
    return {
        column: value.strip()
        for column, value in re.findall(r'<td data-col="([\w_]+)">(.*?)</td>', match.group(1), re.S)
    }


def test_the_console_shows_every_column(aracaju, gravatai):
    now = timezone.now()
    local = timezone.localtime(now)
    UsageEvent.objects.filter(municipality=aracaju).delete()  # only this test's usage
    UsageDaily.objects.filter(municipality__in=[aracaju, gravatai]).delete()
    SubscriptionFactory(
        municipality=aracaju, plan_code="grande", contact_email="admin@aracaju.se.gov.br", status="trialing"
    )
    Municipality.objects.filter(pk=aracaju.pk).update(
        last_activity_at=dt.datetime(2026, 11, 30, 12, 5, tzinfo=dt.UTC)
    )
    for metric, quantity in (("cases", 7), ("documents", 3), ("emails", 12), ("sms", 2)):
        UsageEventFactory(municipality=aracaju, metric=metric, quantity=quantity, occurred_at=now)
    UsageDailyFactory(municipality=aracaju, day=local.date() - dt.timedelta(days=1), quantity=GB)
    UsageDailyFactory(municipality=aracaju, day=local.date(), quantity=5 * GB // 2)
    ErrorTallyFactory(municipality=aracaju, day=local.date(), hour=local.hour, count=3)
    ErrorTallyFactory(municipality=aracaju, day=local.date() - dt.timedelta(days=3), hour=1, count=4)
    ErrorTallyFactory(municipality=aracaju, day=local.date() - dt.timedelta(days=10), hour=1, count=100)
    ErrorTallyFactory(municipality=gravatai, day=local.date(), hour=local.hour, count=1)

    response = support_client().get(CONSOLE)

    assert response.status_code == 200
    page = response.content.decode()
    row = _row(page, "aracaju")
    from shared_apps.metering.selectors import usage_current_period

    usage = usage_current_period(municipality=aracaju, now=timezone.now())
    assert row == {
        "status": aracaju.get_status_display(),
        "plan": "Grande porte",
        "subscription": Subscription.objects.get(municipality=aracaju).get_status_display(),
        "cases": "7",
        "documents": "3",
        "emails": "12",
        "sms": "2",
        "bill": f"Em avaliação: nada a pagar (uso até agora {usage.total_display})",
        "activity": "30/11/2026 09:05",
        "errors_24h": "3",
        "errors_7d": "7",
        "storage": "2,50",
        "paper": "0,00",  # the indicators module's (no aggregates in this test)
        "median_days": "—",
    }
    other = _row(page, "gravatai")
    assert (other["errors_24h"], other["errors_7d"], other["storage"]) == ("1", "1", "—")


def _extra_city(number: int) -> Municipality:
    municipality = MunicipalityFactory()
    ErrorTallyFactory(municipality=municipality, count=number)
    UsageDailyFactory(municipality=municipality, quantity=GB)
    return municipality


def _console_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CONSOLE)
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_the_console_costs_the_same_queries_for_2_or_5_cities(aracaju, gravatai):
    client = support_client()
    client.get(CONSOLE)  # warm the session
    few, few_page = _console_queries(client)
    for number in (1, 2, 3):
        _extra_city(number)

    many, many_page = _console_queries(client)

    assert few_page.count("<tr data-municipality=") == 2
    assert many_page.count("<tr data-municipality=") == 5
    assert many == few


def test_city_users_cannot_open_the_console(aracaju):
    for role in ("anonymous", "citizen", "staff", "manager", "admin"):
        response = client_for(role, aracaju).get(CONSOLE, HTTP_HOST="localhost")
        assert response.status_code == 302, role
        assert response["Location"].startswith("/suporte/entrar/")


def test_a_request_that_raises_on_a_city_host_is_counted(aracaju):
    request = RequestFactory().get("/staff/")
    request.tenant = aracaju

    got_request_exception.send(sender=None, request=request)
    got_request_exception.send(sender=None, request=request)

    assert error_counts_by_municipality()[aracaju.pk].last_24_hours == 2


def test_a_failed_job_of_a_city_is_counted_and_a_public_one_is_not(aracaju):
    broker = dramatiq.get_broker()
    middleware = ErrorTallyMiddleware()
    city_job = MessageProxy(
        dramatiq.Message("default", "x_task", (), {}, {"schema_name": aracaju.schema_name})
    )
    public_job = MessageProxy(dramatiq.Message("default", "x_task", (), {}, {"schema_name": "public"}))
    done_job = MessageProxy(
        dramatiq.Message("default", "x_task", (), {}, {"schema_name": aracaju.schema_name})
    )

    middleware.after_process_message(broker, city_job, exception=RuntimeError("falhou"))
    middleware.after_process_message(broker, public_job, exception=RuntimeError("falhou"))
    middleware.after_process_message(broker, done_job, result=1)

    assert list(ErrorTally.objects.values_list("municipality_id", "count")) == [(aracaju.pk, 1)]


def test_counting_an_error_never_raises_on_a_broken_transaction(aracaju):
    from django.db import DatabaseError, transaction

    from shared_apps.support.services import error_tally_increment

    with transaction.atomic():
        # break the transaction on purpose: the tally must not raise inside it
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT 1/0")
        # the transaction is broken: the count is lost, the original error is not masked
        assert error_tally_increment(municipality_id=aracaju.pk) is False
        transaction.set_rollback(True)
    assert ErrorTally.objects.count() == 0


def test_last_activity_is_written_at_most_every_five_minutes(aracaju):

    client = client_for("citizen", aracaju)
    Municipality.objects.filter(pk=aracaju.pk).update(last_activity_at=None)
    cache_clear()

    client.get("/")
    first = Municipality.objects.get(pk=aracaju.pk).last_activity_at
    Municipality.objects.filter(pk=aracaju.pk).update(last_activity_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    client.get("/")

    assert first is not None
    assert Municipality.objects.get(pk=aracaju.pk).last_activity_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cache_clear()  # five minutes later
    client.get("/")
    assert Municipality.objects.get(pk=aracaju.pk).last_activity_at > first
