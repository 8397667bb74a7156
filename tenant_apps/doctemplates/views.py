"""Pages: the template list and editor (municipal admin, unit managers), the preview on a real case,
and generating a document on a case (staff)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from paco.decorators import staff_required
from paco.errors import ApplicationError
from tenant_apps.accounts.types import account
from tenant_apps.cases.models import Case
from tenant_apps.cases.selectors import case_queryset_visible
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import user_is_municipal_admin

from .engine import MERGE_FIELDS
from .forms import CityProfileForm, GenerateForm, PreviewForm, TemplateForm
from .models import DocumentTemplate
from .selectors import (
    city_profile,
    template_get_for_manager,
    template_latest_version,
    template_list_for_manager,
    template_list_usable,
    user_can_manage_templates,
)
from .services import (
    city_profile_update,
    document_from_template,
    template_create,
    template_preview,
    template_update,
)


def _posted(request: HttpRequest) -> Any:
    """The POST data on a POST (an empty POST is still a bound, checked form), None on a GET."""
    return request.POST if request.method == "POST" else None


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


def _manager(request: HttpRequest) -> None:
    if not user_can_manage_templates(user=request.user):
        raise Http404


def _template_or_404(request: HttpRequest, template_id: int) -> DocumentTemplate:
    template = template_get_for_manager(user=request.user, template_id=template_id)
    if template is None:
        raise Http404
    return template


def _case_visible(request: HttpRequest, nup: str) -> Case | None:
    return case_queryset_visible(request.user).filter(nup=nup.strip()).first()


@require_http_methods(["GET", "POST"])
@staff_required
def template_list(request: HttpRequest) -> HttpResponse:
    _manager(request)
    profile_form = CityProfileForm(_posted(request), initial={"mayor_name": city_profile().mayor_name})
    if request.method == "POST":
        if not user_is_municipal_admin(user_id=int(request.user.pk or 0)):
            raise Http404
        if profile_form.is_valid():
            city_profile_update(mayor_name=profile_form.cleaned_data["mayor_name"])
            messages.success(request, _("Dados da prefeitura salvos."))
            return redirect("doctemplates:template_list")
    status = 400 if request.method == "POST" else 200
    context = {
        "title": _("Modelos de documento"),
        "templates": template_list_for_manager(user=request.user),
        "profile_form": profile_form,
    }
    return _private(render(request, "doctemplates/template_list.html", context, status=status))


@require_http_methods(["GET", "POST"])
@staff_required
def template_create_page(request: HttpRequest) -> HttpResponse:
    _manager(request)
    return _edit(request, template=None)


@require_http_methods(["GET", "POST"])
@staff_required
def template_edit_page(request: HttpRequest, template_id: int) -> HttpResponse:
    _manager(request)
    return _edit(request, template=_template_or_404(request, template_id))


def _edit(request: HttpRequest, *, template: DocumentTemplate | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    latest = template_latest_version(template=template) if template else None
    if template is not None:
        initial = {
            "name": template.name,
            "kind": template.kind,
            "unit": template.unit_id or "",
            "body": latest.body if latest else "",
            "is_published": template.is_published,
        }
    form = TemplateForm(_posted(request), initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        unit = OrgUnit.objects.filter(pk=values["unit"]).first() if values["unit"] else None
        try:
            if template is None:
                template = template_create(
                    name=values["name"],
                    kind=values["kind"],
                    body=values["body"],
                    unit=unit,
                    is_published=values["is_published"],
                    created_by=account(request.user),
                )
            else:
                template = template_update(
                    template=template,
                    name=values["name"],
                    kind=values["kind"],
                    body=values["body"],
                    unit=unit,
                    is_published=values["is_published"],
                    updated_by=account(request.user),
                )
        except ApplicationError as error:
            form.add_error(
                error.extra.get("field") if error.extra.get("field") in form.fields else None, error.message
            )
        else:
            messages.success(request, _("Modelo salvo."))
            return redirect("doctemplates:template_edit", template_id=template.pk)
    context = {
        "title": template.name if template else _("Novo modelo"),
        "template": template,
        "latest": latest,
        "form": form,
        "merge_fields": MERGE_FIELDS,
        "preview_form": PreviewForm(),
    }
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "doctemplates/template_form.html", context, status=status))


@require_http_methods(["GET"])
@staff_required
def template_preview_page(request: HttpRequest, template_id: int) -> HttpResponse:
    _manager(request)
    template = _template_or_404(request, template_id)
    form = PreviewForm(request.GET or None)
    rendered = ""
    if form.is_valid():
        case = _case_visible(request, form.cleaned_data["nup"])
        if case is None:
            form.add_error("nup", _("Processo não encontrado entre os que você pode ver."))
        else:
            try:
                # sanitised by nh3 inside the engine: only the allowed tags, no attributes
                rendered = mark_safe(template_preview(template=template, case=case, user=request.user))  # noqa: S308
            except ApplicationError as error:
                form.add_error(None, error.message)
    context = {
        "title": _("Prévia: %(name)s") % {"name": template.name},
        "template": template,
        "form": form,
        "rendered": rendered,
    }
    return _private(render(request, "doctemplates/template_preview.html", context))


@require_http_methods(["GET", "POST"])
@staff_required
def document_generate_page(request: HttpRequest) -> HttpResponse:
    templates = list(template_list_usable(user=request.user))
    form = GenerateForm(_posted(request), initial={"nup": request.GET.get("nup", "")}, templates=templates)
    if request.method == "POST" and form.is_valid():
        case = _case_visible(request, form.cleaned_data["nup"])
        template = next((t for t in templates if t.pk == form.cleaned_data["template"]), None)
        if case is None:
            form.add_error("nup", _("Processo não encontrado entre os que você pode ver."))
        elif template is None:
            form.add_error("template", _("Modelo indisponível."))
        else:
            try:
                document = document_from_template(
                    template=template,
                    case=case,
                    author=account(request.user),
                    title=form.cleaned_data["title"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Documento %(number)s gerado.") % {"number": document.number})
                return redirect("signatures:document_sign", document_id=document.pk)
    context = {"title": _("Gerar documento de um modelo"), "form": form, "has_templates": bool(templates)}
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "doctemplates/document_generate.html", context, status=status))
