import dramatiq


@dramatiq.actor(max_retries=3, min_backoff=5_000)
def onboarding_provision_task(*, signup_id: str) -> None:
    """Provision a verified signup's municipality (public schema). Idempotent: a ready signup is left
    alone, and a retry after a failure completes what is missing."""
    from .services import signup_provision

    signup_provision(signup_id=signup_id)


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def signups_expire_task(*, period: str = "") -> None:
    """Daily, in the public schema: unverified signups past their deadline expire (idempotent)."""
    from .services import signups_expire

    signups_expire()


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def signups_stalled_requeue_task(*, period: str = "") -> None:
    """Every few minutes, in the public schema: confirmed signups whose provisioning job never started
    are queued again (the outbox for signups; the job is idempotent)."""
    from .services import signups_stalled_requeue

    signups_stalled_requeue()
