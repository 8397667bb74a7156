"""The municipal admin's subscription pages on the city host: role matrix, Checkout, portal, isolation."""

from __future__ import annotations

import pytest

from shared_apps.billing.enums import SubscriptionStatus
from shared_apps.billing.models import Subscription
from shared_apps.billing.services import subscription_ensure
from tests.billing.conftest import CHECKOUT_URL, PORTAL_URL
from tests.conftest import client_for

PAGE = "/admin-municipal/assinatura/"
EXPECTED_GET = {"anonymous": 302, "citizen": 302, "staff": 404, "manager": 404, "admin": 200, "support": 302}


@pytest.mark.parametrize("role", list(EXPECTED_GET))
def test_only_the_municipal_admin_sees_the_page(role, aracaju, stripe_server):
    client = client_for(role, aracaju)
    response = client.get(PAGE, HTTP_HOST="aracaju.localhost")
    assert response.status_code == EXPECTED_GET[role]
    checkout = client.post(PAGE + "assinar/", HTTP_HOST="aracaju.localhost")
    if role == "admin":
        assert "Metrópole" in response.content.decode()
        assert "Assinar" in response.content.decode()
        assert checkout.status_code == 303
    else:
        assert checkout.status_code == EXPECTED_GET[role]
        assert stripe_server.requests == []
        assert not Subscription.objects.filter(municipality=aracaju).exists()


def test_assinar_redirects_to_checkout(aracaju, stripe_server):
    response = client_for("admin", aracaju).post(PAGE + "assinar/")

    assert (response.status_code, response["Location"]) == (303, CHECKOUT_URL)
    checkout = stripe_server.requests[-1]
    assert (
        checkout.params["success_url"] == "http://aracaju.localhost/admin-municipal/assinatura/?checkout=ok"
    )
    assert checkout.params["cancel_url"] == "http://aracaju.localhost/admin-municipal/assinatura/"
    assert Subscription.objects.get(municipality=aracaju).contact_email == "admin@aracaju.se.gov.br"


def test_gerenciar_pagamento_opens_the_portal(aracaju, stripe_server):
    subscription = subscription_ensure(municipality=aracaju, contact_email="admin@aracaju.se.gov.br")
    Subscription.objects.filter(pk=subscription.pk).update(
        stripe_customer_id="cus_a", stripe_subscription_id="sub_a", status=SubscriptionStatus.PAST_DUE
    )
    admin = client_for("admin", aracaju)

    page = admin.get(PAGE).content.decode()
    response = admin.post(PAGE + "gerenciar/")

    assert "Gerenciar pagamento" in page
    assert "Há um pagamento em atraso" in page
    assert (response.status_code, response["Location"]) == (303, PORTAL_URL)
    assert stripe_server.requests[-1].params["customer"] == "cus_a"


def test_the_portal_without_a_subscription_is_a_clear_error(aracaju, stripe_server):
    response = client_for("admin", aracaju).post(PAGE + "gerenciar/")
    assert response.status_code == 400
    assert "Assine um plano antes de gerenciar o pagamento." in response.content.decode()
    assert stripe_server.requests == []


def test_another_citys_admin_cannot_see_or_start_anything(aracaju, gravatai, stripe_server):
    subscription_ensure(municipality=gravatai, contact_email="admin@gravatai.rs.gov.br")
    intruder = client_for("admin", aracaju)

    page = intruder.get(PAGE, HTTP_HOST="gravatai.localhost")
    checkout = intruder.post(PAGE + "assinar/", HTTP_HOST="gravatai.localhost")

    assert (page.status_code, checkout.status_code) == (302, 302)  # anonymous there: off to the login page
    assert stripe_server.requests == []
    assert Subscription.objects.get(municipality=gravatai).stripe_customer_id == ""
