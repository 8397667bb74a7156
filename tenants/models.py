from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from paco.models import BaseModel

from .enums import MunicipalityStatus, State
from .validators import color_validator, ibge_code_validator, slug_validator, time_zone_validator


class Municipality(TenantMixin, BaseModel):
    """A prefeitura: the tenant. Its rows live in the PostgreSQL schema named `schema_name`."""

    name = models.CharField(_("nome"), max_length=120)
    display_name = models.CharField(_("nome de exibição"), max_length=160)
    slug = models.SlugField(_("identificador"), max_length=42, unique=True, validators=[slug_validator])
    ibge_code = models.CharField(
        _("código IBGE"), max_length=7, unique=True, validators=[ibge_code_validator]
    )
    state = models.CharField(_("UF"), max_length=2, choices=State.choices)
    time_zone = models.CharField(
        _("fuso horário"), max_length=64, default="America/Sao_Paulo", validators=[time_zone_validator]
    )
    population = models.PositiveIntegerField(_("população"), null=True, blank=True)
    status = models.CharField(
        _("situação"), max_length=16, choices=MunicipalityStatus.choices, default=MunicipalityStatus.TRIAL
    )
    primary_color = models.CharField(_("cor primária"), max_length=7, validators=[color_validator])
    secondary_color = models.CharField(_("cor secundária"), max_length=7, validators=[color_validator])
    # the newest request or job seen in the city, written at most every few minutes (support console)
    last_activity_at = models.DateTimeField(_("última atividade"), null=True, blank=True)
    coat_of_arms = models.CharField(
        _("brasão"), max_length=255, blank=True, help_text=_("Nome do arquivo no armazenamento do município.")
    )
    # The directory (issue 19): the database alias of the PostgreSQL cluster holding the city's
    # schema (`default`, or one of TENANT_DATABASES); chosen at provisioning, changed by a move.
    database = models.CharField(_("cluster do banco de dados"), max_length=63, default="default")

    # Provisioning creates the schema explicitly (cloned from the template), never `save()`.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("município")
        verbose_name_plural = _("municípios")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}/{self.state}"


class Domain(DomainMixin, BaseModel):
    class Meta:
        verbose_name = _("domínio")
        verbose_name_plural = _("domínios")


class SchemaBlueprint(BaseModel):
    """The template schema as SQL (`pg_dump`), for one fingerprint of its applied migrations: new
    schemas (the pool's, or a city's when the pool is empty) are created by replaying it."""

    fingerprint = models.CharField(max_length=32, unique=True)
    sql = models.TextField()

    class Meta:
        verbose_name = _("modelo de esquema")
        verbose_name_plural = _("modelos de esquema")

    def __str__(self) -> str:
        return self.fingerprint


class CustomDomain(BaseModel):
    """A city's own domain (e.g. `servicos.aracaju.se.gov.br`, a CNAME to us), pending until the
    city proves control with a DNS TXT record holding `token`. Verified, it is also a `Domain` row
    (Paço answers on it); once Paço is seen answering there over HTTPS it becomes the city's
    primary host (tenants.services.custom_domain_verify)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="custom_domains", verbose_name=_("município")
    )
    hostname = models.CharField(_("domínio"), max_length=253, unique=True)
    # not a secret: it is published in the city's DNS; it only proves who controls the zone
    token = models.CharField(_("código de verificação"), max_length=64)
    verified_at = models.DateTimeField(_("verificado em"), null=True, blank=True)
    # when Paço first answered on the domain itself (DNS, ingress and certificate in place): only
    # then does it become the primary host, so a city's links never point at a name that fails
    serving_at = models.DateTimeField(_("no ar desde"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("última verificação"), null=True, blank=True)
    last_error = models.CharField(_("resultado da última verificação"), max_length=300, blank=True)
    checks = models.PositiveIntegerField(_("verificações feitas"), default=0)

    class Meta:
        verbose_name = _("domínio próprio")
        verbose_name_plural = _("domínios próprios")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.hostname

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_serving(self) -> bool:
        return self.serving_at is not None
