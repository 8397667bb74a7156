"""Reminder jobs. The tenant travels in the message (paco.jobs.TenantMiddleware)."""

import dramatiq


@dramatiq.actor(max_retries=3, min_backoff=30_000)
def scheduling_reminders_task(*, period: str = "") -> None:
    """Every due reminder of the city that enqueued it (scheduled every few minutes); idempotent:
    each reminder is sent at most once, and never for a cancelled appointment."""
    from .services import reminders_send_due

    reminders_send_due()
