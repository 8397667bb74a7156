import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel
from tenants.enums import State
from tenants.models import Municipality

from .enums import OPEN_STATUSES, PaymentMethod, SignupStatus


class Signup(BaseModel):
    """A municipality's self-service signup (public schema), from the form to the live portal.

    The verification token is kept only as its SHA-256: the raw token travels in the e-mail alone.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ibge_code = models.CharField(_("código IBGE"), max_length=7)
    city_name = models.CharField(_("município"), max_length=120)
    uf = models.CharField(_("UF"), max_length=2, choices=State.choices)
    slug = models.CharField(_("endereço"), max_length=42)
    admin_full_name = models.CharField(_("nome do responsável"), max_length=150)
    admin_cpf = models.CharField(_("CPF"), max_length=11)
    admin_email = models.EmailField(_("e-mail institucional"))
    plan_code = models.CharField(_("plano"), max_length=32)
    payment_method = models.CharField(_("forma de pagamento"), max_length=16, choices=PaymentMethod.choices)
    status = models.CharField(
        _("situação"), max_length=24, choices=SignupStatus.choices, default=SignupStatus.PENDING_VERIFICATION
    )
    verification_token_hash = models.CharField(max_length=64, db_index=True)
    verification_expires_at = models.DateTimeField(_("link válido até"))
    verified_at = models.DateTimeField(_("confirmado em"), null=True, blank=True)
    ready_at = models.DateTimeField(_("pronto em"), null=True, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signups",
        verbose_name=_("município criado"),
    )
    # seconds each provisioning step took, in the order they ran
    step_seconds = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("erro"), blank=True)
    billing_error = models.TextField(_("erro de cobrança"), blank=True)
    remote_addr = models.CharField(max_length=45, blank=True)

    class Meta:
        verbose_name = _("cadastro de município")
        verbose_name_plural = _("cadastros de municípios")
        constraints = [
            models.UniqueConstraint(
                fields=["ibge_code"],
                condition=Q(status__in=OPEN_STATUSES),
                name="onboarding_one_open_signup_per_city",
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(status__in=OPEN_STATUSES),
                name="onboarding_one_open_signup_per_slug",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city_name}/{self.uf} ({self.slug}): {self.status}"
