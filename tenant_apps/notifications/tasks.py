"""Delivery jobs (implemented by the notifications module)."""

import dramatiq


@dramatiq.actor(max_retries=5, min_backoff=15_000, max_backoff=600_000)
def notification_deliver_task(*, notification_id: int) -> None:
    from .delivery import notification_deliver

    notification_deliver(notification_id=notification_id)
