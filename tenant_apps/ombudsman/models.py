from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import AppealInstance, CountKind, IdentityMode, ManifestationKind


def _days(label: Any, default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )


def _count(label: Any) -> models.CharField:
    return models.CharField(label, max_length=10, choices=CountKind.choices, default=CountKind.CALENDAR_DAYS)


class OmbudsmanSettings(BaseModel):
    """The municipality's deadline rules and its ombudsman office (one row per tenant).

    The defaults are the federal ones (see `deadlines.py` for the article behind each number);
    a municipal decree may use other numbers or business days.
    """

    ombudsman_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("unidade da ouvidoria"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Só os servidores desta unidade veem a identidade de quem pediu sigilo."),
    )
    answer_days = _days(_("prazo da resposta final (manifestações)"), 30)
    answer_count = _count(_("contagem do prazo da resposta final"))
    answer_extension_days = _days(_("prorrogação da resposta final"), 30)
    unit_input_days = _days(_("prazo das unidades consultadas"), 20)
    unit_input_count = _count(_("contagem do prazo das unidades"))
    unit_input_extension_days = _days(_("prorrogação das unidades consultadas"), 20)
    lai_days = _days(_("prazo do pedido de acesso à informação"), 20)
    lai_count = _count(_("contagem do prazo da LAI"))
    lai_extension_days = _days(_("prorrogação do pedido de acesso à informação"), 10)
    appeal_filing_days = _days(_("prazo para recorrer"), 10)
    appeal_decision_days = _days(_("prazo para decidir o recurso"), 5)
    appeal_count = _count(_("contagem dos prazos de recurso"))
    reopen_days = _days(_("janela para reabrir depois da conclusão"), 30)
    warning_days = _days(_("destacar quando faltarem (dias)"), 5)

    class Meta:
        verbose_name = _("configuração da ouvidoria")
        verbose_name_plural = _("configurações da ouvidoria")

    def __str__(self) -> str:
        return str(_("Configuração da ouvidoria"))


class Manifestation(BaseModel):
    """A manifestação (Lei 13.460/2017) or LAI request. The case carries NUP, unit, deadline and history.

    The filer's identity lives only here: for protected and anonymous manifestations the case's
    `citizen` is the ombudsman's system account, so nothing of the case engine shows who filed.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="manifestation")
    kind = models.CharField(_("tipo"), max_length=20, choices=ManifestationKind.choices)
    identity_mode = models.CharField(_("identificação"), max_length=15, choices=IdentityMode.choices)
    filer_name = models.CharField(_("nome"), max_length=200, blank=True)
    filer_cpf = models.CharField(_("CPF"), max_length=11, blank=True)
    filer_email = models.EmailField(_("e-mail"), blank=True)
    filer_phone = models.CharField(_("celular"), max_length=20, blank=True)
    pseudonym = models.CharField(_("pseudônimo"), max_length=30)
    access_code_hash = models.CharField(max_length=64, unique=True, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extended_at = models.DateTimeField(_("prorrogada em"), null=True, blank=True)
    extension_justification = models.TextField(_("justificativa da prorrogação"), blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_answered_in_time = models.BooleanField(_("respondida no prazo"), null=True, blank=True)
    is_resolved = models.BooleanField(_("resolvida (segundo o manifestante)"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfação"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rated_at = models.DateTimeField(_("avaliada em"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reaberta pelo manifestante em"), null=True, blank=True)

    class Meta:
        verbose_name = _("manifestação")
        verbose_name_plural = _("manifestações")
        indexes = [models.Index(fields=["kind", "-created_at"], name="ombudsman_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id}"

    @property
    def is_identity_protected(self) -> bool:
        return self.identity_mode != IdentityMode.IDENTIFIED

    @property
    def is_information_access(self) -> bool:
        return self.kind == ManifestationKind.INFORMATION_ACCESS


class UnitInput(BaseModel):
    """The ombudsman asked a unit for information (Lei 13.460/2017, art. 16, parágrafo único)."""

    manifestation = models.ForeignKey(Manifestation, on_delete=models.CASCADE, related_name="unit_inputs")
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("pedido à unidade"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("prazo da unidade"))
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_justification = models.TextField(blank=True)
    answer = models.TextField(_("resposta da unidade"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.manifestation_id} -> {self.unit_id}"


class IdentityAccess(models.Model):
    """Append-only log of every view of a protected identity: who, when, why."""

    manifestation = models.ForeignKey(
        Manifestation, on_delete=models.PROTECT, related_name="identity_accesses"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    user_name = models.CharField(max_length=200)
    unit_name = models.CharField(max_length=250, blank=True)
    reason = models.CharField(_("motivo"), max_length=500)
    accessed_at = models.DateTimeField()

    class Meta:
        ordering = ["-accessed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.manifestation_id} by {self.user_id}"


class Appeal(BaseModel):
    """A LAI appeal: 1st instance (Lei 12.527/2011, art. 15) or 2nd (art. 16; Decreto 7.724/2012, art. 23)."""

    manifestation = models.ForeignKey(Manifestation, on_delete=models.CASCADE, related_name="appeals")
    instance = models.PositiveSmallIntegerField(_("instância"), choices=AppealInstance.choices)
    reason = models.TextField(_("razões do recurso"))
    deadline = models.DateField(_("prazo para decidir"))
    decision = models.TextField(_("decisão"), blank=True)
    is_granted = models.BooleanField(_("provido"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["instance"]
        constraints = [
            models.UniqueConstraint(fields=["manifestation", "instance"], name="ombudsman_appeal_once")
        ]

    def __str__(self) -> str:
        return f"{self.manifestation_id} recurso {self.instance}"
