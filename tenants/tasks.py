import dramatiq


@dramatiq.actor(max_retries=0, time_limit=30 * 60_000)
def schema_pool_fill_task(*, period: str = "") -> None:
    """Every few minutes, in the public schema: top the schema pool up (tenants.schema_pool)."""
    from .schema_pool import schema_pool_fill

    schema_pool_fill()
