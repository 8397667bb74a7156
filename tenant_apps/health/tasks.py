"""Health jobs. The tenant travels in the message (paco.jobs.TenantMiddleware)."""

import dramatiq

from .services import slot_offers_expire


@dramatiq.actor(max_retries=3, min_backoff=30_000)
def health_slot_offers_task(*, period: str = "") -> None:
    """Pass every expired slot offer of the city to the next person waiting; idempotent (each offer is
    handled under SELECT ... FOR UPDATE SKIP LOCKED and only while it is open)."""
    slot_offers_expire()
