import dramatiq


@dramatiq.actor(max_retries=3, min_backoff=60_000, time_limit=30 * 60_000)
def metering_report_task(*, period: str = "") -> None:
    """Hourly, in the public schema: aggregate the new usage events per day, then report to Stripe
    what it has not received. Safe to run twice or concurrently (see services.usage_report)."""
    from .services import usage_aggregate, usage_report

    usage_aggregate()
    usage_report()
