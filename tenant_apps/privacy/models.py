from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import ConsentPurpose, ExportStatus, SubjectRequestKind


class PrivacyNotice(BaseModel):
    """The city's privacy page and its data protection officer (encarregado, LGPD art. 41 § 1º:
    identity and contact published clearly, preferably on the website). One row per city."""

    body = models.TextField(_("texto do aviso de privacidade"))
    dpo_name = models.CharField(_("encarregado (nome)"), max_length=200)
    dpo_email = models.EmailField(_("encarregado (e-mail)"))
    dpo_phone = models.CharField(_("encarregado (telefone)"), max_length=30, blank=True)
    dpo_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("unidade que responde aos titulares"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("aviso de privacidade")
        verbose_name_plural = _("avisos de privacidade")

    def __str__(self) -> str:
        return self.dpo_name


class Consent(BaseModel):
    """Append-only record of each choice (LGPD art. 8: consent in writing or by another means that
    shows the will; § 2º the burden of proof is the controller's, so the text shown is kept; § 5º it
    can be withdrawn at any time). The newest row per person and purpose is in force."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("finalidade"), max_length=12, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("consentiu"))
    text_shown = models.TextField(_("texto mostrado"))
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("consentimento")
        verbose_name_plural = _("consentimentos")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "-created_at"], name="privacy_consent_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose} {self.granted}"


class DataExport(BaseModel):
    """A copy of everything the city holds about a person (LGPD art. 18 II and V; art. 19 II),
    assembled by a job. Only the SHA-256 of the download token is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    token_hash = models.CharField(max_length=64, blank=True)
    json_name = models.CharField(max_length=300, blank=True)
    pdf_name = models.CharField(max_length=300, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("cópia dos dados pessoais")
        verbose_name_plural = _("cópias dos dados pessoais")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status}"


class SubjectRequest(BaseModel):
    """A request for correction or deletion: a case routed to the encarregado's unit, answered in
    15 days (LGPD art. 19 II, applied by analogy to art. 18 requests; art. 18 § 5º)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subject_requests"
    )
    kind = models.CharField(_("pedido"), max_length=14, choices=SubjectRequestKind.choices)
    details = models.TextField(_("o que corrigir ou eliminar"))
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="subject_request")

    class Meta:
        verbose_name = _("pedido do titular")
        verbose_name_plural = _("pedidos do titular")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id}"
