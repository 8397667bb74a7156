"""Writes of the Open311 API: API clients, published services, and requests opened as cases.

Spec references are to the sections of GeoReport v2 (http://wiki.open311.org/GeoReport_v2).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from paco.tokens import token_hash, token_new
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import citizen_ensure_by_email
from tenant_apps.cases.enums import CaseChannel
from tenant_apps.cases.services import case_open
from tenant_apps.catalog.enums import FieldKind
from tenant_apps.catalog.models import Service

from .models import ApiClient, ClientRequest, PublishedService
from .selectors import open311_service_refusal

POSTS_PER_WINDOW = 60
POST_WINDOW_SECONDS = 60
# "POST Service Request", optional arguments: description is "limited to 4,000 characters"
DESCRIPTION_LIMIT = 4000
NINE_PLACES = Decimal("0.000000001")
_WEB_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


class Open311Error(ApplicationError):
    """A refusal with its own HTTP status (GeoReport v2, "Errors": 404 for what does not exist,
    403 for a missing or wrong api_key, 400 for the rest) and headers such as Retry-After."""

    def __init__(self, message: str, *, status: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@transaction.atomic
def api_client_create(*, name: str, key: str | None = None) -> tuple[ApiClient, str]:
    """A new client and its key; the key is returned once and only its SHA-256 is stored.

    `key` is for the demo's published keys only; everyone else gets a random one.
    """
    name = name.strip()
    if not name:
        raise ApplicationError(_("Informe o nome do cliente."))
    key = key or token_new()
    if len(key) < 16:
        raise ApplicationError(_("A chave precisa ter pelo menos 16 caracteres."))
    client = ApiClient.objects.create(name=name[:200], key_hash=token_hash(key), key_prefix=key[:8])
    return client, key


@transaction.atomic
def api_client_deactivate(*, client: ApiClient) -> ApiClient:
    client.is_active = False
    client.save(update_fields=["is_active", "updated_at"])
    return client


def api_client_post_count(*, client: ApiClient) -> None:
    """Count one POST of `client`; past its allowance for the window, a 429 that says when to come
    back (Retry-After, RFC 9110 §10.2.3: the spec names no status for this).

    A window opens with the client's first POST and lasts a minute; its start is kept, so
    Retry-After is the time left. Cache keys carry the schema name (django-tenants' key
    function), so each city counts apart.
    """
    now = time.time()
    key = f"open311:posts:{client.pk}"
    if cache.add(f"{key}:start", now, timeout=POST_WINDOW_SECONDS):
        cache.set(key, 0, timeout=POST_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted
        cache.set(key, 1, timeout=POST_WINDOW_SECONDS)
        count = 1
    if count > POSTS_PER_WINDOW:
        started = float(cache.get(f"{key}:start", now))
        retry_after = max(1, math.ceil(started + POST_WINDOW_SECONDS - now))
        raise Open311Error(
            _("Limite de %(limit)d envios por minuto excedido; tente de novo em %(seconds)d segundos.")
            % {"limit": POSTS_PER_WINDOW, "seconds": retry_after},
            status=429,
            headers={"Retry-After": str(retry_after)},
        )


@transaction.atomic
def service_publish(*, service: Service, published: bool = True) -> Service:
    """Publish `service` on Open311 (listed, open to POST, its requests readable), or withdraw it.

    A service that is internal, inactive or needs documents cannot be published (the rule of
    `open311_service_refusal`). Withdrawing keeps every request an API client created readable by
    that client (`selectors.service_request_readable`).
    """
    if not published:
        PublishedService.objects.filter(service=service).delete()
        return service
    refusal = open311_service_refusal(service)
    if refusal:
        raise ApplicationError(refusal)
    PublishedService.objects.get_or_create(service=service)
    return service


@dataclass(frozen=True)
class ServiceRequestInput:
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    address_string: str = ""
    address_id: str = ""
    lat: str = ""
    long: str = ""
    media_url: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


def _coordinate(value: str, *, name: str, limit: int) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation as error:
        raise ApplicationError(_("%(name)s: informe um número decimal.") % {"name": name}) from error
    if not number.is_finite() or abs(number) > limit:
        raise ApplicationError(_("%(name)s: coordenada fora do intervalo.") % {"name": name})
    return number.quantize(NINE_PLACES)


def _requester(data: ServiceRequestInput) -> User:
    """The citizen account of the request's e-mail (accounts.services.citizen_ensure_by_email)."""
    email = data.email.strip().lower()
    if not email or "@" not in email or len(email) > 254:
        raise ApplicationError(_("Informe um e-mail válido do solicitante (email)."))
    full_name = " ".join(part.strip() for part in (data.first_name, data.last_name) if part.strip())
    return citizen_ensure_by_email(
        email=email, full_name=full_name[:200] or email, phone=data.phone.strip()[:20]
    )


