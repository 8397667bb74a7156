"""The data export job. The tenant travels in the message (paco.jobs.TenantMiddleware)."""

import dramatiq


@dramatiq.actor(max_retries=3, min_backoff=10_000)
def data_export_build_task(*, export_id: int) -> None:
    """Assemble a person's data export (JSON + PDF) and e-mail the link; idempotent."""
    from .services import data_export_build

    data_export_build(export_id=export_id)
