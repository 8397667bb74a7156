"""The municipal admin's export and offboarding page, on the city host (/admin-municipal/encerramento/)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from paco.decorators import municipal_admin_required
from paco.errors import ApplicationError

from ..forms import OffboardingRequestForm
from ..selectors import export_get_for_municipality, export_list_for_municipality
from ..services import (
    export_decide,
    export_request,
    offboarding_cancel,
    offboarding_pending,
    offboarding_request,
)
from .downloads import export_download_response


def _page(
    request: HttpRequest, *, form: OffboardingRequestForm | None = None, status: int = 200, error: str = ""
) -> HttpResponse:
    municipality = request.tenant  # type: ignore[attr-defined]
    context = {
        "title": _("Exportação e encerramento"),
        "exports": export_list_for_municipality(municipality=municipality)[:20],
        "offboarding": offboarding_pending(municipality=municipality),
        "form": form or OffboardingRequestForm(slug=municipality.slug),
        "grace_days": settings.OFFBOARDING_GRACE_DAYS,
        "slug": municipality.slug,
        "error": error,
    }
    return render(request, "offboarding/municipal.html", context, status=status)


def _redirect() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("offboarding_tenant:page"))


@require_GET
@municipal_admin_required
def offboarding_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@municipal_admin_required
def offboarding_export(request: HttpRequest) -> HttpResponse:
    export_request(municipality=request.tenant, requested_by=request.user.email)  # type: ignore[attr-defined, union-attr]
    messages.success(request, _("Exportação solicitada. Ela aparece na lista abaixo quando estiver pronta."))
    return _redirect()


@require_GET
@municipal_admin_required
def offboarding_download(request: HttpRequest, export_id: int) -> HttpResponse:
    export = export_get_for_municipality(municipality=request.tenant, export_id=export_id)  # type: ignore[attr-defined]
    return export_download_response(export)


@require_POST
@municipal_admin_required
def offboarding_request_view(request: HttpRequest) -> HttpResponse:
    municipality = request.tenant  # type: ignore[attr-defined]
    form = OffboardingRequestForm(request.POST, slug=municipality.slug)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        offboarding = offboarding_request(
            municipality=municipality,
            requested_by=request.user.email,  # type: ignore[union-attr]
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        return _page(request, form=form, status=400, error=error.message)
    messages.success(
        request,
        _("Encerramento solicitado. Os dados serão excluídos a partir de %(date)s.")
        % {"date": offboarding.delete_after.strftime("%d/%m/%Y")},
    )
    return _redirect()


@require_POST
@municipal_admin_required
def offboarding_cancel_view(request: HttpRequest) -> HttpResponse:
    try:
        offboarding_cancel(municipality=request.tenant, cancelled_by=request.user.email)  # type: ignore[attr-defined, union-attr]
    except ApplicationError as error:
        return _page(request, status=400, error=error.message)
    messages.success(request, _("Encerramento cancelado."))
    return _redirect()


def _export_decide(request: HttpRequest, export_id: int, *, approve: bool) -> HttpResponse:
    try:
        export_decide(
            municipality=request.tenant,  # type: ignore[attr-defined]
            export_id=export_id,
            approve=approve,
            admin_email=request.user.email,  # type: ignore[union-attr]
        )
    except ApplicationError as error:
        return _page(request, status=400, error=error.message)
    if approve:
        messages.success(request, _("Exportação pedida pelo suporte aprovada: ela será gerada agora."))
    else:
        messages.success(request, _("Exportação pedida pelo suporte negada."))
    return _redirect()


@require_POST
@municipal_admin_required
def offboarding_export_approve(request: HttpRequest, export_id: int) -> HttpResponse:
    return _export_decide(request, export_id, approve=True)


@require_POST
@municipal_admin_required
def offboarding_export_deny(request: HttpRequest, export_id: int) -> HttpResponse:
    return _export_decide(request, export_id, approve=False)
