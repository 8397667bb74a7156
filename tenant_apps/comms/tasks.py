"""Jobs of memos and circulars. The tenant travels in the message (paco.jobs.TenantMiddleware)."""

import dramatiq


@dramatiq.actor(max_retries=5, min_backoff=5_000, max_backoff=300_000)
def circular_fanout_task(*, circular_id: int) -> None:
    """Receipts and notifications of a circular, in batches; idempotent (safe to retry)."""
    from .fanout import circular_fanout

    circular_fanout(circular_id=circular_id)
