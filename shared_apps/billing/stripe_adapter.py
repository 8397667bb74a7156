"""The one module that talks to Stripe (the real `stripe` library, its `StripeClient` API).

Everything else sees plain values: ids, URLs, dicts of verified events, and our own exceptions.
Every call that creates something carries an idempotency key derived from our own ids, so a
retry (ours, the library's or a person's double click) never creates a second object.

Boleto: Checkout's subscription mode charges a saved card; a city hall pays by boleto against an
invoice (empenho, liquidação, pagamento), so the boleto path is a Subscription created with
`collection_method=send_invoice`, `days_until_due` and `payment_settings[payment_method_types]`
= ["boleto"]: every period Stripe finalizes an invoice whose hosted page carries the boleto.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from paco.errors import ApplicationError


class BillingProviderError(ApplicationError):
    """Stripe refused or could not be reached."""


class WebhookSignatureInvalid(Exception):  # noqa: N818 - reads as the condition it reports
    """The payload was not signed with our webhook secret (or is too old, or is not JSON)."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


@dataclass(frozen=True)
class InvoicedSubscription:
    id: str
    status: str


def _client() -> stripe.StripeClient:
    if not settings.STRIPE_API_KEY:
        raise BillingProviderError(
            _("Os pagamentos ainda não foram configurados. Fale com o suporte do Paço.")
        )
    return stripe.StripeClient(
        settings.STRIPE_API_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
    )


def _refused(error: stripe.StripeError) -> BillingProviderError:
    return BillingProviderError(
        _("O serviço de pagamentos recusou o pedido: %(reason)s")
        % {"reason": error.user_message or error.code or "-"},
        extra={"stripe_request_id": error.request_id or ""},
    )


def _line_items(price_ids: list[str], metered_price_ids: list[str]) -> list[dict[str, Any]]:
    # Metered prices take no quantity: Stripe bills what the meters recorded.
    return [{"price": price, "quantity": 1} for price in price_ids] + [
        {"price": price} for price in metered_price_ids
    ]


def customer_create(*, name: str, email: str, metadata: dict[str, str], idempotency_key: str) -> str:
    try:
        customer = _client().v1.customers.create(
            params={"name": name, "email": email, "preferred_locales": ["pt-BR"], "metadata": metadata},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _refused(error) from error
    return customer.id


def checkout_session_create(
    *,
    customer_id: str,
    price_ids: list[str],
    metered_price_ids: list[str],
    client_reference_id: str,
    metadata: dict[str, str],
    success_url: str,
    cancel_url: str,
    trial_end: dt.datetime | None,
    idempotency_key: str,
) -> CheckoutSession:
    subscription_data: dict[str, Any] = {"metadata": metadata}
    if trial_end is not None:
        subscription_data["trial_end"] = int(trial_end.timestamp())
    try:
        session = _client().v1.checkout.sessions.create(
            params={  # type: ignore[arg-type]
                "mode": "subscription",
                "customer": customer_id,
                "client_reference_id": client_reference_id,
                "payment_method_types": ["card"],
                "line_items": _line_items(price_ids, metered_price_ids),
                "subscription_data": subscription_data,
                "locale": "pt-BR",
                "metadata": metadata,
                "success_url": success_url,
                "cancel_url": cancel_url,
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _refused(error) from error
    return CheckoutSession(id=session.id, url=session.url or "")


def subscription_create_invoiced(
    *,
    customer_id: str,
    price_ids: list[str],
    metered_price_ids: list[str],
    metadata: dict[str, str],
    days_until_due: int,
    trial_end: dt.datetime | None,
    idempotency_key: str,
) -> InvoicedSubscription:
    params: dict[str, Any] = {
        "customer": customer_id,
        "items": [
            {"price": item["price"], **({"quantity": 1} if "quantity" in item else {})}
            for item in _line_items(price_ids, metered_price_ids)
        ],
        "collection_method": "send_invoice",
        "days_until_due": days_until_due,
        "payment_settings": {"payment_method_types": ["boleto"]},
        "metadata": metadata,
    }
    if trial_end is not None:
        params["trial_end"] = int(trial_end.timestamp())
    try:
        subscription = _client().v1.subscriptions.create(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _refused(error) from error
    return InvoicedSubscription(id=subscription.id, status=subscription.status)


def subscription_trial_update(*, subscription_id: str, trial_end: dt.datetime, idempotency_key: str) -> None:
    """Move a subscription's trial end (vendor support's trial extension); nothing is prorated."""
    try:
        _client().v1.subscriptions.update(
            subscription_id,
            params={"trial_end": int(trial_end.timestamp()), "proration_behavior": "none"},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _refused(error) from error


def billing_portal_session_create(*, customer_id: str, return_url: str, idempotency_key: str) -> str:
    try:
        session = _client().v1.billing_portal.sessions.create(
            params={"customer": customer_id, "return_url": return_url, "locale": "pt-BR"},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _refused(error) from error
    return session.url


def meter_event_create(
    *, event_name: str, customer_id: str, value: int, timestamp: dt.datetime, identifier: str
) -> None:
    """Report usage to a Stripe Billing meter. Stripe counts an `identifier` once (within at least
    24 hours), and the same string as idempotency key replays the first answer to a retry."""
    try:
        _client().v1.billing.meter_events.create(
            params={
                "event_name": event_name,
                "payload": {"stripe_customer_id": customer_id, "value": str(value)},
                "identifier": identifier,
                "timestamp": int(timestamp.timestamp()),
            },
            options={"idempotency_key": identifier},
        )
    except stripe.StripeError as error:
        raise _refused(error) from error


def event_construct(*, payload: bytes, signature: str) -> dict[str, Any]:
    """The verified event as a plain dict (signature `t=...,v1=HMAC-SHA256(secret, "t.payload")`)."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise WebhookSignatureInvalid("no webhook secret configured")
    try:
        event = stripe.Webhook.construct_event(
            payload, signature, settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
        )
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise WebhookSignatureInvalid(str(error)) from error
    return event.to_dict()
