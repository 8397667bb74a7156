"""Jobs of the permits module (primitives only; the tenant travels in the message; idempotent)."""

import dramatiq


@dramatiq.actor(max_retries=5, min_backoff=2_000, max_backoff=120_000)
def permit_request_analyse_task(*, request_id: int) -> None:
    """Classification and pre-analysis of a request; a request no longer in pre-analysis is left alone."""
    from .services import request_analyse

    request_analyse(request_id=request_id)


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def permits_tacit_approval_task(*, period: str = "") -> None:
    from .services import tacit_approvals_run

    tacit_approvals_run()


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def permits_renewal_reminder_task(*, period: str = "") -> None:
    from django.conf import settings

    from .services import renewal_reminders_run

    renewal_reminders_run(days_before=settings.PERMITS_RENEWAL_REMINDER_DAYS)


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def permits_preanalysis_stalled_task(*, period: str = "") -> None:
    """Every few minutes, per city: requests whose pre-analysis job was lost get it queued again
    (idempotent: the job leaves alone a request no longer in pre-analysis)."""
    from django.conf import settings

    from .services import pre_analysis_stalled_requeue

    pre_analysis_stalled_requeue(minutes=settings.PERMITS_PREANALYSIS_STALLED_MINUTES)
