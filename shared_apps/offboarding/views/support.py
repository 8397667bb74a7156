"""Vendor support's list of exports and scheduled deletions (/suporte/encerramentos/, public schema)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from paco.decorators import support_required

from ..forms import ExportForm
from ..models import ExportArchive
from ..selectors import export_list, offboarded_list, offboarding_scheduled_list
from ..services import export_request
from .downloads import export_download_response


def _page(request: HttpRequest, *, form: ExportForm | None = None, status: int = 200) -> HttpResponse:
    context = {
        "title": _("Exportações e encerramentos"),
        "exports": export_list()[:100],
        "scheduled": offboarding_scheduled_list(),
        "offboarded": offboarded_list()[:100],
        "form": form or ExportForm(),
    }
    return render(request, "offboarding/support.html", context, status=status)


@require_GET
@support_required
def support_offboarding_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@support_required
def support_export(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    municipality = form.cleaned_data["municipality"]
    export_request(municipality=municipality, requested_by=request.user.email)  # type: ignore[union-attr]
    messages.success(request, _("Exportação de %(city)s solicitada.") % {"city": municipality.name})
    return HttpResponseRedirect(reverse("offboarding:list"))


@require_GET
@support_required
def support_download(request: HttpRequest, export_id: int) -> HttpResponse:
    export = ExportArchive.objects.filter(pk=export_id).first()
    if export is None:
        raise Http404
    return export_download_response(export)
