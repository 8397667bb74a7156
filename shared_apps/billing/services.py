"""Billing writes: start a subscription (Checkout or boleto), open the portal, apply Stripe's webhooks.

The tenant's status follows its subscription (see `municipality_status_for`):

    trialing -> trial · active -> active · past_due -> active with a warning, read_only after
    BILLING_GRACE_DAYS · unpaid, paused -> read_only · canceled -> cancelled (read-only too: citizens keep
    reading their cases; deleting the data is offboarding's job) · incomplete* -> unchanged

A municipality suspended by vendor support stays suspended whatever Stripe says.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from paco.text import brl
from tenants.enums import MunicipalityStatus
from tenants.models import Municipality
from tenants.selectors import municipality_base_url
from tenants.services import municipality_set_status

from . import stripe_adapter
from .enums import CollectionMethod, SubscriptionStatus, WebhookOutcome
from .models import Subscription, WebhookEvent
from .selectors import plan_for_population, plan_price_ids

logger = logging.getLogger(__name__)

# Stripe requires a Checkout trial to end at least 48 hours from now; shorter remainders are dropped.
_MINIMUM_TRIAL = dt.timedelta(hours=49)


@transaction.atomic
def subscription_ensure(
    *, municipality: Municipality, contact_email: str, plan_code: str | None = None
) -> Subscription:
    """The municipality's subscription row, created in trial with `plan_code` (default: the plan of
    its population tier)."""
    subscription, created = Subscription.objects.get_or_create(
        municipality=municipality,
        defaults={
            "plan_code": plan_code or plan_for_population(municipality.population).code,
            "contact_email": contact_email,
            "status": SubscriptionStatus.TRIALING,
            "trial_end": timezone.now() + dt.timedelta(days=settings.BILLING_TRIAL_DAYS),
        },
    )
    if not created and contact_email and subscription.contact_email != contact_email:
        subscription.contact_email = contact_email
        subscription.save(update_fields=["contact_email", "updated_at"])
    return subscription


def _idempotency_key(subscription: Subscription, purpose: str) -> str:
    """`paco-<purpose>-<subscription id>-<sequence>`: one key per request a person starts."""
    Subscription.objects.filter(pk=subscription.pk).update(request_sequence=F("request_sequence") + 1)
    subscription.refresh_from_db(fields=["request_sequence"])
    return f"paco-{purpose}-{subscription.pk}-{subscription.request_sequence}"


def _metadata(subscription: Subscription) -> dict[str, str]:
    municipality = subscription.municipality
    return {
        "municipality_id": str(municipality.pk),
        "schema_name": municipality.schema_name,
        "ibge_code": municipality.ibge_code,
    }


def _customer_ensure(subscription: Subscription) -> str:
    if not subscription.stripe_customer_id:
        municipality = subscription.municipality
        # One customer per municipality, ever: the key is the municipality's id alone.
        subscription.stripe_customer_id = stripe_adapter.customer_create(
            name=municipality.display_name,
            email=subscription.contact_email,
            metadata=_metadata(subscription),
            idempotency_key=f"paco-customer-{municipality.pk}",
        )
        subscription.metering_since = subscription.metering_since or timezone.now()
        subscription.save(update_fields=["stripe_customer_id", "metering_since", "updated_at"])
    return subscription.stripe_customer_id


def _remaining_trial(subscription: Subscription) -> dt.datetime | None:
    if subscription.status != SubscriptionStatus.TRIALING or subscription.trial_end is None:
        return None
    return subscription.trial_end if subscription.trial_end - timezone.now() >= _MINIMUM_TRIAL else None


def _subscribable(subscription: Subscription) -> None:
    if subscription.stripe_subscription_id and subscription.status not in (
        SubscriptionStatus.CANCELED,
        SubscriptionStatus.INCOMPLETE_EXPIRED,
    ):
        raise ApplicationError(
            _("O município já tem uma assinatura. Use “Gerenciar pagamento” para alterá-la.")
        )


@transaction.atomic
def subscription_checkout_start(
    *, municipality: Municipality, contact_email: str, success_url: str, cancel_url: str
) -> stripe_adapter.CheckoutSession:
    """A Stripe Checkout Session (subscription, card) for the municipality's plan."""
    subscription = subscription_ensure(municipality=municipality, contact_email=contact_email)
    subscription = (
        Subscription.objects.select_for_update().select_related("municipality").get(pk=subscription.pk)
    )
    _subscribable(subscription)
    customer_id = _customer_ensure(subscription)
    price_ids, metered_price_ids = plan_price_ids(subscription.plan_code)
    return stripe_adapter.checkout_session_create(
        customer_id=customer_id,
        price_ids=price_ids,
        metered_price_ids=metered_price_ids,
        client_reference_id=str(municipality.pk),
        metadata=_metadata(subscription),
        success_url=success_url,
        cancel_url=cancel_url,
        trial_end=_remaining_trial(subscription),
        idempotency_key=_idempotency_key(subscription, "checkout"),
    )


