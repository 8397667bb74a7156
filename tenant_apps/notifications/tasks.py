"""Delivery and digest jobs. The tenant travels in the message (paco.jobs.TenantMiddleware)."""

import datetime as dt

import dramatiq

# Temporary failures are retried with exponential backoff (15 s up to 10 min) this many times.
DELIVERY_MAX_RETRIES = 5


@dramatiq.actor(max_retries=DELIVERY_MAX_RETRIES, min_backoff=15_000, max_backoff=600_000)
def notification_deliver_task(*, notification_id: int) -> None:
    from .delivery import notification_deliver

    notification_deliver(notification_id=notification_id)


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def notifications_digest_task(*, period: str = "") -> None:
    """The staff e-mail digests of the municipality that enqueued it (idempotent per period)."""
    from .services import staff_digests_send

    staff_digests_send(period=dt.date.fromisoformat(period) if period else None)


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def notifications_outbox_sweep_task(*, period: str = "") -> None:
    """Send again the notifications of this city left waiting (the outbox sweep, issue 10)."""
    from .services import notifications_requeue_stale

    notifications_requeue_stale()