def _attribute_date(value: str) -> str:
    """A `datetime` attribute (service definition: "must be able to transform into a valid ISO 8601
    date") answering a date field: a full timestamp becomes its local date."""
    value = value.strip()
    try:
        moment = parse_datetime(value)
    except ValueError:
        return value
    if moment is None:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.date().isoformat()


@dataclass(frozen=True)
class _Location:
    address_string: str
    address_id: str
    lat: Decimal | None
    long: Decimal | None

    def describe(self) -> str:
        """The location in words, for the staff who read the case."""
        if self.address_string:
            return self.address_string
        if self.lat is not None and self.long is not None:
            return _("Coordenadas %(lat)s, %(long)s (enviadas pelo aplicativo)") % {
                "lat": self.lat.normalize(),
                "long": self.long.normalize(),
            }
        return _("Código de endereço %(address_id)s (enviado pelo aplicativo)") % {
            "address_id": self.address_id
        }


def _location(data: ServiceRequestInput, *, address_attribute: str) -> _Location:
    """GeoReport v2, "POST Service Request", required arguments: "A full location parameter must be
    submitted. One of lat & long or address_string or address_id". An attribute answering the
    service's address field counts as address_string (clients that read an older definition)."""
    lat, long = data.lat.strip(), data.long.strip()
    address = (data.address_string.strip() or address_attribute.strip())[:500]
    address_id = data.address_id.strip()
    if bool(lat) != bool(long):
        raise ApplicationError(_("Informe a latitude (lat) e a longitude (long) juntas."))
    if not (lat or address or address_id):
        raise ApplicationError(_("Informe a localização: lat e long, address_string ou address_id."))
    if len(address_id) > 100 or not address_id.isprintable():
        raise ApplicationError(_("address_id: até 100 caracteres, sem quebras de linha."))
    return _Location(
        address_string=address,
        address_id=address_id,
        lat=_coordinate(lat, name="lat", limit=90) if lat else None,
        long=_coordinate(long, name="long", limit=180) if long else None,
    )


@transaction.atomic
def service_request_create(
    *, client: ApiClient, service: Service, data: ServiceRequestInput
) -> ClientRequest:
    """Open a case (channel API) from an Open311 request; a refusal saves nothing.

    The service's first address field is the GeoReport location, not an attribute (the service
    definition leaves it out): it gets the address_string, or the location in words. What the
    client sent is kept apart (`ClientRequest`) and answered back as sent by `GET requests`;
    coordinates, address id and media URL also go into the case's description for the staff.
    """
    refusal = open311_service_refusal(service)
    if refusal or not PublishedService.objects.filter(service=service).exists():
        raise Open311Error(
            refusal or _("Serviço não encontrado: %(code)s.") % {"code": service.code}, status=404
        )
    fields = list(service.fields.all())
    address_field = next((item for item in fields if item.kind == FieldKind.ADDRESS), None)
    attributes = dict(data.attributes)
    location = _location(
        data, address_attribute=attributes.pop(address_field.key, "") if address_field is not None else ""
    )
    description = data.description.strip()
    if len(description) > DESCRIPTION_LIMIT:
        raise ApplicationError(_("description: no máximo 4.000 caracteres."))
    media_url = data.media_url.strip()
    if media_url and (len(media_url) > 1000 or not _WEB_URL.match(media_url)):
        raise ApplicationError(_("media_url: informe um endereço http(s) válido."))

    form_data: dict[str, Any] = dict(attributes)
    for item in fields:
        if item.kind == FieldKind.DATE and item.key in form_data:
            form_data[item.key] = _attribute_date(str(form_data[item.key]))
    if address_field is not None:
        form_data[address_field.key] = location.describe()

    citizen = _requester(data)
    notes = [description]
    if location.lat is not None:
        notes.append(
            _("Localização: %(lat)s, %(long)s") % {"lat": data.lat.strip(), "long": data.long.strip()}
        )
    if location.address_string and address_field is None:
        notes.append(_("Endereço: %(address)s") % {"address": location.address_string})
    if location.address_id:
        notes.append(_("Código de endereço: %(address_id)s") % {"address_id": location.address_id})
    if media_url:
        notes.append(_("Mídia: %(url)s") % {"url": media_url})
    case = case_open(
        service=service,
        opened_by=citizen,
        form_data=form_data,
        description="\n".join(note for note in notes if note),
        channel=CaseChannel.API,
        citizen=citizen,
    )
    request = ClientRequest.objects.create(
        token=token_new(nbytes=24),
        case=case,
        client=client,
        address_string=location.address_string,
        address_id=location.address_id,
        lat=location.lat,
        long=location.long,
        media_url=media_url,
    )
    client.last_used_at = timezone.now()
    client.save(update_fields=["last_used_at", "updated_at"])
    return request
