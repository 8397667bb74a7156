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
    """A service whose requests may be listed publicly by `GET requests` (none is, by default).

    Listing shows only status, dates, service, unit and location; the subject and the final
    answer only for cases whose access level is público (Lei 12.527/2011, art. 31).
    """

    service = models.OneToOneField(
        "catalog.Service", on_delete=models.CASCADE, related_name="open311_publication"
    )

    class Meta:
        verbose_name = _("serviço publicado no Open311")
        verbose_name_plural = _("serviços publicados no Open311")

    def __str__(self) -> str:
        return str(self.service_id)


class RequestToken(BaseModel):
    """The token answered to a `POST requests`, exchangeable for the request's id (its NUP)."""

    token = models.CharField(max_length=64, unique=True)
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="open311_token")
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="tokens")

    class Meta:
        verbose_name = _("token de solicitação Open311")
        verbose_name_plural = _("tokens de solicitação Open311")

    def __str__(self) -> str:
        return self.token
