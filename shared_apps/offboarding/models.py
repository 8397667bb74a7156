from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel
from tenants.models import Municipality

from .enums import ExportStatus


class ExportArchive(BaseModel):
    """One export of a city (public schema): a zip of its schema and files in the control plane's storage.

    The archive outlives the city (the FK becomes NULL when the city is deleted), so its slug and
    name are copied here.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exports",
        verbose_name=_("município"),
    )
    municipality_slug = models.CharField(_("identificador do município"), max_length=42)
    municipality_name = models.CharField(_("nome do município"), max_length=160)
    status = models.CharField(
        _("situação"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    file_name = models.CharField(_("arquivo"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.BigIntegerField(_("tamanho (bytes)"), null=True, blank=True)
    requested_by = models.CharField(_("solicitada por"), max_length=254)
    finished_at = models.DateTimeField(_("concluída em"), null=True, blank=True)
    error = models.TextField(_("erro"), blank=True)
    # An export asked by vendor support needs the city's consent, like a support session.
    requested_by_support = models.BooleanField(_("pedida pelo suporte"), default=False)
    reason = models.TextField(_("motivo"), blank=True)
    decided_by = models.CharField(_("decidida por"), max_length=254, blank=True)
    decided_at = models.DateTimeField(_("decidida em"), null=True, blank=True)

    class Meta:
        verbose_name = _("exportação")
        verbose_name_plural = _("exportações")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.municipality_slug}:{self.pk}:{self.status}"


class Offboarding(BaseModel):
    """A city's request to leave: read-only from now on, deleted after `delete_after` once exported."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="offboardings", verbose_name=_("município")
    )
    requested_by = models.CharField(_("solicitado por"), max_length=254)
    reason = models.TextField(_("motivo"))
    delete_after = models.DateTimeField(_("exclusão a partir de"))
    export = models.ForeignKey(
        ExportArchive, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelado em"), null=True, blank=True)
    cancelled_by = models.CharField(_("cancelado por"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("encerramento")
        verbose_name_plural = _("encerramentos")
        ordering = ["delete_after"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=models.Q(cancelled_at__isnull=True),
                name="offboarding_one_pending_per_municipality",
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}:{self.delete_after:%Y-%m-%d}"


class OffboardedMunicipality(BaseModel):
    """The tombstone of a deleted city: who asked, why, when, and which export holds its data."""

    name = models.CharField(_("nome"), max_length=160)
    slug = models.CharField(_("identificador"), max_length=42)
    ibge_code = models.CharField(_("código IBGE"), max_length=7)
    state = models.CharField(_("UF"), max_length=2)
    requested_by = models.CharField(_("solicitado por"), max_length=254)
    reason = models.TextField(_("motivo"), blank=True)
    deleted_at = models.DateTimeField(_("excluído em"))
    export = models.ForeignKey(
        ExportArchive, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    export_sha256 = models.CharField(_("SHA-256 da exportação"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("município encerrado")
        verbose_name_plural = _("municípios encerrados")
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return f"{self.slug} ({self.deleted_at:%Y-%m-%d})"
