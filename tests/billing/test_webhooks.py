"""Stripe webhooks: signatures, idempotent replays, out-of-order delivery, the status machine, dunning."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from paco.scheduler import periodic_jobs
from shared_apps.billing.enums import SubscriptionStatus, WebhookOutcome
from shared_apps.billing.models import Subscription, WebhookEvent
from shared_apps.billing.services import subscription_ensure, subscriptions_grace_enforce
from tenants.enums import MunicipalityStatus
from tenants.services import municipality_set_status
from tests.billing.conftest import stripe_event, stripe_signature, webhook_post

NOW = int(time.time())
CONTACT = "admin@gravatai.rs.gov.br"


@pytest.fixture
def subscribed(stripe_server, gravatai, django_capture_on_commit_callbacks):
    """Gravataí in trial, already a Stripe customer with a subscription."""
    municipality_set_status(municipality=gravatai, status=MunicipalityStatus.TRIAL)
    subscription = subscription_ensure(municipality=gravatai, contact_email=CONTACT)
    subscription.stripe_customer_id = "cus_gravatai"
    subscription.stripe_subscription_id = "sub_gravatai"
    subscription.save()
    return subscription


def _subscription_object(status: str, **extra):
    return {
        "id": "sub_gravatai",
        "object": "subscription",
        "customer": "cus_gravatai",
        "status": status,
        "items": {
            "object": "list",
            "data": [{"current_period_start": NOW - 86400, "current_period_end": NOW + 29 * 86400}],
        },
        "metadata": {},
        **extra,
    }


def _invoice(amount: int = 490000):
    return {
        "id": "in_1",
        "object": "invoice",
        "customer": "cus_gravatai",
        "amount_due": amount,
        "amount_paid": 0,
        "hosted_invoice_url": "https://invoice.stripe.com/i/in_1",
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_gravatai"}},
    }


def _state(gravatai):
    gravatai.refresh_from_db()
    subscription = Subscription.objects.get(municipality=gravatai)
    return subscription.status, gravatai.status


def _deliver(event, capture):
    with capture(execute=True):
        return webhook_post(event)


def test_a_bad_signature_is_refused_and_changes_nothing(subscribed, gravatai):
    event = stripe_event(
        "evt_bad", "customer.subscription.deleted", _subscription_object("canceled"), created=NOW
    )
    payload = json.dumps(event).encode()

    forged = webhook_post(event, secret="whsec_someone_else")  # noqa: S106
    unsigned = webhook_post(event, signature="")
    tampered = webhook_post(event, signature=stripe_signature(payload.replace(b"canceled", b"active")))
    too_old = webhook_post(event, signature=stripe_signature(payload, timestamp=NOW - 3600))

    assert [response.status_code for response in (forged, unsigned, tampered, too_old)] == [
        400,
        400,
        400,
        400,
    ]
    assert forged.json() == {"message": "Assinatura do webhook inválida."}
    assert not WebhookEvent.objects.exists()
    assert _state(gravatai) == (SubscriptionStatus.TRIALING, MunicipalityStatus.TRIAL)


def test_the_endpoint_takes_only_post():
    assert Client(HTTP_HOST="localhost").get("/billing/webhooks/stripe/").status_code == 405


def test_a_valid_event_is_applied_once_and_a_replay_changes_nothing(
    subscribed, gravatai, django_capture_on_commit_callbacks
):
    event = stripe_event("evt_1", "invoice.payment_failed", _invoice(), created=NOW)

    first = _deliver(event, django_capture_on_commit_callbacks)
    replay = _deliver(event, django_capture_on_commit_callbacks)

    assert (first.status_code, first.json()) == (200, {"received": True, "outcome": "applied"})
    assert (replay.status_code, replay.json()) == (200, {"received": True, "outcome": "duplicate"})
    assert WebhookEvent.objects.filter(event_id="evt_1").count() == 1
    assert len(mail.outbox) == 1  # one dunning e-mail, not two
    assert _state(gravatai) == (SubscriptionStatus.PAST_DUE, MunicipalityStatus.ACTIVE)


def test_an_older_update_arriving_after_a_newer_one_changes_nothing(
    subscribed, gravatai, django_capture_on_commit_callbacks
):
    newer = stripe_event(
        "evt_new", "customer.subscription.updated", _subscription_object("unpaid"), created=NOW
    )
    older = stripe_event(
        "evt_old", "customer.subscription.updated", _subscription_object("active"), created=NOW - 60
    )

    _deliver(newer, django_capture_on_commit_callbacks)
    response = _deliver(older, django_capture_on_commit_callbacks)

    assert response.json()["outcome"] == WebhookOutcome.STALE
    assert _state(gravatai) == (SubscriptionStatus.UNPAID, MunicipalityStatus.READ_ONLY)
    assert WebhookEvent.objects.get(event_id="evt_old").outcome == WebhookOutcome.STALE


def test_trial_then_paid_invoice_makes_the_city_active(
    subscribed, gravatai, django_capture_on_commit_callbacks
):
    # the zero invoice that opens the trial does not end it
    trial_invoice = {**_invoice(0), "amount_paid": 0, "id": "in_0"}
    _deliver(
        stripe_event("evt_0", "invoice.paid", trial_invoice, created=NOW - 10),
        django_capture_on_commit_callbacks,
    )
    assert _state(gravatai) == (SubscriptionStatus.TRIALING, MunicipalityStatus.TRIAL)

    _deliver(
        stripe_event("evt_1", "invoice.paid", {**_invoice(), "amount_paid": 490000}, created=NOW),
        django_capture_on_commit_callbacks,
    )

    assert _state(gravatai) == (SubscriptionStatus.ACTIVE, MunicipalityStatus.ACTIVE)


def test_checkout_completed_links_the_stripe_ids_and_activates(
    stripe_server, aracaju, django_capture_on_commit_callbacks
):
    subscription_ensure(municipality=aracaju, contact_email="admin@aracaju.se.gov.br")
    session = {
        "id": "cs_1",
        "object": "checkout.session",
        "client_reference_id": str(aracaju.pk),
        "customer": "cus_aracaju",
        "subscription": "sub_aracaju",
        "payment_status": "paid",
        "metadata": {"municipality_id": str(aracaju.pk)},
    }

    _deliver(
        stripe_event("evt_cs", "checkout.session.completed", session, created=NOW),
        django_capture_on_commit_callbacks,
    )

    subscription = Subscription.objects.get(municipality=aracaju)
    aracaju.refresh_from_db()
    assert (subscription.stripe_customer_id, subscription.stripe_subscription_id) == (
        "cus_aracaju",
        "sub_aracaju",
    )
    assert (subscription.status, subscription.collection_method, aracaju.status) == (
        "active",
        "card",
        "active",
    )


def test_past_due_then_unpaid_makes_the_city_read_only_with_the_banner(
    subscribed, gravatai, django_capture_on_commit_callbacks
):
    # given: an active subscription
    _deliver(
        stripe_event(
            "evt_a", "customer.subscription.updated", _subscription_object("active"), created=NOW - 30
        ),
        django_capture_on_commit_callbacks,
    )
    assert _state(gravatai) == (SubscriptionStatus.ACTIVE, MunicipalityStatus.ACTIVE)

    # when: the payment fails, the subscription goes past due (still active, a warning), then unpaid
    _deliver(
        stripe_event("evt_f", "invoice.payment_failed", _invoice(), created=NOW - 20),
        django_capture_on_commit_callbacks,
    )
    _deliver(
        stripe_event(
            "evt_p", "customer.subscription.updated", _subscription_object("past_due"), created=NOW - 10
        ),
        django_capture_on_commit_callbacks,
    )
    assert _state(gravatai) == (SubscriptionStatus.PAST_DUE, MunicipalityStatus.ACTIVE)
    _deliver(
        stripe_event("evt_u", "customer.subscription.updated", _subscription_object("unpaid"), created=NOW),
        django_capture_on_commit_callbacks,
    )

    # then
    assert _state(gravatai) == (SubscriptionStatus.UNPAID, MunicipalityStatus.READ_ONLY)
    subscription = Subscription.objects.get(municipality=gravatai)
    assert subscription.current_period_end == dt.datetime.fromtimestamp(NOW + 29 * 86400, tz=dt.UTC)
    page = Client(HTTP_HOST="gravatai.localhost").get("/")
    assert page.status_code == 200
    assert "Portal somente para consulta." in page.content.decode()

    # and a later payment brings it back
    paid = {**_invoice(), "amount_paid": 490000}
    _deliver(
        stripe_event("evt_paid", "invoice.paid", paid, created=NOW + 10), django_capture_on_commit_callbacks
    )
    assert _state(gravatai) == (SubscriptionStatus.ACTIVE, MunicipalityStatus.ACTIVE)


def test_dunning_email_goes_to_the_billing_contact(subscribed, gravatai, django_capture_on_commit_callbacks):
    _deliver(
        stripe_event("evt_f", "invoice.payment_failed", _invoice(490000), created=NOW),
        django_capture_on_commit_callbacks,
    )

    (message,) = mail.outbox
    assert message.to == [CONTACT]
    assert message.subject == "Pagamento não recebido: assinatura do Paço de Prefeitura Municipal de Gravataí"
    assert "R$ 4.900,00" in message.body
    assert "https://invoice.stripe.com/i/in_1" in message.body
    assert "http://gravatai.localhost:8000/admin-municipal/assinatura/" in message.body


def test_deleted_subscription_cancels_and_leaves_the_city_read_only(
    subscribed, gravatai, django_capture_on_commit_callbacks
):
    _deliver(
        stripe_event("evt_d", "customer.subscription.deleted", _subscription_object("canceled"), created=NOW),
        django_capture_on_commit_callbacks,
    )

    assert _state(gravatai) == (SubscriptionStatus.CANCELED, MunicipalityStatus.CANCELLED)
    # a late invoice.paid does not bring a cancelled subscription back
    _deliver(
        stripe_event("evt_late", "invoice.paid", {**_invoice(), "amount_paid": 1}, created=NOW + 5),
        django_capture_on_commit_callbacks,
    )
    assert _state(gravatai) == (SubscriptionStatus.CANCELED, MunicipalityStatus.CANCELLED)


def test_billing_never_lifts_a_suspension_by_support(
    subscribed, gravatai, django_capture_on_commit_callbacks
):
    municipality_set_status(municipality=gravatai, status=MunicipalityStatus.SUSPENDED)

    _deliver(
        stripe_event("evt_a", "customer.subscription.updated", _subscription_object("active"), created=NOW),
        django_capture_on_commit_callbacks,
    )

    assert _state(gravatai) == (SubscriptionStatus.ACTIVE, MunicipalityStatus.SUSPENDED)


def test_an_event_of_an_unknown_customer_is_recorded_and_ignored(
    subscribed, gravatai, django_capture_on_commit_callbacks
):
    data = {**_subscription_object("canceled"), "customer": "cus_nobody", "id": "sub_nobody"}
    response = _deliver(
        stripe_event("evt_x", "customer.subscription.deleted", data, created=NOW),
        django_capture_on_commit_callbacks,
    )

    assert response.json()["outcome"] == WebhookOutcome.UNKNOWN_CUSTOMER
    gravatai.refresh_from_db()
    assert gravatai.status == MunicipalityStatus.TRIAL


def test_past_due_beyond_the_grace_period_becomes_read_only(
    subscribed, gravatai, settings, django_capture_on_commit_callbacks
):
    settings.BILLING_GRACE_DAYS = 15
    _deliver(
        stripe_event("evt_p", "customer.subscription.updated", _subscription_object("past_due"), created=NOW),
        django_capture_on_commit_callbacks,
    )
    assert subscriptions_grace_enforce(now=timezone.now() + dt.timedelta(days=14)) == 0
    assert _state(gravatai) == (SubscriptionStatus.PAST_DUE, MunicipalityStatus.ACTIVE)

    assert subscriptions_grace_enforce(now=timezone.now() + dt.timedelta(days=16)) == 1

    assert _state(gravatai) == (SubscriptionStatus.PAST_DUE, MunicipalityStatus.READ_ONLY)


def test_the_billing_jobs_are_in_the_schedule(settings):
    billing = [
        {
            "name": "billing-grace",
            "actor": "shared_apps.billing.tasks.billing_grace_enforce_task",
            "every": "daily",
            "at": "06:00",
            "per_tenant": False,
        },
        {
            "name": "billing-reminders",
            "actor": "shared_apps.billing.tasks.billing_reminders_task",
            "every": "daily",
            "at": "09:00",
            "per_tenant": False,
        },
    ]
    settings.BILLING_REMINDERS_AT = "09:30"
    moved = {entry["name"]: entry for entry in periodic_jobs()}["billing-reminders"]

    assert [entry for entry in periodic_jobs() if entry["name"].startswith("billing-")] == [
        billing[0],
        {**billing[1], "at": "09:30"},
    ]
    assert moved["at"] == "09:30"  # times are read from settings at every tick


def test_the_grace_check_job_runs_the_service(subscribed, gravatai, django_capture_on_commit_callbacks):
    from shared_apps.billing.tasks import billing_grace_enforce_task

    _deliver(
        stripe_event(
            "evt_p",
            "customer.subscription.updated",
            _subscription_object("past_due"),
            created=NOW - 40 * 86400,
        ),
        django_capture_on_commit_callbacks,
    )
    billing_grace_enforce_task.fn(period="2026-11-23")
    assert _state(gravatai) == (SubscriptionStatus.PAST_DUE, MunicipalityStatus.READ_ONLY)
