"""Writes of the Open311 API: API clients, published services, and requests opened as cases."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from paco.tokens import token_hash, token_new
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import user_ensure
from tenant_apps.cases.enums import CaseChannel
from tenant_apps.cases.models import Case
from tenant_apps.cases.services import case_open
from tenant_apps.catalog.enums import FieldKind
from tenant_apps.catalog.models import Service

from .models import ApiClient, PublishedService, RequestToken

# Where the request's coordinates and media URL live inside Case.form_data (no form field uses it:
# field keys are slugs, which never start with an underscore).
OPEN311_FORM_KEY = "_open311"

POSTS_PER_WINDOW = 60
POST_WINDOW_SECONDS = 60


@transaction.atomic
def api_client_create(*, name: str) -> tuple[ApiClient, str]:
    """A new client and its key; the key is returned once and only its SHA-256 is stored."""
    name = name.strip()
    if not name:
        raise ApplicationError(_("Informe o nome do cliente."))
    key = token_new()
    client = ApiClient.objects.create(name=name[:200], key_hash=token_hash(key), key_prefix=key[:8])
    return client, key


@transaction.atomic
def api_client_deactivate(*, client: ApiClient) -> ApiClient:
    client.is_active = False
    client.save(update_fields=["is_active", "updated_at"])
    return client


def api_client_post_allow(*, client: ApiClient) -> bool:
    """Count one POST of `client`; False once its allowance for the window is spent.

    Cache keys carry the schema name (django-tenants' key function), so each city counts apart.
    """
    key = f"open311:posts:{client.pk}"
    cache.add(key, 0, timeout=POST_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=POST_WINDOW_SECONDS)
        count = 1
    return count <= POSTS_PER_WINDOW


@transaction.atomic
def service_publish(*, service: Service, published: bool = True) -> Service:
    """List (or stop listing) the requests of `service` in `GET requests`."""
    if published:
        PublishedService.objects.get_or_create(service=service)
    else:
        PublishedService.objects.filter(service=service).delete()
    return service


@dataclass(frozen=True)
class ServiceRequestInput:
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    address_string: str = ""
    lat: str = ""
    long: str = ""
    media_url: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


def _coordinate(value: str, *, name: str, limit: int) -> str:
    try:
        number = Decimal(value.strip())
    except InvalidOperation as error:
        raise ApplicationError(_("%(name)s: informe um número decimal.") % {"name": name}) from error
    if not number.is_finite() or abs(number) > limit:
        raise ApplicationError(_("%(name)s: coordenada fora do intervalo.") % {"name": name})
    return str(number)


def _requester(data: ServiceRequestInput) -> User:
    """The citizen account of the e-mail in this city, or a new passwordless one (no CPF).

    An existing account is used as it is: an API client cannot change anyone's name or phone.
    A new account has no password; the person can set one with "esqueci a senha" later.
    """
    email = data.email.strip().lower()
    if not email or "@" not in email or len(email) > 254:
        raise ApplicationError(_("Informe um e-mail válido do solicitante (email)."))
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        if existing.kind != UserKind.CITIZEN:
            raise ApplicationError(_("Este e-mail não pertence a uma conta de cidadão."))
        if not existing.is_active:
            raise ApplicationError(_("A conta deste e-mail está desativada."))
        return existing
    full_name = " ".join(part.strip() for part in (data.first_name, data.last_name) if part.strip())
    user = user_ensure(email=email, full_name=full_name[:200] or email, kind=UserKind.CITIZEN)
    phone = data.phone.strip()[:20]
    if phone:
        user.phone = phone
        user.save(update_fields=["phone", "updated_at"])
    return user


@transaction.atomic
def service_request_create(
    *, client: ApiClient, service: Service, data: ServiceRequestInput
) -> tuple[Case, RequestToken]:
    """Open a case (channel API) from an Open311 request; a refusal saves nothing.

    GeoReport v2 asks for a location: lat + long, or address_string. The address goes into the
    service's address field (if it has one and the attribute was not given); coordinates and the
    media URL are kept as text under `form_data["_open311"]` and in the case's description.
    """
    lat, long = data.lat.strip(), data.long.strip()
    address = data.address_string.strip()[:500]
    if bool(lat) != bool(long):
        raise ApplicationError(_("Informe a latitude (lat) e a longitude (long) juntas."))
    if not lat and not address:
        raise ApplicationError(_("Informe a localização: lat e long, ou address_string."))
    location: dict[str, str] = {}
    if lat:
        location["lat"] = _coordinate(lat, name="lat", limit=90)
        location["long"] = _coordinate(long, name="long", limit=180)
    media_url = data.media_url.strip()
    if media_url:
        if not media_url.startswith(("http://", "https://")) or len(media_url) > 1000:
            raise ApplicationError(_("media_url: informe um endereço http(s) válido."))
        location["media_url"] = media_url

    form_data: dict[str, Any] = dict(data.attributes)
    address_field = next((f for f in service.fields.all() if f.kind == FieldKind.ADDRESS), None)
    if address_field is not None and not str(form_data.get(address_field.key, "")).strip():
        if address:
            form_data[address_field.key] = address
        elif lat:
            form_data[address_field.key] = f"Coordenadas {location['lat']}, {location['long']}"
    if address and address_field is None:
        location["address_string"] = address

    citizen = _requester(data)
    notes = [data.description.strip()[:4000]]
    if lat:
        notes.append(f"Localização: {location['lat']}, {location['long']}")
    if address and address_field is None:
        notes.append(f"Endereço: {address}")
    if media_url:
        notes.append(f"Mídia: {media_url}")
    case = case_open(
        service=service,
        opened_by=citizen,
        form_data=form_data,
        description="\n".join(note for note in notes if note),
        channel=CaseChannel.API,
        citizen=citizen,
    )
    if location:
        case.form_data = {**case.form_data, OPEN311_FORM_KEY: location}
        case.save(update_fields=["form_data", "updated_at"])
    token = RequestToken.objects.create(token=secrets.token_urlsafe(24), case=case, client=client)
    client.last_used_at = timezone.now()
    client.save(update_fields=["last_used_at", "updated_at"])
    return case, token
