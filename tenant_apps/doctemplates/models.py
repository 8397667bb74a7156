from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel
from tenant_apps.documents.enums import DocumentKind


class DocumentTemplate(BaseModel):
    """A modelo de documento: city-wide (no unit) or of one unit; its text lives in its versions."""

    name = models.CharField(_("nome"), max_length=160)
    kind = models.CharField(_("espécie"), max_length=8, choices=DocumentKind.choices)
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("unidade"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Vazio: modelo de toda a prefeitura."),
    )
    is_published = models.BooleanField(_("publicado"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("modelo de documento")
        verbose_name_plural = _("modelos de documento")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TemplateVersion(BaseModel):
    """An immutable version of a template's text: editing a template adds one."""

    template = models.ForeignKey(DocumentTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versão"))
    body = models.TextField(_("texto"))
    fields_used = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="doctemplates_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"


class GeneratedDocument(BaseModel):
    """A document generated from a template version, on a case (the version it came from is kept)."""

    document = models.OneToOneField("documents.Document", on_delete=models.PROTECT, related_name="+")
    template_version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="generated")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.document_id} from {self.template_version_id}"


class CityProfile(models.Model):
    """The city's facts that templates print and the tenant row does not hold (one row)."""

    mayor_name = models.CharField(_("nome do(a) prefeito(a)"), max_length=200, blank=True)

    def __str__(self) -> str:
        return self.mayor_name
