import dramatiq


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def support_sessions_expire_task(*, period: str = "") -> None:
    """Hourly, in the public schema: support sessions past their time become expired (idempotent)."""
    from .services import support_sessions_expire

    support_sessions_expire()
