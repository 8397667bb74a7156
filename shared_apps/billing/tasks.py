import dramatiq


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def billing_grace_enforce_task(*, period: str = "") -> None:
    """Daily, in the public schema: cities past due beyond the grace period become read-only
    (idempotent: a city already read-only is left alone)."""
    from .services import subscriptions_grace_enforce

    subscriptions_grace_enforce()


@dramatiq.actor(max_retries=0)
def billing_reminders_task(*, period: str = "") -> None:
    """Daily, in the public schema: dunning reminders and trial-ending notices (no retries: a retry
    after a partial run would send some letters twice; tomorrow's run carries on)."""
    from .services import billing_reminders_send

    billing_reminders_send()
