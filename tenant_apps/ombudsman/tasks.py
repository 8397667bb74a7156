"""Ombudsman jobs. The tenant travels in the message (paco.jobs.TenantMiddleware)."""

import datetime as dt

import dramatiq


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def ombudsman_escalate_task(*, period: str = "") -> None:
    """Tell unit managers about overdue manifestations; safe to retry (one notice per item per day)."""
    from .services import ombudsman_escalate

    ombudsman_escalate(today=dt.date.fromisoformat(period) if period else None)
