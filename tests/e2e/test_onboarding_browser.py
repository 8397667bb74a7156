"""Self-onboarding end to end in Chromium, with the local HTTP server standing in for Stripe.

A municipal admin signs Laranjeiras (SE) up on the control plane, confirms the e-mail link, watches
the provisioning progress, lands on the city's branded portal, registers a card through Stripe
Checkout (the hosted page is played by the test: Playwright answers for checkout.stripe.com and
sends the browser back to the success URL we gave Stripe), and then Stripe's webhooks move the
subscription to past due and to unpaid: the portal turns read-only, with the banner.

The live server commits, so the test removes the city it created (schema, files, rows) at the end.
The provisioning job runs as in the demo's in-process mode (the test drains the stub broker, so the
real actor runs on a worker thread); with a Redis broker configured, the test runs the job's body.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import dramatiq
import pytest
import requests
from django.conf import settings as django_settings
from django.core import mail
from dramatiq.brokers.stub import StubBroker
from playwright.sync_api import expect
from validate_docbr import CPF

from paco.jobs import jobs_drain
from shared_apps.billing.models import Subscription
from shared_apps.onboarding.models import Signup
from shared_apps.onboarding.services import signup_provision
from tenants.models import Municipality
from tests.billing.conftest import _stripe_server, stripe_event, stripe_signature  # noqa: F401
from tests.billing.conftest import stripe_server as stripe_server  # noqa: F401 - the fixture
from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

IBGE_CODE = "2803609"  # Laranjeiras (SE)
BANNER = "Portal somente para consulta."
OMBUDSMAN_FORM = "/ouvidoria/nova/"


def _provision(signup_id: str) -> None:
    broker = dramatiq.get_broker()
    if isinstance(broker, StubBroker):
        jobs_drain(broker)
        return
    _in_thread(lambda: signup_provision(signup_id=signup_id))


def _deliver(control: str, event: dict) -> dict:
    """A signed Stripe event POSTed to the live server (it commits, as in production)."""
    payload = json.dumps(event).encode()
    response = requests.post(
        f"{control}/billing/webhooks/stripe/",
        data=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": stripe_signature(payload)},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def _remove_city(slug: str) -> None:
    def remove() -> None:
        municipality = Municipality.objects.filter(slug=slug).first()
        Signup.objects.filter(slug=slug).delete()
        if municipality is not None:
            schema = municipality.schema_name
            municipality.delete(force_drop=True)
            shutil.rmtree(Path(django_settings.MEDIA_ROOT) / schema, ignore_errors=True)

    _in_thread(remove)


def test_a_city_signs_up_lands_on_its_portal_and_turns_read_only_when_unpaid(
    live_url, browser, stripe_server, settings
):
    control = live_url.format(host="localhost")
    port = str(urlsplit(control).port)
    settings.PUBLIC_URL_PORT = port  # links in e-mails and pages point at the live server
    settings.CONTROL_PLANE_BASE_URL = control
    tag = uuid.uuid4().hex[:6]
    slug = f"laranjeiras-{tag}"
    email = f"gabinete.{tag}@laranjeiras.se.gov.br"
    broker = dramatiq.get_broker()
    if isinstance(broker, StubBroker):
        broker.flush_all()  # only this test's jobs in the in-process queue
    mail.outbox.clear()
    context = browser.new_context(viewport=PHONE, locale="pt-BR", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        # the admin fills in the signup form on the control plane, on a phone
        page.goto(f"{control}/")
        page.get_by_role("link", name="Cadastre sua prefeitura").click()
        page.get_by_label("Estado (UF)").select_option("SE")
        page.wait_for_selector(f'option[value="{IBGE_CODE}"]', state="attached")
        page.get_by_label("Município").select_option(IBGE_CODE)
        page.get_by_label("Seu nome completo").fill("Lúcia Laranjeira")
        page.get_by_label("Seu CPF").fill(CPF().generate(mask=True))
        page.get_by_label("Seu e-mail institucional").fill(email)
        page.get_by_label("Endereço do portal").fill(slug)
        # the gov.br radios draw their own circle: people click the label
        page.locator("label", has_text="Pequeno porte").click()
        page.locator("label", has_text=re.compile(r"^Cartão")).click()
        expect(page.get_by_label(re.compile(r"^Pequeno porte"))).to_be_checked()
        screenshot(page, "onboarding-1-form")
        page.get_by_role("button", name="Enviar cadastro").click()
        page.wait_for_url(re.compile(r".*/cadastro/enviado/$"))
        expect(page.get_by_text("Enviamos para")).to_be_visible()

        # the e-mail carries the confirmation link; a GET shows the summary, the click confirms
        assert [message.to for message in mail.outbox] == [[email]]
        link = re.search(r"https?://\S+/cadastro/confirmar/\S+/", mail.outbox[0].body)
        assert link is not None
        page.goto(control + urlsplit(link.group(0)).path)
        expect(page.get_by_text(f"{slug}.localhost").first).to_be_visible()
        page.get_by_role("button", name="Confirmar e criar o portal").click()
        page.wait_for_url(re.compile(r".*/cadastro/[0-9a-f-]{36}/$"))
        signup_id = page.url.rstrip("/").rsplit("/", 1)[-1]

        # the provisioning job runs; the progress page follows it step by step
        _provision(signup_id)
        page.get_by_text("Portal pronto").wait_for()
        steps = page.locator("[data-step]")
        expect(steps.nth(4)).to_be_attached()  # at least 5 steps
        expect(page.locator('[data-step][data-state="done"]')).to_have_count(steps.count())
        screenshot(page, "onboarding-2-ready")

        # the card goes through Stripe Checkout (played here) and comes back to the progress page
        def checkout(route) -> None:
            success_url = next(
                request.params["success_url"]
                for request in reversed(stripe_server.requests)
                if request.path == "/v1/checkout/sessions"
            )
            route.fulfill(
                status=200,
                content_type="text/html",
                body=f'<h1>Stripe Checkout</h1><a href="{success_url}">Assinar</a>',
            )

        page.route("https://checkout.stripe.com/**", checkout)
        page.get_by_role("button", name="Cadastrar cartão (Stripe Checkout)").click()
        page.get_by_role("link", name="Assinar").click()
        page.get_by_text("Cartão cadastrado pelo Stripe").wait_for()

        # the live, branded portal of the new city
        page.get_by_role("link", name=re.compile("Abrir o portal de Laranjeiras")).click()
        page.wait_for_url(f"http://{slug}.localhost:{port}/")
        expect(page.get_by_text("Prefeitura Municipal de Laranjeiras").first).to_be_visible()
        expect(page.locator("img.paco-coat")).to_be_visible()
        expect(page.get_by_text(BANNER)).to_have_count(0)
        screenshot(page, "onboarding-3-portal")

        # Stripe: checkout completed, then the payment fails (past due), then the subscription is unpaid
        subscription = _in_thread(lambda: Subscription.objects.get(municipality__slug=slug))
        assert subscription.stripe_customer_id
        now = int(time.time())
        customer = subscription.stripe_customer_id
        subscription_object = {
            "id": f"sub_{tag}",
            "object": "subscription",
            "customer": customer,
            "items": {
                "object": "list",
                "data": [{"current_period_start": now, "current_period_end": now + 30 * 86400}],
            },
            "metadata": {},
        }
        completed = {
            "id": f"cs_{tag}",
            "object": "checkout.session",
            "mode": "subscription",
            "customer": customer,
            "subscription": f"sub_{tag}",
            "client_reference_id": str(subscription.municipality_id),
            "payment_status": "no_payment_required",
            "status": "complete",
        }
        outcomes = [
            _deliver(
                control, stripe_event(f"evt_{tag}_1", "checkout.session.completed", completed, created=now)
            ),
            _deliver(
                control,
                stripe_event(
                    f"evt_{tag}_2",
                    "customer.subscription.updated",
                    {**subscription_object, "status": "past_due"},
                    created=now + 1,
                ),
            ),
        ]
        page.reload()
        expect(page.get_by_text(BANNER)).to_have_count(0)  # past due, within the grace period: still open
        outcomes.append(
            _deliver(
                control,
                stripe_event(
                    f"evt_{tag}_3",
                    "customer.subscription.updated",
                    {**subscription_object, "status": "unpaid"},
                    created=now + 2,
                ),
            )
        )
        assert [outcome["outcome"] for outcome in outcomes] == ["applied", "applied", "applied"]

        # unpaid: the portal is read-only, with the banner, and refuses writes
        page.reload()
        page.get_by_text(BANNER).wait_for()
        screenshot(page, "onboarding-4-read-only")
        status = _in_thread(lambda: Municipality.objects.get(slug=slug).status)
        assert status == "read_only"
        refused = requests.post(
            f"http://127.0.0.1:{port}{OMBUDSMAN_FORM}",
            data={},
            headers={"Host": f"{slug}.localhost:{port}"},
            timeout=30,
        )
        assert refused.status_code == 403
        assert "somente para consulta" in refused.text
    finally:
        context.close()
        _remove_city(slug)
