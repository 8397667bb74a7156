from django.db.models import QuerySet

from paco.errors import NotFound
from tenants.models import Municipality

from .models import ExportArchive, OffboardedMunicipality, Offboarding


def export_list_for_municipality(*, municipality: Municipality) -> QuerySet[ExportArchive]:
    return ExportArchive.objects.filter(municipality=municipality).order_by("-created_at", "-id")


def export_get_for_municipality(*, municipality: Municipality, export_id: int) -> ExportArchive:
    """One of the city's own exports; any other id is a 404."""
    export = ExportArchive.objects.filter(municipality=municipality, pk=export_id).first()
    if export is None:
        raise NotFound
    return export


def export_list() -> QuerySet[ExportArchive]:
    return ExportArchive.objects.select_related("municipality").order_by("-created_at", "-id")


def offboarding_scheduled_list() -> QuerySet[Offboarding]:
    return (
        Offboarding.objects.filter(cancelled_at__isnull=True)
        .select_related("municipality", "export")
        .order_by("delete_after")
    )


def offboarded_list() -> QuerySet[OffboardedMunicipality]:
    return OffboardedMunicipality.objects.order_by("-deleted_at")
