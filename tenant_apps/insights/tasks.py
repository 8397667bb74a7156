"""Jobs of the indicators. The tenant travels in the message (paco.jobs.TenantMiddleware)."""

import dramatiq

from .services import aggregates_refresh


@dramatiq.actor(max_retries=3, min_backoff=60_000, time_limit=30 * 60_000)
def insights_aggregate_task(*, period: str = "") -> None:
    """Bring the city's daily aggregates up to date; safe to retry (whole days are recomputed)."""
    aggregates_refresh()
