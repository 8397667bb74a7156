"""Meus dados (LGPD art. 18), the privacy page (art. 41) and its admin page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.client_ip import client_ip
from paco.decorators import municipal_admin_required
from paco.errors import ApplicationError
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User

from .enums import ConsentPurpose
from .forms import ConsentForm, PrivacyNoticeForm, SubjectRequestForm
from .selectors import (
    access_log_for,
    citizen_appointments,
    citizen_cases,
    citizen_manifestations,
    citizen_notifications,
    consents_current,
    data_export_latest,
    privacy_notice_get,
    subject_requests_of,
)
from .services import (
    EXPORT_LINK_DAYS,
    consent_record,
    data_export_open,
    data_export_request,
    privacy_notice_save,
    subject_request_file,
)


def _citizen(request: HttpRequest) -> User | None:
    user = request.user
    if isinstance(user, User) and user.kind == UserKind.CITIZEN:
        return user
    return None


def _to_login(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('accounts:login')}?next={request.path}")


@require_GET
def notice(request: HttpRequest) -> HttpResponse:
    """The city's privacy notice with the encarregado's identity and contact (art. 41 § 1º)."""
    return render(request, "privacy/notice.html", {"title": _("Privacidade"), "notice": privacy_notice_get()})


def _consent_form(user: User, data: Any = None) -> ConsentForm:
    current = {
        purpose: (consent.granted if consent else True) for purpose, consent in consents_current(user).items()
    }
    return ConsentForm(data, current=current)


@never_cache
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    if user is None:
        return _to_login(request)
    context = {
        "title": _("Meus dados"),
        "person": user,
        "cases": citizen_cases(user)[:50],
        "manifestations": citizen_manifestations(user)[:50],
        "appointments": citizen_appointments(user)[:50],
        "notifications": citizen_notifications(user)[:50],
        "accesses": access_log_for(user)[:100],
        "consents": consents_current(user),
        "consent_form": _consent_form(user),
        "export": data_export_latest(user),
        "export_days": EXPORT_LINK_DAYS,
        "requests": subject_requests_of(user),
        "request_form": SubjectRequestForm(),
        "notice": privacy_notice_get(),
    }
    return render(request, "privacy/my_data.html", context)


@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    if user is None:
        return _to_login(request)
    data_export_request(user=user)
    messages.success(
        request,
        _(
            "Estamos preparando a cópia dos seus dados. "
            "Você receberá um e-mail com o link, válido por %(days)s dias."
        )
        % {"days": EXPORT_LINK_DAYS},
    )
    return redirect("privacy:my_data")


@never_cache
@require_GET
def export_download(request: HttpRequest, export_id: int, token: str, fmt: str) -> HttpResponseBase:
    """Only the person the export belongs to, signed in, before it expires."""
    if fmt not in ("json", "pdf"):
        raise Http404
    user = _citizen(request)
    if user is None:
        return _to_login(request)
    try:
        export = data_export_open(user=user, export_id=export_id, token=token)
    except ApplicationError as error:
        return render(
            request,
            "privacy/export_refused.html",
            {"title": _("Link inválido"), "message": error.message},
            status=403,
        )
    name = export.json_name if fmt == "json" else export.pdf_name
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=f"meus-dados.{fmt}",
        content_type="application/json" if fmt == "json" else "application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def subject_request(request: HttpRequest) -> HttpResponse:
    """Correction or deletion: a case to the encarregado, answered in 15 days (art. 19 II)."""
    user = _citizen(request)
    if user is None:
        return _to_login(request)
    form = SubjectRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = subject_request_file(user=user, **form.cleaned_data)
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Pedido registrado com o protocolo %(nup)s. A resposta vem em até 15 dias.")
                % {"nup": item.case.nup},
            )
            return redirect("privacy:my_data")
    return render(
        request,
        "privacy/subject_request.html",
        {"title": _("Pedir correção ou eliminação"), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def consents(request: HttpRequest) -> HttpResponse:
    """Record each changed choice with the text shown and the time (art. 8)."""
    user = _citizen(request)
    if user is None:
        return _to_login(request)
    form = _consent_form(user, request.POST)
    form.is_valid()
    current = consents_current(user)
    for purpose in ConsentPurpose:
        granted = bool(form.cleaned_data.get(purpose.value))
        previous = current[purpose.value]
        if previous is None or previous.granted != granted:
            consent_record(
                user=user,
                purpose=purpose.value,
                granted=granted,
                text_shown=str(purpose.label),
                ip_address=client_ip(request),
            )
    messages.success(request, _("Preferências registradas."))
    return redirect("privacy:my_data")


@municipal_admin_required
@require_http_methods(["GET", "POST"])
def notice_edit(request: HttpRequest) -> HttpResponse:
    current = privacy_notice_get()
    initial = (
        {
            "body": current.body,
            "dpo_name": current.dpo_name,
            "dpo_email": current.dpo_email,
            "dpo_phone": current.dpo_phone,
            "dpo_unit": current.dpo_unit,
        }
        if current
        else {}
    )
    form = PrivacyNoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            privacy_notice_save(**form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Aviso de privacidade salvo."))
            return redirect("privacy:notice_edit")
    return render(
        request,
        "privacy/notice_edit.html",
        {"title": _("Aviso de privacidade"), "form": form},
        status=400 if request.method == "POST" else 200,
    )
