import dramatiq


@dramatiq.actor(max_retries=3, min_backoff=60_000, time_limit=6 * 60 * 60 * 1000)
def offboarding_export_task(*, export_id: int) -> None:
    """Build a pending export (idempotent: a ready or vanished export is left alone)."""
    from .enums import ExportStatus
    from .models import ExportArchive
    from .services import export_build

    export = ExportArchive.objects.filter(pk=export_id).first()
    if export is None or export.status == ExportStatus.READY or export.municipality_id is None:
        return
    export_build(export=export)


@dramatiq.actor(max_retries=3, min_backoff=60_000)
def offboarding_deletions_task(*, period: str = "") -> None:
    """Daily, in the public schema: delete the cities whose grace period ended and whose export is
    ready (idempotent: a deleted city has no pending offboarding left)."""
    from .services import offboarding_deletions_run

    offboarding_deletions_run()
