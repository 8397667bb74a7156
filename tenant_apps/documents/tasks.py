"""Document jobs: render each new version's PDF once its transaction has committed."""

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
