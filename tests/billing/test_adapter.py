"""The adapter through the real stripe library, against the local Stripe server: exact requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shared_apps.billing.enums import CollectionMethod, SubscriptionStatus
from shared_apps.billing.models import Subscription
from shared_apps.billing.services import (
    subscription_checkout_start,
    subscription_ensure,
    subscription_invoice_start,
    subscription_portal_start,
)
from shared_apps.billing.stripe_adapter import BillingProviderError
from tests.billing.conftest import API_KEY, CHECKOUT_URL, PORTAL_URL

METERED = ["cases", "documents", "storage_gb", "sms", "emails", "video_minutes"]


def _metered_params(prefix: str, plan: str, start: int) -> dict[str, str]:
    return {f"{prefix}[{start + i}][price]": f"price_{plan}_{item}" for i, item in enumerate(METERED)}


def test_checkout_creates_customer_then_session_with_exact_params(stripe_server, aracaju):
    # given: Aracaju (602,757 inhabitants) in trial, with 20 days of trial left
    subscription = subscription_ensure(municipality=aracaju, contact_email="admin@aracaju.se.gov.br")
    trial_end = timezone.now().replace(microsecond=0) + dt.timedelta(days=20)
    Subscription.objects.filter(pk=subscription.pk).update(trial_end=trial_end)

    # when
    session = subscription_checkout_start(
        municipality=aracaju,
        contact_email="admin@aracaju.se.gov.br",
        success_url="http://aracaju.localhost/admin-municipal/assinatura/?checkout=ok",
        cancel_url="http://aracaju.localhost/admin-municipal/assinatura/",
    )

    # then
    assert session.url == CHECKOUT_URL
    customer, checkout = stripe_server.requests
    metadata = {"municipality_id": str(aracaju.pk), "schema_name": "aracaju", "ibge_code": aracaju.ibge_code}
    assert (customer.method, customer.path) == ("POST", "/v1/customers")
    assert customer.headers["authorization"] == f"Bearer {API_KEY}"
    assert customer.headers["idempotency-key"] == f"paco-customer-{aracaju.pk}"
    assert customer.params == {
        "name": aracaju.display_name,
        "email": "admin@aracaju.se.gov.br",
        "preferred_locales[0]": "pt-BR",
        **{f"metadata[{key}]": value for key, value in metadata.items()},
    }
    assert (checkout.method, checkout.path) == ("POST", "/v1/checkout/sessions")
    assert checkout.headers["authorization"] == f"Bearer {API_KEY}"
    assert checkout.headers["idempotency-key"] == f"paco-checkout-{subscription.pk}-1"
    assert checkout.params == {
        "mode": "subscription",
        "customer": "cus_test_1",
        "client_reference_id": str(aracaju.pk),
        "payment_method_types[0]": "card",
        "line_items[0][price]": "price_metropole_monthly",
        "line_items[0][quantity]": "1",
        **_metered_params("line_items", "metropole", 1),
        **{f"subscription_data[metadata][{key}]": value for key, value in metadata.items()},
        "subscription_data[trial_end]": str(int(trial_end.timestamp())),
        "locale": "pt-BR",
        **{f"metadata[{key}]": value for key, value in metadata.items()},
        "success_url": "http://aracaju.localhost/admin-municipal/assinatura/?checkout=ok",
        "cancel_url": "http://aracaju.localhost/admin-municipal/assinatura/",
    }
    subscription.refresh_from_db()
    assert subscription.stripe_customer_id == "cus_test_1"
    assert subscription.plan_code == "metropole"


def test_a_second_checkout_reuses_the_customer_with_a_new_key(stripe_server, gravatai):
    for _ in range(2):
        subscription_checkout_start(
            municipality=gravatai,
            contact_email="admin@gravatai.rs.gov.br",
            success_url="http://x/",
            cancel_url="http://x/",
        )
    paths = [(request.path, request.headers["idempotency-key"]) for request in stripe_server.requests]
    subscription = Subscription.objects.get(municipality=gravatai)
    assert paths == [
        ("/v1/customers", f"paco-customer-{gravatai.pk}"),
        ("/v1/checkout/sessions", f"paco-checkout-{subscription.pk}-1"),
        ("/v1/checkout/sessions", f"paco-checkout-{subscription.pk}-2"),
    ]
    # Gravataí (265,070 inhabitants) is in the "grande" tier; no trial left to pass on after 49 h
    assert stripe_server.requests[1].params["line_items[0][price]"] == "price_grande_monthly"


def test_boleto_creates_a_subscription_billed_by_invoice(stripe_server, gravatai, settings):
    settings.BILLING_INVOICE_DAYS_UNTIL_DUE = 7
    subscription = subscription_ensure(municipality=gravatai, contact_email="admin@gravatai.rs.gov.br")
    Subscription.objects.filter(pk=subscription.pk).update(status=SubscriptionStatus.ACTIVE)

    subscription = subscription_invoice_start(municipality=gravatai, contact_email="admin@gravatai.rs.gov.br")

    request = stripe_server.requests[-1]
    assert (request.method, request.path) == ("POST", "/v1/subscriptions")
    assert request.headers["idempotency-key"] == f"paco-subscription-{subscription.pk}-1"
    assert request.params == {
        "customer": "cus_test_1",
        "items[0][price]": "price_grande_monthly",
        "items[0][quantity]": "1",
        **_metered_params("items", "grande", 1),
        "collection_method": "send_invoice",
        "days_until_due": "7",
        "payment_settings[payment_method_types][0]": "boleto",
        "metadata[municipality_id]": str(gravatai.pk),
        "metadata[schema_name]": "gravatai",
        "metadata[ibge_code]": gravatai.ibge_code,
    }
    assert (subscription.stripe_subscription_id, subscription.collection_method) == (
        "sub_test_2",
        CollectionMethod.BOLETO,
    )


def test_portal_session_for_the_customer(stripe_server, aracaju):
    subscription = subscription_ensure(municipality=aracaju, contact_email="admin@aracaju.se.gov.br")
    Subscription.objects.filter(pk=subscription.pk).update(stripe_customer_id="cus_existing")

    url = subscription_portal_start(
        municipality=aracaju, return_url="http://aracaju.localhost/admin-municipal/assinatura/"
    )

    assert url == PORTAL_URL
    (request,) = stripe_server.requests
    assert (request.method, request.path) == ("POST", "/v1/billing_portal/sessions")
    assert request.headers["idempotency-key"] == f"paco-portal-{subscription.pk}-1"
    assert request.params == {
        "customer": "cus_existing",
        "return_url": "http://aracaju.localhost/admin-municipal/assinatura/",
        "locale": "pt-BR",
    }


def test_a_refusal_by_stripe_is_a_clear_error_and_saves_nothing(stripe_server, aracaju):
    stripe_server.fail_next = {
        "type": "invalid_request_error",
        "code": "resource_missing",
        "message": "No such price",
    }

    with pytest.raises(BillingProviderError, match="recusou"):
        subscription_checkout_start(
            municipality=aracaju,
            contact_email="admin@aracaju.se.gov.br",
            success_url="http://x/",
            cancel_url="http://x/",
        )

    assert not Subscription.objects.filter(municipality=aracaju).exists()


def test_without_an_api_key_nothing_is_sent(stripe_server, aracaju, settings):
    settings.STRIPE_API_KEY = ""
    with pytest.raises(BillingProviderError, match="não foram configurados"):
        subscription_checkout_start(
            municipality=aracaju,
            contact_email="admin@aracaju.se.gov.br",
            success_url="http://x/",
            cancel_url="http://x/",
        )
    assert stripe_server.requests == []
