from django.db import models
from django.utils.translation import gettext_lazy as _


class SubscriptionStatus(models.TextChoices):
    """Stripe's subscription statuses, stored as Stripe spells them."""

    TRIALING = "trialing", _("Em avaliação")
    INCOMPLETE = "incomplete", _("Aguardando o primeiro pagamento")
    INCOMPLETE_EXPIRED = "incomplete_expired", _("Primeiro pagamento não concluído")
    ACTIVE = "active", _("Em dia")
    PAST_DUE = "past_due", _("Pagamento em atraso")
    UNPAID = "unpaid", _("Não paga")
    PAUSED = "paused", _("Pausada")
    CANCELED = "canceled", _("Cancelada")


class CollectionMethod(models.TextChoices):
    CARD = "card", _("Cartão (Stripe Checkout)")
    BOLETO = "boleto", _("Boleto (fatura mensal)")


class WebhookOutcome(models.TextChoices):
    APPLIED = "applied", _("Aplicado")
    STALE = "stale", _("Mais antigo que o estado atual: ignorado")
    IGNORED = "ignored", _("Sem efeito")
    UNKNOWN_CUSTOMER = "unknown_customer", _("Cliente desconhecido")
