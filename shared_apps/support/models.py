"""Vendor support (public schema): actions on a city, support sessions inside a city, error tallies."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel
from tenants.models import Municipality

from .enums import AccessMode, SessionStatus, SupportAction


class SupportActionLog(BaseModel):
    """One action vendor support took on a municipality from the control plane."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("município")
    )
    support_email = models.EmailField(_("suporte"))
    action = models.CharField(_("ação"), max_length=24, choices=SupportAction.choices)
    detail = models.TextField(_("detalhe"), blank=True)
    at = models.DateTimeField(_("quando"))

    class Meta:
        verbose_name = _("ação do suporte")
        verbose_name_plural = _("ações do suporte")
        indexes = [models.Index(fields=["municipality", "-at"], name="support_action_when_idx")]

    def __str__(self) -> str:
        return f"{self.municipality_id}:{self.action}@{self.at:%Y-%m-%d %H:%M}"


class SupportAccessPolicy(BaseModel):
    """Whether support may enter the city, per municipality (no row: `approval`)."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="support_policy", verbose_name=_("município")
    )
    mode = models.CharField(_("acesso do suporte"), max_length=16, choices=AccessMode.choices)
    changed_by = models.EmailField(_("alterado por"), blank=True)

    class Meta:
        verbose_name = _("política de acesso do suporte")
        verbose_name_plural = _("políticas de acesso do suporte")

    def __str__(self) -> str:
        return f"{self.municipality_id}:{self.mode}"


class SupportSession(BaseModel):
    """Support seeing a city as one of its staff accounts, read-only, for a limited time.

    The handoff token (the link from the control plane to the city's host) is kept as its SHA-256
    only, is valid for SUPPORT_HANDOFF_SECONDS and works once.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("município")
    )
    support_email = models.EmailField(_("e-mail do suporte"))
    support_name = models.CharField(_("nome do suporte"), max_length=150)
    reason = models.TextField(_("motivo"))
    target_email = models.EmailField(_("conta vista"))
    target_name = models.CharField(_("nome da conta vista"), max_length=150, blank=True)
    minutes = models.PositiveSmallIntegerField(_("duração (minutos)"), default=30)
    status = models.CharField(
        _("situação"), max_length=16, choices=SessionStatus.choices, default=SessionStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("pedida em"))
    decided_by = models.EmailField(_("decidida por"), blank=True)
    decided_at = models.DateTimeField(_("decidida em"), null=True, blank=True)
    started_at = models.DateTimeField(_("iniciada em"), null=True, blank=True)
    expires_at = models.DateTimeField(_("termina em"), null=True, blank=True)
    ended_at = models.DateTimeField(_("encerrada em"), null=True, blank=True)
    ended_by = models.CharField(_("encerrada por"), max_length=254, blank=True)
    handoff_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    handoff_expires_at = models.DateTimeField(null=True, blank=True)
    handoff_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sessão de suporte")
        verbose_name_plural = _("sessões de suporte")
        indexes = [models.Index(fields=["municipality", "-requested_at"], name="support_session_when_idx")]

    def __str__(self) -> str:
        return f"{self.municipality_id}:{self.support_email}->{self.target_email} {self.status}"


class SupportAuditEntry(models.Model):
    """One request support made inside a city during a session."""

    session = models.ForeignKey(SupportSession, on_delete=models.CASCADE, related_name="audit_entries")
    at = models.DateTimeField(_("quando"))
    method = models.CharField(_("método"), max_length=8)
    path = models.CharField(_("endereço"), max_length=500)
    status_code = models.PositiveSmallIntegerField(_("resposta"))

    class Meta:
        verbose_name = _("registro de sessão de suporte")
        verbose_name_plural = _("registros de sessões de suporte")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.method} {self.path} {self.status_code}"


class ErrorTally(models.Model):
    """Server errors of a municipality (requests on its host that raised, jobs that failed), per
    local day and hour, so the console can show the last 24 hours and the last 7 days."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    hour = models.PositiveSmallIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "day", "hour"], name="support_error_tally_once")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}:{self.day}T{self.hour:02d}={self.count}"
