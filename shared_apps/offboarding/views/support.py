"""Vendor support's list of exports and scheduled deletions (/suporte/encerramentos/, public schema)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from paco.decorators import support_required
from paco.errors import ApplicationError

from ..enums import ExportStatus
from ..forms import ExportForm
from ..selectors import export_list, offboarded_list, offboarding_scheduled_list
from ..services import support_export_for_download, support_export_request
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
    try:
        export = support_export_request(
            municipality=municipality,
            support_email=request.user.email,  # type: ignore[union-attr]
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        form.add_error(error.extra.get("field") if error.extra else None, error.message)
        return _page(request, form=form, status=400)
    if export.status == ExportStatus.AWAITING_CONSENT:
        messages.success(
            request,
            _(
                "Pedido de exportação de %(city)s enviado: aguarda a aprovação de um administrador"
                " do município."
            )
            % {"city": municipality.name},
        )
    else:
        messages.success(request, _("Exportação de %(city)s solicitada.") % {"city": municipality.name})
    return HttpResponseRedirect(reverse("offboarding:list"))


@require_GET
@support_required
def support_download(request: HttpRequest, export_id: int) -> HttpResponse:
    export = support_export_for_download(export_id=export_id, support_email=request.user.email)  # type: ignore[union-attr]
    if export is None:
        raise Http404
    return export_download_response(export)
