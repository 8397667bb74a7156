from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import ReliabilityLevel


class GovBrClient(BaseModel):
    """The city's client registered with gov.br (one row per city schema).

    The secret is stored only encrypted (`paco.encryption`); an empty issuer means the deployment's
    `GOVBR_ISSUER`.
    """

    enabled = models.BooleanField(_("entrada com gov.br ativa"), default=False)
    issuer = models.URLField(_("emissor (issuer)"), blank=True)
    client_id = models.CharField(_("identificador do cliente (client_id)"), max_length=200, blank=True)
    client_secret_encrypted = models.TextField(_("segredo do cliente, cifrado"), blank=True)

    class Meta:
        verbose_name = _("cliente gov.br")
        verbose_name_plural = _("clientes gov.br")

    def __str__(self) -> str:
        return self.client_id or "gov.br"


class GovBrIdentity(BaseModel):
    """A user's gov.br account (the CPF is gov.br's subject), linked to one account of this city."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="govbr_identity"
    )
    cpf = models.CharField(_("CPF"), max_length=11, unique=True)
    reliability_level = models.CharField(
        _("nível da conta gov.br"), max_length=8, choices=ReliabilityLevel.choices, blank=True
    )
    reliability_read_at = models.DateTimeField(_("nível lido em"), null=True, blank=True)
    last_login_at = models.DateTimeField(_("última entrada com gov.br"), null=True, blank=True)

    class Meta:
        verbose_name = _("vínculo gov.br")
        verbose_name_plural = _("vínculos gov.br")

    def __str__(self) -> str:
        return f"{self.user_id} ({self.reliability_level or '-'})"


class GovBrNonce(BaseModel):
    """Every nonce an accepted ID token carried: a token seen twice is a replay and is refused."""

    nonce = models.CharField(max_length=128, unique=True)

    class Meta:
        verbose_name = _("nonce usado")
        verbose_name_plural = _("nonces usados")

    def __str__(self) -> str:
        return self.nonce[:8]


class ReliabilityRequirement(BaseModel):
    """The lowest gov.br level a citizen needs to use something online: a catalogue service (by
    its code) or a kind of ombudsman manifestation (and, when they land, a kind of permit)."""

    class Target(models.TextChoices):
        SERVICE = "servico", _("serviço da carta")
        OMBUDSMAN = "ouvidoria", _("tipo de manifestação da ouvidoria")
        PERMIT = "licenca", _("tipo de licença")

    target = models.CharField(_("onde vale"), max_length=12, choices=Target.choices)
    code = models.CharField(_("código"), max_length=100)
    level = models.CharField(_("nível mínimo"), max_length=8, choices=ReliabilityLevel.choices)

    class Meta:
        verbose_name = _("nível mínimo gov.br")
        verbose_name_plural = _("níveis mínimos gov.br")
        constraints = [models.UniqueConstraint(fields=["target", "code"], name="govbr_requirement_once")]

    def __str__(self) -> str:
        return f"{self.target}:{self.code}>={self.level}"
