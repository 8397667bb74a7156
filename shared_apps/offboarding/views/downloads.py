from typing import cast

from django.http import FileResponse, Http404, HttpResponse

from paco.errors import ApplicationError

from ..models import ExportArchive
from ..services import export_open


def export_download_response(export: ExportArchive) -> HttpResponse:
    """The stored zip, streamed from the control plane's storage (404 until it is ready)."""
    try:
        stream = export_open(export=export)
    except ApplicationError as error:
        raise Http404 from error
    name = f"paco-{export.municipality_slug}-{export.created_at:%Y%m%d-%H%M%S}-{export.pk}.zip"
    response = FileResponse(stream, as_attachment=True, filename=name, content_type="application/zip")
    response["X-Content-SHA256"] = export.sha256
    # a streamed response; the views' decorators are typed for HttpResponse
    return cast(HttpResponse, response)