@transaction.atomic
def subscription_invoice_start(*, municipality: Municipality, contact_email: str) -> Subscription:
    """A subscription paid by boleto: Stripe sends a monthly invoice, payable for N days."""
    subscription = subscription_ensure(municipality=municipality, contact_email=contact_email)
    subscription = (
        Subscription.objects.select_for_update().select_related("municipality").get(pk=subscription.pk)
    )
    _subscribable(subscription)
    customer_id = _customer_ensure(subscription)
    price_ids, metered_price_ids = plan_price_ids(subscription.plan_code)
    created = stripe_adapter.subscription_create_invoiced(
        customer_id=customer_id,
        price_ids=price_ids,
        metered_price_ids=metered_price_ids,
        metadata=_metadata(subscription),
        days_until_due=settings.BILLING_INVOICE_DAYS_UNTIL_DUE,
        trial_end=_remaining_trial(subscription),
        idempotency_key=_idempotency_key(subscription, "subscription"),
    )
    subscription.stripe_subscription_id = created.id
    subscription.collection_method = CollectionMethod.BOLETO
    subscription.save(update_fields=["stripe_subscription_id", "collection_method", "updated_at"])
    return subscription


@transaction.atomic
def subscription_portal_start(*, municipality: Municipality, return_url: str) -> str:
    """The URL of a Stripe Customer Portal session for the municipality's customer."""
    subscription = Subscription.objects.select_for_update().filter(municipality=municipality).first()
    if subscription is None or not subscription.stripe_customer_id:
        raise ApplicationError(_("Assine um plano antes de gerenciar o pagamento."))
    return stripe_adapter.billing_portal_session_create(
        customer_id=subscription.stripe_customer_id,
        return_url=return_url,
        idempotency_key=_idempotency_key(subscription, "portal"),
    )


# --- webhooks -------------------------------------------------------------------------------------


def municipality_status_for(*, subscription: Subscription, now: dt.datetime) -> str | None:
    status = subscription.status
    if status == SubscriptionStatus.TRIALING:
        return MunicipalityStatus.TRIAL
    if status == SubscriptionStatus.ACTIVE:
        return MunicipalityStatus.ACTIVE
    if status == SubscriptionStatus.PAST_DUE:
        grace = dt.timedelta(days=settings.BILLING_GRACE_DAYS)
        if subscription.past_due_since is not None and now - subscription.past_due_since > grace:
            return MunicipalityStatus.READ_ONLY
        return MunicipalityStatus.ACTIVE
    if status in (SubscriptionStatus.UNPAID, SubscriptionStatus.PAUSED):
        return MunicipalityStatus.READ_ONLY
    if status == SubscriptionStatus.CANCELED:
        return MunicipalityStatus.CANCELLED
    return None


def _municipality_sync(subscription: Subscription, *, now: dt.datetime) -> None:
    municipality = subscription.municipality
    target = municipality_status_for(subscription=subscription, now=now)
    if target is None or municipality.status in (MunicipalityStatus.SUSPENDED, target):
        return
    municipality_set_status(municipality=municipality, status=target)
    logger.info(
        "billing moved %s to %s (subscription %s)", municipality.schema_name, target, subscription.status
    )


def _timestamp(value: Any) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC) if value else None


