"""The municipal admin's pages for the Carta de Serviços (`/admin-municipal/servicos/`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.decorators import municipal_admin_required
from paco.errors import ApplicationError

from .forms import RequiredAttachmentFormSet, RowFormSet, ServiceFieldFormSet, ServiceForm
from .models import Service
from .request_form import service_request_form_class
from .selectors import service_get_for_admin, service_has_cases, service_list_admin
from .services import service_create, service_remove, service_update

FIELDS_PREFIX = "fields"
ATTACHMENTS_PREFIX = "attachments"
# formset name in the htmx request -> (formset class, prefix, row template)
ROW_FORMSETS: dict[str, tuple[type[RowFormSet], str, str]] = {
    "fields": (ServiceFieldFormSet, FIELDS_PREFIX, "catalog/partials/field_row.html"),
    "attachments": (RequiredAttachmentFormSet, ATTACHMENTS_PREFIX, "catalog/partials/attachment_row.html"),
}
MAX_ROWS = 200


def _service_or_404(service_id: int) -> Service:
    service = service_get_for_admin(service_id=service_id)
    if service is None:
        raise Http404
    return service


@require_GET
@municipal_admin_required
def admin_service_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/admin_service_list.html",
        {"title": _("Carta de Serviços"), "services": service_list_admin()},
    )


@require_http_methods(["GET", "POST"])
@municipal_admin_required
def admin_service_create(request: HttpRequest) -> HttpResponse:
    return _service_edit(request, service=None)


@require_http_methods(["GET", "POST"])
@municipal_admin_required
def admin_service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    return _service_edit(request, service=_service_or_404(service_id))


def _service_edit(request: HttpRequest, *, service: Service | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    parent = service if service is not None else Service()
    form = ServiceForm(data, service=service)
    field_formset = ServiceFieldFormSet(data, instance=parent, prefix=FIELDS_PREFIX)
    attachment_formset = RequiredAttachmentFormSet(data, instance=parent, prefix=ATTACHMENTS_PREFIX)
    if data is not None:
        # every part is checked, so that the page shows all the problems at once
        valid = [form.is_valid(), field_formset.is_valid(), attachment_formset.is_valid()]
        if all(valid):
            field_forms = field_formset.kept_forms()
            attachment_forms = attachment_formset.kept_forms()
            values = form.cleaned_data
            arguments: dict[str, Any] = {
                "code": values["code"],
                "name": values["name"],
                "unit_id": values["unit"],
                "description": values["description"],
                "group": values["group"],
                "deadline_days": values["deadline_days"],
                "deadline_kind": values["deadline_kind"],
                "is_public": values["visibility"] == "public",
                "is_active": values["is_active"],
                "fields": [row.spec() for row in field_forms],
                "attachments": [row.spec() for row in attachment_forms],
            }
            try:
                if service is None:
                    saved = service_create(**arguments)
                else:
                    saved = service_update(service=service, **arguments)
            except ApplicationError as error:
                _errors_show(error, form=form, field_forms=field_forms, attachment_forms=attachment_forms)
            else:
                text = _("Serviço “%(name)s” criado.") if service is None else _("Serviço “%(name)s” salvo.")
                messages.success(request, text % {"name": saved.name})
                return redirect("catalog:admin_service_edit", service_id=saved.pk)
    context = {
        "title": _("Novo serviço") if service is None else service.name,
        "service": service,
        "form": form,
        "field_formset": field_formset,
        "attachment_formset": attachment_formset,
        "has_cases": service is not None and service_has_cases(service=service),
    }
    return render(request, "catalog/admin_service_form.html", context, status=200 if data is None else 400)


def _errors_show(
    error: ApplicationError,
    *,
    form: forms.Form,
    field_forms: Sequence[forms.BaseForm],
    attachment_forms: Sequence[forms.BaseForm],
) -> None:
    """Put each problem the service found next to the input it is about."""
    items = error.extra.get("errors") or [{"section": "service", "field": None, "message": error.message}]
    rows = {"fields": field_forms, "attachments": attachment_forms}
    for item in items:
        target: forms.BaseForm = form
        if (
            item["section"] in rows
            and item.get("index") is not None
            and item["index"] < len(rows[item["section"]])
        ):
            target = rows[item["section"]][item["index"]]
        field = item.get("field")
        if field == "unit_id":
            field = "unit"
        target.add_error(field if field in target.fields else None, item["message"])


@require_GET
@municipal_admin_required
def admin_form_row(request: HttpRequest) -> HttpResponse:
    """One empty row of the fields or documents formset, for the "Adicionar" buttons (htmx).

    The button sends the formset's current TOTAL_FORMS; the answer is the row numbered with it
    and, out of band, TOTAL_FORMS plus one.
    """
    name = request.GET.get("formset", "fields")
    if name not in ROW_FORMSETS:
        raise Http404
    formset_class, prefix, template = ROW_FORMSETS[name]
    try:
        index = int(request.GET.get(f"{prefix}-TOTAL_FORMS", "0"))
    except ValueError:
        index = 0
    index = min(max(index, 0), MAX_ROWS)
    formset = formset_class(instance=Service(), prefix=prefix)
    return render(
        request,
        template,
        {"row": formset.row_form(index), "number": index + 1, "total_forms": index + 1, "prefix": prefix},
    )


@require_GET
@municipal_admin_required
def admin_service_preview(request: HttpRequest, service_id: int) -> HttpResponse:
    """The citizen's request form exactly as the portal builds it; nothing can be sent from here."""
    service = _service_or_404(service_id)
    form_class = service_request_form_class(service)
    return render(
        request,
        "catalog/admin_service_preview.html",
        {"title": _("Prévia: %(name)s") % {"name": service.name}, "service": service, "form": form_class()},
    )


@require_POST
@municipal_admin_required
def admin_service_remove(request: HttpRequest, service_id: int) -> HttpResponse:
    service = _service_or_404(service_id)
    if service_remove(service=service):
        messages.success(request, _("Serviço “%(name)s” excluído.") % {"name": service.name})
    else:
        messages.warning(
            request,
            _(
                "O serviço “%(name)s” já tem protocolos, por isso foi desativado em vez de excluído: "
                "saiu da Carta de Serviços e o histórico dos protocolos continua intacto."
            )
            % {"name": service.name},
        )
    return redirect("catalog:admin_service_list")
