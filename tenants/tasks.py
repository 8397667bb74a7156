import dramatiq


@dramatiq.actor(max_retries=0, time_limit=30 * 60_000)
def schema_pool_fill_task(*, period: str = "") -> None:
    """Every few minutes, in the public schema: top the schema pool up (tenants.schema_pool)."""
    from .schema_pool import schema_pool_fill

    schema_pool_fill()


@dramatiq.actor(max_retries=3, time_limit=60_000)
def custom_domain_verify_task(*, custom_domain_id: int) -> None:
    """Right after a city adds its own domain: look for the TXT record once (idempotent)."""
    from paco.schemas import schema_activate_public

    from .services import custom_domain_verify

    schema_activate_public()
    custom_domain_verify(custom_domain_id=custom_domain_id)


@dramatiq.actor(max_retries=0, time_limit=15 * 60_000)
def custom_domains_verify_task(*, period: str = "") -> None:
    """Every CUSTOM_DOMAIN_CHECK_MINUTES, in the public schema: check the pending domains again."""
    from .services import custom_domains_verify_pending

    custom_domains_verify_pending()