def _stripe_id(value: Any) -> str:
    """An expandable field: an id, or the expanded object."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def _invoice_subscription_id(invoice: dict[str, Any]) -> str:
    # Since API version 2025-03-31 the invoice's subscription lives under parent.subscription_details.
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return _stripe_id(details.get("subscription") or invoice.get("subscription"))


def _subscription_for_event(event_type: str, data: dict[str, Any]) -> Subscription | None:
    rows = Subscription.objects.select_for_update(of=("self",)).select_related("municipality")
    customer_id = _stripe_id(data.get("customer"))
    if customer_id:
        found = rows.filter(stripe_customer_id=customer_id).first()
        if found is not None:
            return found
    subscription_id = (
        data.get("id") if event_type.startswith("customer.subscription.") else data.get("subscription")
    )
    if event_type.startswith("invoice."):
        subscription_id = _invoice_subscription_id(data)
    if subscription_id:
        found = rows.filter(stripe_subscription_id=_stripe_id(subscription_id)).first()
        if found is not None:
            return found
    # Our own ids, which we put on the Checkout Session and the subscription.
    municipality_id = data.get("client_reference_id") or (data.get("metadata") or {}).get("municipality_id")
    if municipality_id and str(municipality_id).isdigit():
        found = rows.filter(municipality_id=int(municipality_id)).first()
        if found is not None and (not found.stripe_customer_id or not customer_id):
            return found
    return None


def _link(subscription: Subscription, data: dict[str, Any], subscription_id: str) -> None:
    customer_id = _stripe_id(data.get("customer"))
    if customer_id and not subscription.stripe_customer_id:
        subscription.stripe_customer_id = customer_id
        # a customer made on Stripe's side (not by _customer_ensure): usage is reported from now on
        subscription.metering_since = subscription.metering_since or timezone.now()
    if subscription_id:
        subscription.stripe_subscription_id = subscription_id


def _on_checkout_completed(subscription: Subscription, data: dict[str, Any], created: dt.datetime) -> bool:
    _link(subscription, data, _stripe_id(data.get("subscription")))
    subscription.collection_method = CollectionMethod.CARD
    if data.get("payment_status") == "paid" and subscription.status != SubscriptionStatus.CANCELED:
        subscription.status = SubscriptionStatus.ACTIVE
    return True


def _on_subscription_changed(subscription: Subscription, data: dict[str, Any], created: dt.datetime) -> bool:
    _link(subscription, data, _stripe_id(data.get("id")))
    if data.get("status") in SubscriptionStatus.values:
        subscription.status = data["status"]
    items = ((data.get("items") or {}).get("data")) or [{}]
    # Since API version 2025-03-31 the billing period is on each subscription item.
    start = data.get("current_period_start") or items[0].get("current_period_start")
    end = data.get("current_period_end") or items[0].get("current_period_end")
    subscription.current_period_start = _timestamp(start) or subscription.current_period_start
    subscription.current_period_end = _timestamp(end) or subscription.current_period_end
    subscription.trial_end = _timestamp(data.get("trial_end")) or subscription.trial_end
    return True


def _on_subscription_deleted(subscription: Subscription, data: dict[str, Any], created: dt.datetime) -> bool:
    _on_subscription_changed(subscription, data, created)
    subscription.status = SubscriptionStatus.CANCELED
    return True


def _on_invoice_paid(subscription: Subscription, data: dict[str, Any], created: dt.datetime) -> bool:
    status = subscription.status
    # The zero invoice that opens a trial is "paid" too: it must not end the trial.
    paid_for_real = int(data.get("amount_paid") or 0) > 0
    if status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID, SubscriptionStatus.INCOMPLETE) or (
        status == SubscriptionStatus.TRIALING and paid_for_real
    ):
        subscription.status = SubscriptionStatus.ACTIVE
        return True
    return False


def _on_invoice_failed(subscription: Subscription, data: dict[str, Any], created: dt.datetime) -> bool:
    if subscription.status in (SubscriptionStatus.CANCELED, SubscriptionStatus.UNPAID):
        return False
    subscription.status = SubscriptionStatus.PAST_DUE
    invoice_url = str(data.get("hosted_invoice_url") or "")
    amount = int(data.get("amount_due") or 0)
    transaction.on_commit(
        lambda: dunning_email_send(
            subscription_id=subscription.pk, amount_due_cents=amount, invoice_url=invoice_url
        )
    )
    return True


_HANDLERS = {
    "checkout.session.completed": _on_checkout_completed,
    "customer.subscription.created": _on_subscription_changed,
    "customer.subscription.updated": _on_subscription_changed,
    "customer.subscription.deleted": _on_subscription_deleted,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_failed": _on_invoice_failed,
}


@transaction.atomic
def webhook_event_process(*, event: dict[str, Any]) -> str | None:
    """Apply one verified Stripe event; None when it was already received (a replay).

    Idempotent on the event id (a unique row per event, inserted first: a concurrent delivery of
    the same event waits on the insert and then finds it). Out-of-order delivery: an event older
    than the newest one applied to the subscription changes nothing, so the state never moves back.
    """
    created = _timestamp(event.get("created")) or timezone.now()
    event_type = str(event.get("type") or "")
    try:
        with transaction.atomic():
            record = WebhookEvent.objects.create(
                event_id=str(event["id"]),
                event_type=event_type,
                event_created=created,
                outcome=WebhookOutcome.IGNORED,
            )
    except IntegrityError:
        return None
    handler = _HANDLERS.get(event_type)
    if handler is None:
        return record.outcome
    data = (event.get("data") or {}).get("object") or {}
    subscription = _subscription_for_event(event_type, data)
    if subscription is None:
        record.outcome = WebhookOutcome.UNKNOWN_CUSTOMER
    elif subscription.state_event_created is not None and created < subscription.state_event_created:
        record.outcome = WebhookOutcome.STALE
    elif handler(subscription, data, created):
        if subscription.status == SubscriptionStatus.PAST_DUE:
            subscription.past_due_since = subscription.past_due_since or created
        elif subscription.status != SubscriptionStatus.UNPAID:
            subscription.past_due_since = None
        subscription.state_event_created = created
        subscription.save()
        _municipality_sync(subscription, now=timezone.now())
        record.outcome = WebhookOutcome.APPLIED
    record.subscription = subscription
    record.save(update_fields=["outcome", "subscription", "updated_at"])
    return record.outcome


def dunning_email_send(*, subscription_id: int, amount_due_cents: int, invoice_url: str) -> None:
    """Tell the municipality's billing contact that a payment failed (sent from the public schema)."""
    subscription = Subscription.objects.select_related("municipality").get(pk=subscription_id)
    municipality = subscription.municipality
    page = municipality_base_url(municipality) + reverse("subscription:page", urlconf=settings.ROOT_URLCONF)
    lines = [
        _("Olá,"),
        "",
        _("Não conseguimos receber o pagamento da assinatura do Paço de %(city)s (valor: R$ %(amount)s).")
        % {"city": municipality.display_name, "amount": brl(Decimal(amount_due_cents) / 100)},
        _(
            "Regularize em até %(days)s dias: depois disso o portal passa a funcionar somente para consulta"
            " (ninguém poderá abrir novos pedidos)."
        )
        % {"days": settings.BILLING_GRACE_DAYS},
    ]
    if invoice_url:
        lines.append(_("Fatura: %(url)s") % {"url": invoice_url})
    lines.append(_("Assinatura e forma de pagamento: %(url)s") % {"url": page})
    send_mail(
        _("Pagamento não recebido: assinatura do Paço de %(city)s") % {"city": municipality.display_name},
        "\n".join(lines),
        settings.DEFAULT_FROM_EMAIL,
        [subscription.contact_email],
    )


