from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from .enums import MunicipalityStatus
from .models import Domain, Municipality


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
