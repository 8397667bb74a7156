"""Recording usage from tenant services: once per key, only for committed writes, on the right city;
daily aggregation; the storage gauge."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from paco.usage import usage_gauge_record, usage_record
from shared_apps.metering.models import UsageDaily, UsageEvent
from shared_apps.metering.services import usage_aggregate
from tenant_apps.accounts.models import User
from tenant_apps.cases.services import case_open
from tenant_apps.catalog.models import Service
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.documents.services import attachment_store, document_create
from tenant_apps.documents.tasks import documents_storage_measure_task
from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.services import notification_sent_record
from tenant_apps.org.models import OrgUnit
from tests.cases.conftest import PNG, png_upload
from tests.metering.conftest import local, record

FORM = {"endereco": "Rua Laranjeiras, 100, Centro", "motivo": "Galhos na fiação"}


def _events(municipality) -> list[tuple[str, str, int]]:
    return list(
        UsageEvent.objects.filter(municipality=municipality)
        .order_by("metric", "idempotency_key")
        .values_list("metric", "idempotency_key", "quantity")
    )


def _open_case():
    citizen = User.objects.get(email="cidadao@exemplo.com.br")
    return case_open(service=Service.objects.get(code="poda-de-arvore"), opened_by=citizen, form_data=FORM)


def _open_case_then_fail() -> None:
    with transaction.atomic():
        _open_case()
        raise RuntimeError("the caller's transaction fails after the case was opened")


def test_the_same_key_twice_is_recorded_once(aracaju):
    record(aracaju, "sms", "notification:7", local(20), quantity=2)
    record(aracaju, "sms", "notification:7", local(21), quantity=5)

    assert _events(aracaju) == [("sms", "notification:7", 2)]
    assert UsageEvent.objects.get(municipality=aracaju).occurred_at == local(20)


def test_nothing_is_recorded_in_the_public_schema(db):
    usage_record(metric="cases", key="case:1")
    usage_gauge_record(metric="storage_gb", value=10)

    assert (UsageEvent.objects.count(), UsageDaily.objects.count()) == (0, 0)


def test_an_unknown_metric_or_a_gauge_recorded_as_a_counter_is_a_programming_error(in_aracaju):
    with pytest.raises(ValueError, match="unknown usage metric"):
        usage_record(metric="pages", key="x")
    with pytest.raises(ValueError, match="is a gauge"):
        usage_record(metric="storage_gb", key="x")
    assert UsageEvent.objects.count() == 0


def test_opening_a_case_records_the_case_and_its_request_document(aracaju):
    with tenant_context(aracaju):
        case = _open_case()
        document = case.case_documents.get().document

    assert _events(aracaju) == [("cases", f"case:{case.pk}", 1), ("documents", f"document:{document.pk}", 1)]


def test_a_case_opened_in_a_transaction_that_rolls_back_is_not_billed(aracaju):
    with tenant_context(aracaju):
        with pytest.raises(RuntimeError, match="fails after"):
            _open_case_then_fail()

    assert _events(aracaju) == []


def test_events_land_on_the_municipality_whose_schema_recorded_them(aracaju, gravatai):
    with tenant_context(aracaju):
        case = _open_case()
        aracaju_document = case.case_documents.get().document
    with tenant_context(gravatai):
        unit = OrgUnit.objects.filter(is_active=True).order_by("pk").first()
        gravatai_document = document_create(
            kind=DocumentKind.MEMO, unit=unit, title="Memorando", body="Texto"
        )

    assert _events(aracaju) == [
        ("cases", f"case:{case.pk}", 1),
        ("documents", f"document:{aracaju_document.pk}", 1),
    ]
    assert _events(gravatai) == [("documents", f"document:{gravatai_document.pk}", 1)]


def test_an_email_or_sms_recorded_as_sent_is_billed_once_and_an_inbox_message_never(aracaju):
    with tenant_context(aracaju):
        messages = {
            channel: Notification.objects.create(
                channel=channel, address="x", template_key="case_opened", subject="s", body="b", token=channel
            )
            for channel in ("email", "sms", "inbox")
        }
        for notification in messages.values():
            notification_sent_record(notification=notification, provider_message_id="m-1")
        notification_sent_record(notification=messages["sms"], provider_message_id="m-2")  # a resend

    assert _events(aracaju) == [
        ("emails", f"notification:{messages['email'].pk}", 1),
        ("sms", f"notification:{messages['sms'].pk}", 1),
    ]


def test_aggregation_sums_per_local_day_and_is_idempotent(aracaju, gravatai):
    # given: 23:30 in São Paulo is already the next day in UTC
    record(aracaju, "cases", "case:1", local(20, 8))
    record(aracaju, "cases", "case:2", local(20, 23, 30))
    record(aracaju, "cases", "case:3", local(21, 0, 10))
    record(aracaju, "emails", "notification:1", local(20, 9), quantity=3)
    record(gravatai, "cases", "case:1", local(20, 10))

    first = usage_aggregate()
    again = usage_aggregate()
    days = usage_aggregate(days=[dt.date(2026, 11, 20), dt.date(2026, 11, 21)])

    assert (first, again, days) == (4, 0, 0)
    rows = UsageDaily.objects.order_by("municipality__slug", "day", "metric")
    assert [(row.municipality.slug, row.metric, row.day.isoformat(), row.quantity) for row in rows] == [
        ("aracaju", "cases", "2026-11-20", 2),
        ("aracaju", "emails", "2026-11-20", 3),
        ("aracaju", "cases", "2026-11-21", 1),
        ("gravatai", "cases", "2026-11-20", 1),
    ]

    # when: a late event of an old day arrives
    record(aracaju, "cases", "case:4", local(20, 15))
    assert usage_aggregate() == 1
    assert (
        UsageDaily.objects.get(municipality=aracaju, metric="cases", day=dt.date(2026, 11, 20)).quantity == 3
    )


def test_the_daily_storage_measurement_records_the_bytes_stored(aracaju, gravatai):
    with tenant_context(aracaju):
        attachment_store(file=io.BytesIO(PNG), name="a.png", label="Foto")
        attachment_store(file=png_upload().file, name="b.png", label="Foto")
        documents_storage_measure_task(period="2026-11-20")
        documents_storage_measure_task(period="2026-11-20")  # a retry replaces, never adds
    with tenant_context(gravatai):
        documents_storage_measure_task(period="2026-11-20")
    connection.set_schema_to_public()

    rows = UsageDaily.objects.filter(metric="storage_gb").order_by("municipality__slug")
    assert [(row.municipality.slug, row.day.isoformat(), row.quantity) for row in rows] == [
        ("aracaju", "2026-11-20", 2 * len(PNG)),
        ("gravatai", "2026-11-20", 0),
    ]
