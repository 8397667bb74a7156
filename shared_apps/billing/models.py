from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel
from tenants.models import Municipality

from .enums import CollectionMethod, SubscriptionStatus, WebhookOutcome


class Subscription(BaseModel):
    """A municipality's subscription (public schema), mirrored from Stripe by the webhooks.

    The municipal admin lives in the tenant's schema, so the e-mail dunning letters go to is kept
    here, where the control plane can read it.
    """

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="subscription", verbose_name=_("município")
    )
    plan_code = models.CharField(_("plano"), max_length=32)
    contact_email = models.EmailField(_("e-mail de cobrança"))
    collection_method = models.CharField(
        _("forma de pagamento"), max_length=16, choices=CollectionMethod.choices, blank=True
    )
    stripe_customer_id = models.CharField(max_length=64, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("situação"), max_length=24, choices=SubscriptionStatus.choices, default=SubscriptionStatus.TRIALING
    )
    trial_end = models.DateTimeField(_("fim da avaliação"), null=True, blank=True)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    # When the Stripe customer was created: usage before it (a trial without a subscription) is
    # shown to the city but never reported to Stripe's meters.
    metering_since = models.DateTimeField(null=True, blank=True)
    # `created` of the newest Stripe event applied: older events arriving late change nothing.
    state_event_created = models.DateTimeField(null=True, blank=True)
    # Bumped for every request a person starts (checkout, portal): the idempotency keys derive from it.
    request_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("assinatura")
        verbose_name_plural = _("assinaturas")

    def __str__(self) -> str:
        return f"{self.municipality_id}:{self.plan_code}:{self.status}"


class WebhookEvent(BaseModel):
    """Every Stripe event received once: the unique event id makes replays change nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    event_created = models.DateTimeField()
    outcome = models.CharField(max_length=24, choices=WebhookOutcome.choices)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )

    class Meta:
        verbose_name = _("evento do Stripe")
        verbose_name_plural = _("eventos do Stripe")

    def __str__(self) -> str:
        return f"{self.event_id} {self.event_type}"