def subscriptions_grace_enforce(*, now: dt.datetime | None = None) -> int:
    """Make read-only the cities past due beyond the grace period, or whose trial ended long ago
    without a subscription. Returns how many changed (run daily by the scheduler)."""
    now = now or timezone.now()
    grace = dt.timedelta(days=settings.BILLING_GRACE_DAYS)
    changed = 0
    candidates = Subscription.objects.select_related("municipality").filter(
        municipality__status__in=[MunicipalityStatus.TRIAL, MunicipalityStatus.ACTIVE]
    )
    for subscription in candidates.filter(status=SubscriptionStatus.PAST_DUE, past_due_since__lt=now - grace):
        with transaction.atomic():
            _municipality_sync(subscription, now=now)
        changed += 1
    expired_trials = candidates.filter(
        status=SubscriptionStatus.TRIALING, stripe_subscription_id="", trial_end__lt=now - grace
    )
    for subscription in expired_trials:
        municipality_set_status(municipality=subscription.municipality, status=MunicipalityStatus.READ_ONLY)
        changed += 1
    return changed


@transaction.atomic
def subscription_trial_extend(*, municipality: Municipality, days: int) -> Subscription:
    """Vendor support gives a city `days` more of free trial: from the current end of the trial (or
    from now, if it already ended). With a Stripe subscription, Stripe's trial moves too, without
    proration; a read-only city whose trial had run out is back in trial (unless suspended)."""
    maximum = settings.SUPPORT_TRIAL_EXTEND_MAX_DAYS
    if not 1 <= days <= maximum:
        raise ApplicationError(_("Informe de 1 a %(maximum)d dias de extensão.") % {"maximum": maximum})
    subscription = (
        Subscription.objects.select_for_update()
        .select_related("municipality")
        .filter(municipality=municipality)
        .first()
    )
    if subscription is None or subscription.status != SubscriptionStatus.TRIALING:
        raise ApplicationError(_("Só é possível estender a avaliação de um município em avaliação."))
    now = timezone.now()
    start = subscription.trial_end if subscription.trial_end and subscription.trial_end > now else now
    subscription.trial_end = start + dt.timedelta(days=days)
    if subscription.stripe_subscription_id:
        stripe_adapter.subscription_trial_update(
            subscription_id=subscription.stripe_subscription_id,
            trial_end=subscription.trial_end,
            idempotency_key=_idempotency_key(subscription, "trial"),
        )
    subscription.save(update_fields=["trial_end", "updated_at"])
    _municipality_sync(subscription, now=now)
    return subscription


