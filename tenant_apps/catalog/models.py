from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import DeadlineKind, FieldKind


class Service(BaseModel):
    """A service of the city's Carta de Serviços (Lei 13.460/2017, art. 7): what a case is opened for."""

    code = models.SlugField(_("código"), max_length=60, unique=True)
    name = models.CharField(_("nome"), max_length=200)
    description = models.TextField(_("descrição"), blank=True)
    group = models.CharField(_("categoria"), max_length=100, blank=True)
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("unidade responsável"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    deadline_days = models.PositiveIntegerField(
        _("prazo"), default=15, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    deadline_kind = models.CharField(
        _("contagem do prazo"),
        max_length=10,
        choices=DeadlineKind.choices,
        default=DeadlineKind.BUSINESS_DAYS,
    )
    is_public = models.BooleanField(_("aberto ao cidadão"), default=True)
    is_active = models.BooleanField(_("ativo"), default=True)

    class Meta:
        verbose_name = _("serviço")
        verbose_name_plural = _("serviços")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceField(BaseModel):
    """A typed field of a service's request form."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(_("identificador"), max_length=60)
    label = models.CharField(_("rótulo"), max_length=200)
    kind = models.CharField(_("tipo"), max_length=12, choices=FieldKind.choices, default=FieldKind.TEXT)
    is_required = models.BooleanField(_("obrigatório"), default=True)
    choices = models.JSONField(_("opções"), default=list, blank=True)
    help_text = models.CharField(_("ajuda"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("ordem"), default=0)

    class Meta:
        verbose_name = _("campo do formulário")
        verbose_name_plural = _("campos do formulário")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["service", "key"], name="catalog_field_unique_key")]

    def __str__(self) -> str:
        return self.label


class RequiredAttachment(BaseModel):
    """A document the citizen must (or may) attach when opening the service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="required_attachments")
    name = models.CharField(_("documento"), max_length=200)
    description = models.CharField(_("descrição"), max_length=300, blank=True)
    is_required = models.BooleanField(_("obrigatório"), default=True)
    position = models.PositiveIntegerField(_("ordem"), default=0)

    class Meta:
        verbose_name = _("documento exigido")
        verbose_name_plural = _("documentos exigidos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
