"""Document jobs: render each new version's PDF once its transaction has committed; measure storage."""

import datetime as dt

import dramatiq


@dramatiq.actor(max_retries=5, min_backoff=5_000, max_backoff=300_000)
def document_pdf_render_task(*, version_id: int) -> None:
    """Idempotent: `document_pdf_ensure` renders only a version that has no PDF yet."""
    from .models import DocumentVersion
    from .services import document_pdf_ensure

    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is None:
        return
    document_pdf_ensure(version=version)


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def documents_storage_measure_task(*, period: str = "") -> None:
    """Daily, in each municipality (tenant_apps/documents/jobs.py): record the bytes stored as the day's
    storage measurement (a gauge: measuring twice the same day keeps the latest value)."""
    from paco.usage import usage_gauge_record

    from .selectors import storage_bytes_total

    usage_gauge_record(
        metric="storage_gb",
        value=storage_bytes_total(),
        day=dt.date.fromisoformat(period) if period else None,
    )
