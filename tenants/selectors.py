from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.request import split_domain_port

from .enums import MunicipalityStatus
from .models import CustomDomain, Domain, Municipality

# The DNS record a city creates to prove it controls its own domain (tenants.services.custom_domain_verify).
CUSTOM_DOMAIN_TXT_LABEL = "_paco-verificacao"
CUSTOM_DOMAIN_TXT_PREFIX = "paco-verificacao="


def domain_cache_key(hostname: str) -> str:
    # Written while the connection is in `public`, so the tenant cache key prefix is "public".
    return f"tenants:domain:{hostname.lower()}"


def municipality_get_by_hostname(hostname: str) -> Municipality | None:
    """Resolve a request's host to its municipality, through the cache (see `domain_cache_invalidate`)."""
    key = domain_cache_key(hostname)
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    domain = Domain.objects.select_related("tenant").filter(domain=hostname.lower()).first()
    municipality = domain.tenant if domain else None
    # Unknown hosts are cached too (as False), so a scan of random hosts cannot hammer the database.
    cache.set(key, municipality or False, timeout=settings.TENANT_DOMAIN_CACHE_SECONDS)
    return municipality


def municipality_schema_names_for_jobs() -> list[str]:
    """The schemas periodic tenant jobs run in: every city but the suspended ones (paco.scheduler)."""
    return list(
        Municipality.objects.exclude(status=MunicipalityStatus.SUSPENDED)
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.prefetch_related("domains").order_by("name")


def municipality_primary_hostname(municipality: Municipality) -> str:
    domain = municipality.domains.filter(is_primary=True).first()
    return domain.domain if domain else f"{municipality.slug}.{settings.TENANT_DOMAIN_SUFFIX}"


def municipality_base_url(municipality: Municipality) -> str:
    """Absolute base URL of a municipality's portal, for links sent by e-mail or SMS."""
    port = settings.PUBLIC_URL_PORT
    default_port = {"http": "80", "https": "443"}.get(settings.PUBLIC_URL_SCHEME)
    suffix = f":{port}" if port and port != default_port else ""
    return f"{settings.PUBLIC_URL_SCHEME}://{municipality_primary_hostname(municipality)}{suffix}"


def custom_domain_txt_name(hostname: str) -> str:
    return f"{CUSTOM_DOMAIN_TXT_LABEL}.{hostname}"


def custom_domain_txt_value(token: str) -> str:
    return f"{CUSTOM_DOMAIN_TXT_PREFIX}{token}"


def custom_domain_list(*, municipality: Municipality) -> QuerySet[CustomDomain]:
    return CustomDomain.objects.filter(municipality=municipality).order_by("created_at", "pk")


def custom_domain_pending_ids(*, since: object) -> list[int]:
    """Domains added after `since` and not yet the primary host (the periodic job checks them again)."""
    return list(
        CustomDomain.objects.filter(serving_at__isnull=True, created_at__gte=since)
        .order_by("last_checked_at", "pk")
        .values_list("pk", flat=True)
    )


def municipality_default_hostname(municipality: Municipality) -> str:
    """The city's own subdomain of the deployment, `<slug>.<TENANT_DOMAIN_SUFFIX>`."""
    return f"{municipality.slug}.{settings.TENANT_DOMAIN_SUFFIX}"


def redirect_cache_key(schema_name: str) -> str:
    return f"tenants:redirect:{schema_name}"


def municipality_redirect_hostname(municipality: Municipality) -> str:
    """The host every other host of the city redirects to: its primary host when that is its own
    domain (serving), "" otherwise (no redirect). Cached; invalidated with the city's domains."""
    key = redirect_cache_key(municipality.schema_name)
    cached = cache.get(key)
    if cached is not None:
        return str(cached)
    primary = municipality.domains.filter(is_primary=True).values_list("domain", flat=True).first()
    verified = bool(
        primary
        and CustomDomain.objects.filter(
            municipality=municipality, hostname=primary, serving_at__isnull=False
        ).exists()
    )
    hostname = primary if verified and primary else ""
    cache.set(key, hostname, timeout=settings.TENANT_DOMAIN_CACHE_SECONDS)
    return hostname


def request_primary_base_url(request: HttpRequest, municipality: Municipality) -> str:
    """The request's scheme and port on the city's primary host (gov.br redirect URIs): the URL a
    provider must call back is the primary one even when this request came by another host."""
    _hostname, port = split_domain_port(request.get_host())
    default_port = {"http": "80", "https": "443"}.get(request.scheme or "http")
    suffix = f":{port}" if port and port != default_port else ""
    return f"{request.scheme}://{municipality_primary_hostname(municipality)}{suffix}"


def pending_cache_key(hostname: str) -> str:
    return f"tenants:pending:{hostname.lower()}"


def custom_domain_is_pending(hostname: str) -> bool:
    """Whether `hostname` is a city's own domain not yet verified (the not-found page says so).
    Cached like unknown hosts, so a scan of random hosts costs one query per host and period."""
    key = pending_cache_key(hostname)
    cached = cache.get(key)
    if cached is not None:
        return bool(cached)
    pending = CustomDomain.objects.filter(hostname=hostname.lower(), verified_at__isnull=True).exists()
    cache.set(key, pending, timeout=settings.TENANT_DOMAIN_CACHE_SECONDS)
    return pending
