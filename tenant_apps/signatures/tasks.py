"""Jobs of signatures. The tenant travels in the message (paco.jobs.TenantMiddleware)."""

import dramatiq

SIGNATURE_JOB_ATTEMPTS = 5  # after the fifth failed attempt a request stays "falhou"


@dramatiq.actor(max_retries=SIGNATURE_JOB_ATTEMPTS, min_backoff=5_000, max_backoff=300_000)
def signature_request_task(*, request_id: int) -> None:
    """Render and sign a document asked for with `signature_request_queue`; idempotent (a retry or a
    second delivery signs nothing twice); a failure is recorded before it is retried."""
    from .services import signature_request_run

    signature_request_run(request_id=request_id)
