"""Open311 GeoReport v2: who may post requests, which services publish theirs, and request tokens."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel


class ApiClient(BaseModel):
    """An application allowed to post requests (`api_key`). Only the key's SHA-256 is stored."""

    name = models.CharField(_("nome"), max_length=200)
    key_hash = models.CharField(_("SHA-256 da chave"), max_length=64, unique=True)
    key_prefix = models.CharField(_("início da chave"), max_length=8)
    is_active = models.BooleanField(_("ativo"), default=True)
    last_used_at = models.DateTimeField(_("último uso"), null=True, blank=True)

    class Meta:
        verbose_name = _("cliente Open311")
        verbose_name_plural = _("clientes Open311")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class PublishedService(BaseModel):
    """A service the municipal admin published on Open311 (none is, until an admin decides).

    Published and offerable (public, active, needing no documents: `selectors.open311_service_refusal`)
    means: listed by `GET services`, open to `POST requests`, and its requests readable by anyone
    through `GET requests` — status, dates, service, unit and location; the subject and the final
    answer only for cases whose access level is público (Lei 12.527/2011, art. 31); never a person.
    """

    service = models.OneToOneField(
        "catalog.Service", on_delete=models.CASCADE, related_name="open311_publication"
    )

    class Meta:
        verbose_name = _("serviço publicado no Open311")
        verbose_name_plural = _("serviços publicados no Open311")

    def __str__(self) -> str:
        return str(self.service_id)


class ClientRequest(BaseModel):
    """A request an API client created with `POST requests`: the token answered to it, and the
    location and media it sent, which `GET requests` answers back as they were sent."""

    token = models.CharField(max_length=64, unique=True)
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="open311_request")
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="requests")
    address_string = models.CharField(_("endereço enviado"), max_length=500, blank=True)
    address_id = models.CharField(_("código de endereço enviado"), max_length=100, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=12, decimal_places=9, null=True, blank=True)
    long = models.DecimalField(_("longitude"), max_digits=12, decimal_places=9, null=True, blank=True)
    media_url = models.URLField(_("URL de mídia"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("solicitação recebida pelo Open311")
        verbose_name_plural = _("solicitações recebidas pelo Open311")

    def __str__(self) -> str:
        return self.token
