"""The jobs round trip: a job proves it runs in the tenant that enqueued it (tests and benches)."""

import dramatiq
from django.core.cache import cache
from django_tenants.utils import get_public_schema_name

from paco.schemas import current_schema_name

from .selectors import org_unit_acronyms

PING_TTL_SECONDS = 300


def ping_cache_key(nonce: str) -> str:
    return f"jobs:ping:{nonce}"


@dramatiq.actor(max_retries=3, queue_name="default")
def jobs_ping_task(*, nonce: str) -> None:
    """Prove a worker runs in the right tenant: store what it sees under the tenant's cache keys."""
    in_public = current_schema_name() == get_public_schema_name()
    seen = {"schema_name": current_schema_name(), "org_units": [] if in_public else org_unit_acronyms()}
    cache.set(ping_cache_key(nonce), seen, timeout=PING_TTL_SECONDS)
