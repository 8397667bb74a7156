"""Jobs of the payments module. The tenant travels in the message (paco.jobs.TenantMiddleware)."""

import dramatiq


@dramatiq.actor(max_retries=8, min_backoff=5_000, max_backoff=600_000)
def guide_paid_task(*, guide_id: int) -> None:
    """Run the handler registered for the paid guide's purpose; idempotent (the guide records when
    its handler ran, under a row lock), retried with backoff when the handler raises."""
    from .services import guide_paid_handle

    guide_paid_handle(guide_id=guide_id)


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def guides_expire_task(*, period: str = "") -> None:
    """Mark the city's unpaid guides past their due date as expired; idempotent."""
    from .services import guides_expire

    guides_expire()


@dramatiq.actor(max_retries=8, min_backoff=5_000, max_backoff=600_000)
def guide_charge_task(*, guide_id: int) -> None:
    """Create at the PSP the charge of a guide issued inside a caller's transaction (a permit
    request), after that transaction committed; retried while the PSP does not answer, the guide
    cancelled with the bank's answer when it refuses. Idempotent (a guide with its code is skipped)."""
    from .provider import PixProviderError
    from .services import PaymentError, guide_charge_register

    try:
        guide_charge_register(guide_id=guide_id, give_up=False)
    except PaymentError:
        return  # refused: the guide was cancelled with the bank's answer, nothing to retry
    except PixProviderError:
        raise  # the PSP did not answer: retried with backoff


@dramatiq.actor(max_retries=8, min_backoff=5_000, max_backoff=600_000)
def guide_charge_remove_task(*, guide_id: int) -> None:
    """Withdraw at the PSP the charge of a guide cancelled inside a caller's transaction (or whose
    PSP did not answer), after commit; retried while the PSP does not answer. Idempotent (the PSP's
    PATCH sets the same status again)."""
    from .services import guide_charge_remove

    guide_charge_remove(guide_id=guide_id, give_up=False)
