from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import GuideEventKind, GuideStatus, PixKeyType, RefundStatus, WebhookOutcome
from .validators import document_masked


class PixSettings(BaseModel):
    """The city's own Pix account (one row per city schema): fees go to this key, never through
    the vendor's account. The webhook secret is stored only encrypted (`paco.encryption`)."""

    key_type = models.CharField(_("tipo de chave"), max_length=12, choices=PixKeyType.choices)
    key = models.CharField(_("chave Pix"), max_length=77)
    merchant_name = models.CharField(_("nome do recebedor"), max_length=25)
    merchant_city = models.CharField(_("cidade do recebedor"), max_length=15)
    webhook_secret_encrypted = models.TextField(_("segredo do webhook, cifrado"), blank=True)

    class Meta:
        verbose_name = _("configuração do Pix")
        verbose_name_plural = _("configurações do Pix")

    def __str__(self) -> str:
        return f"{self.key_type}:{self.merchant_name}"


class PspCredentials(BaseModel):
    """The city's own PSP (its bank's Pix API), one row per city schema. When `enabled`, guides,
    cancellations, refunds and the webhook registration go to it; otherwise the deployment's
    PAYMENTS_PIX_* settings (if any) are the fallback. The client secret and the private key of the
    mutual-TLS certificate are stored only encrypted (`paco.encryption`), never shown back, never
    exported (the table is excluded from the offboarding export), never logged."""

    enabled = models.BooleanField(_("usar este PSP"), default=False)
    api_url = models.URLField(_("endereço da API Pix"), max_length=300, blank=True)
    token_url = models.URLField(_("endereço do token OAuth2"), max_length=300, blank=True)
    scope = models.CharField(_("escopos"), max_length=300, blank=True)
    client_id = models.CharField(_("identificador do cliente"), max_length=200, blank=True)
    client_secret_encrypted = models.TextField(_("segredo do cliente, cifrado"), blank=True)
    certificate_pem = models.TextField(_("certificado do cliente (PEM)"), blank=True)
    private_key_encrypted = models.TextField(_("chave privada do certificado, cifrada"), blank=True)
    webhook_client_subject = models.CharField(
        _("titular do certificado do PSP nos avisos (subject DN)"), max_length=500, blank=True
    )
    webhook_url = models.CharField(_("endereço do webhook cadastrado"), max_length=300, blank=True)
    webhook_registered_at = models.DateTimeField(_("webhook cadastrado em"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("alterado por"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("PSP da prefeitura")
        verbose_name_plural = _("PSPs das prefeituras")

    def __str__(self) -> str:
        return self.api_url or "-"


class GuideCounter(models.Model):
    """The last guide number of each year (DAM numbers are sequential per city and year)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}:{self.last}"


class PaymentGuide(BaseModel):
    """A municipal fee guide (DAM) paid by Pix. `purpose` + `reference` say what it pays for (the
    module that issued it and its own id); the module's handler runs once it is paid."""

    year = models.PositiveSmallIntegerField(_("ano"))
    number = models.PositiveIntegerField(_("número"))
    purpose = models.CharField(_("finalidade"), max_length=60)
    reference = models.CharField(_("referência"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("titular da conta"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_guides",
    )
    payer_name = models.CharField(_("pagador"), max_length=200)
    payer_document = models.CharField(_("CPF/CNPJ do pagador"), max_length=14)
    amount = models.DecimalField(_("valor"), max_digits=12, decimal_places=2)
    description = models.CharField(_("descrição"), max_length=200)
    due_date = models.DateField(_("vencimento"))
    status = models.CharField(
        _("situação"), max_length=12, choices=GuideStatus.choices, default=GuideStatus.PENDING
    )
    txid = models.CharField(_("identificador Pix (txid)"), max_length=35, unique=True)
    br_code = models.TextField(_("Pix copia e cola"))
    provider_location = models.CharField(_("endereço da cobrança no PSP"), max_length=200, blank=True)
    paid_at = models.DateTimeField(_("paga em"), null=True, blank=True)
    paid_amount = models.DecimalField(_("valor pago"), max_digits=12, decimal_places=2, null=True, blank=True)
    provider_reference = models.CharField(
        _("identificador do pagamento (endToEndId)"), max_length=60, blank=True
    )
    handled_at = models.DateTimeField(_("efeitos aplicados em"), null=True, blank=True)
    cancel_reason = models.CharField(_("motivo do cancelamento"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("guia de pagamento (DAM)")
        verbose_name_plural = _("guias de pagamento (DAM)")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="payments_guide_number_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payments_guide_amount_positive"),
            models.UniqueConstraint(
                fields=["purpose", "reference"],
                condition=models.Q(status="pendente"),
                name="payments_guide_one_pending",
            ),
        ]
        indexes = [models.Index(fields=["purpose", "reference"]), models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.number:06d}/{self.year}"

    @property
    def payer_document_masked(self) -> str:
        return document_masked(self.payer_document)

    @property
    def is_payable(self) -> bool:
        return self.status == GuideStatus.PENDING

    @property
    def refund_state(self) -> dict[str, Any] | None:
        """What was given back of a paid guide: {"done": R$, "in_progress": R$, "whole": bool}, or None."""
        if self.status != GuideStatus.PAID:
            return None
        done = in_progress = Decimal("0.00")
        for status, amount in self.refunds.values_list("status", "amount"):
            if status == RefundStatus.DONE:
                done += amount
            elif status in (RefundStatus.REQUESTED, RefundStatus.PROCESSING):
                in_progress += amount
        if not done and not in_progress:
            return None
        return {"done": done, "in_progress": in_progress, "whole": done >= (self.paid_amount or self.amount)}


class GuideEvent(BaseModel):
    """Append-only history of a guide: issued, paid (by the bank's notice or by hand, with the
    person and the reason), cancelled, expired, a payment with a different amount."""

    guide = models.ForeignKey(PaymentGuide, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("evento"), max_length=20, choices=GuideEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("por"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("motivo"), max_length=300, blank=True)
    amount = models.DecimalField(_("valor"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("evento da guia")
        verbose_name_plural = _("eventos das guias")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.guide_id}:{self.kind}"


class WebhookEvent(BaseModel):
    """Every Pix the provider told us about, once (by its endToEndId): a repeated notice is
    recognised and not applied again."""

    event_id = models.CharField(_("endToEndId"), max_length=60, unique=True)
    txid = models.CharField(_("txid"), max_length=35, blank=True)
    amount = models.DecimalField(_("valor"), max_digits=12, decimal_places=2)
    paid_at = models.DateTimeField(_("horário do pagamento"), null=True, blank=True)
    guide = models.ForeignKey(
        PaymentGuide, on_delete=models.PROTECT, null=True, blank=True, related_name="webhook_events"
    )
    outcome = models.CharField(_("resultado"), max_length=20, choices=WebhookOutcome.choices)
    payload = models.JSONField(_("conteúdo recebido"))

    class Meta:
        verbose_name = _("aviso de pagamento")
        verbose_name_plural = _("avisos de pagamento")

    def __str__(self) -> str:
        return self.event_id


class Refund(BaseModel):
    """A devolução of a paid guide's Pix (whole or part), asked by staff with a reason through the
    PSP (`PUT /v2/pix/{e2eid}/devolucao/{id}`), or told by the PSP's webhook (`devolucoes`)."""

    guide = models.ForeignKey(PaymentGuide, on_delete=models.PROTECT, related_name="refunds")
    refund_id = models.CharField(_("identificador da devolução"), max_length=35)
    end_to_end_id = models.CharField(_("endToEndId do Pix devolvido"), max_length=60)
    amount = models.DecimalField(_("valor"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("motivo"), max_length=140)
    status = models.CharField(_("situação"), max_length=20, choices=RefundStatus.choices)
    rtr_id = models.CharField(_("identificador da devolução no SPI (rtrId)"), max_length=60, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("solicitada por"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("liquidada em"), null=True, blank=True)
    error = models.CharField(_("resposta do banco"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("devolução")
        verbose_name_plural = _("devoluções")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["end_to_end_id", "refund_id"], name="payments_refund_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payments_refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.end_to_end_id}:{self.refund_id}"


class CollectionDay(models.Model):
    """Daily aggregate for the indicators (`indicators.py`): guides paid and amount collected,
    per local day and purpose."""

    day = models.DateField()
    purpose = models.CharField(max_length=60)
    paid = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "purpose"], name="payments_collectionday_once")]

    def __str__(self) -> str:
        return f"{self.day}:{self.purpose}"