# --- scheduled reminders ----------------------------------------------------------------------------


def _billing_page(municipality: Municipality) -> str:
    return municipality_base_url(municipality) + reverse("subscription:page", urlconf=settings.ROOT_URLCONF)


def _reminder_send(subscription: Subscription, subject: str, lines: list[str]) -> None:
    municipality = subscription.municipality
    body = "\n".join(
        [
            _("Olá,"),
            "",
            *lines,
            "",
            _("Assinatura e forma de pagamento: %(url)s") % {"url": _billing_page(municipality)},
        ]
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [subscription.contact_email])


def billing_reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily dunning and trial letters (public schema; the scheduler runs it once a day).

    Dunning: a city past due gets a reminder on each day of BILLING_DUNNING_DAYS after the failed
    payment (the first letter goes out with the failure itself, from the webhook), saying how many
    days remain before the portal turns read-only. Trial: a city in trial without a subscription is
    told BILLING_TRIAL_NOTICE_DAYS days before the trial ends. Each letter is tied to one exact day
    count, so the once-a-day run sends it once.
    """
    now = now or timezone.now()
    sent = {"dunning": 0, "trial": 0}
    active_cities = Subscription.objects.select_related("municipality").filter(
        municipality__status__in=[MunicipalityStatus.TRIAL, MunicipalityStatus.ACTIVE]
    )
    for subscription in active_cities.filter(
        status=SubscriptionStatus.PAST_DUE, past_due_since__isnull=False
    ):
        days = (timezone.localdate(now) - timezone.localdate(subscription.past_due_since)).days
        if days not in settings.BILLING_DUNNING_DAYS:
            continue
        city = subscription.municipality.display_name
        _reminder_send(
            subscription,
            _("Lembrete: pagamento em atraso da assinatura do Paço de %(city)s") % {"city": city},
            [
                _("O pagamento da assinatura do Paço de %(city)s está em atraso há %(days)s dias.")
                % {"city": city, "days": days},
                _(
                    "Faltam %(left)s dias para o portal passar a funcionar somente para consulta"
                    " (ninguém poderá abrir novos pedidos)."
                )
                % {"left": max(settings.BILLING_GRACE_DAYS - days, 0)},
            ],
        )
        sent["dunning"] += 1
    trials = active_cities.filter(
        status=SubscriptionStatus.TRIALING, stripe_subscription_id="", trial_end__isnull=False
    )
    for subscription in trials:
        days = (timezone.localdate(subscription.trial_end) - timezone.localdate(now)).days
        if days not in settings.BILLING_TRIAL_NOTICE_DAYS:
            continue
        city = subscription.municipality.display_name
        _reminder_send(
            subscription,
            _("A avaliação do Paço de %(city)s termina em %(days)s dia(s)") % {"city": city, "days": days},
            [
                _("A avaliação gratuita do Paço de %(city)s termina em %(date)s.")
                % {"city": city, "date": timezone.localtime(subscription.trial_end).strftime("%d/%m/%Y")},
                _(
                    "Assine com cartão ou boleto para continuar; sem assinatura, %(grace)s dias depois do fim"
                    " da avaliação o portal passa a funcionar somente para consulta."
                )
                % {"grace": settings.BILLING_GRACE_DAYS},
            ],
        )
        sent["trial"] += 1
    return sent
