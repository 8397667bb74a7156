"""Vendor support's pages of one city on the control plane (/suporte/municipios/<id>/)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from paco.decorators import support_required
from paco.errors import AccessDenied, ApplicationError
from tenants.enums import MunicipalityStatus
from tenants.models import Municipality
from tenants.selectors import custom_domain_list, municipality_base_url

from .forms import SessionRequestForm, SuspendForm, TrialExtendForm
from .models import SupportSession
from .selectors import (
    ConsoleRow,
    ErrorCounts,
    error_counts_by_municipality,
    support_action_list,
    support_policy_mode,
    support_session_list,
)
from .services import (
    handoff_url,
    municipality_invite_resend,
    municipality_reactivate,
    municipality_suspend,
    municipality_trial_extend,
    support_session_handoff,
    support_session_request,
)


def _account_names(request: HttpRequest) -> tuple[str, str]:
    """The support account's e-mail and name. `support_required` lets only an account through; the
    control plane may not import tenant_apps.accounts, so it names the model by AUTH_USER_MODEL."""
    user = request.user
    if not isinstance(user, get_user_model()):
        raise AccessDenied
    return user.email, user.full_name or user.email


def _me(request: HttpRequest) -> str:
    return _account_names(request)[0]


def _municipality(municipality_id: int) -> Municipality:
    municipality = (
        Municipality.objects.select_related("subscription")
        .prefetch_related("domains")
        .filter(pk=municipality_id)
        .first()
    )
    if municipality is None:
        raise Http404
    return municipality


def _usage(municipality: Municipality) -> Any:
    try:
        from shared_apps.metering.selectors import usage_current_period
    except ImportError:
        return None
    return usage_current_period(municipality=municipality)


def _page(
    request: HttpRequest,
    municipality: Municipality,
    *,
    status: int = 200,
    error: str = "",
    bound: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    forms_ = bound or {}
    context = {
        "title": _("Suporte: %(city)s") % {"city": municipality.display_name},
        "municipality_row": municipality,
        "subscription": getattr(municipality, "subscription", None),
        "usage": _usage(municipality),
        "row": ConsoleRow(
            municipality=municipality,
            hostname="",
            subscription=getattr(municipality, "subscription", None),
            usage=_usage(municipality),
            errors=ErrorCounts(0, 0),
            storage_bytes=None,
        ),
        "domains": sorted(
            municipality.domains.all(), key=lambda domain: (not domain.is_primary, domain.domain)
        ),
        "base_url": municipality_base_url(municipality),
        "custom_domains": list(custom_domain_list(municipality=municipality)),
        "errors": error_counts_by_municipality().get(municipality.pk),
        "policy_mode": support_policy_mode(municipality=municipality),
        "actions": support_action_list(municipality=municipality)[:50],
        "sessions": support_session_list(municipality=municipality)[:20],
        "is_suspended": municipality.status == MunicipalityStatus.SUSPENDED,
        "suspend_form": forms_.get("suspend_form") or SuspendForm(),
        "trial_form": forms_.get("trial_form") or TrialExtendForm(),
        "session_form": forms_.get("session_form") or SessionRequestForm(),
        "error": error,
        "me": _me(request),
    }
    return render(request, "support/municipality_detail.html", context, status=status)


@require_GET
@support_required
def municipality_detail(request: HttpRequest, municipality_id: int) -> HttpResponse:
    return _page(request, _municipality(municipality_id))


def _action(
    request: HttpRequest,
    municipality_id: int,
    form_class: type[forms.Form] | None,
    form_name: str,
    run: Callable[[Municipality, dict[str, Any]], str],
) -> HttpResponse:
    municipality = _municipality(municipality_id)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _page(request, municipality, status=400, bound={form_name: form})
    try:
        message = run(municipality, form.cleaned_data if form is not None else {})
    except ApplicationError as error:
        if (
            form is not None
            and isinstance(error.extra.get("field"), str)
            and error.extra["field"] in form.fields
        ):
            form.add_error(error.extra["field"], error.message)
            return _page(request, municipality, status=400, bound={form_name: form})
        return _page(request, municipality, status=400, error=error.message)
    messages.success(request, message)
    return redirect("support:municipality_detail", municipality_id=municipality.pk)


@require_POST
@support_required
def municipality_suspend_view(request: HttpRequest, municipality_id: int) -> HttpResponse:
    def run(municipality: Municipality, data: dict[str, Any]) -> str:
        municipality_suspend(municipality=municipality, support_email=_me(request), reason=data["reason"])
        return _("Município suspenso: o portal fica somente para consulta.")

    return _action(request, municipality_id, SuspendForm, "suspend_form", run)


@require_POST
@support_required
def municipality_reactivate_view(request: HttpRequest, municipality_id: int) -> HttpResponse:
    def run(municipality: Municipality, data: dict[str, Any]) -> str:
        municipality = municipality_reactivate(municipality=municipality, support_email=_me(request))
        return _("Município reativado (situação: %(status)s).") % {
            "status": municipality.get_status_display()
        }

    return _action(request, municipality_id, None, "", run)


@require_POST
@support_required
def trial_extend_view(request: HttpRequest, municipality_id: int) -> HttpResponse:
    def run(municipality: Municipality, data: dict[str, Any]) -> str:
        municipality_trial_extend(
            municipality=municipality,
            support_email=_me(request),
            days=data["days"],
        )
        return _("Avaliação estendida em %(days)d dias.") % {"days": data["days"]}

    return _action(request, municipality_id, TrialExtendForm, "trial_form", run)


@require_POST
@support_required
def invite_resend_view(request: HttpRequest, municipality_id: int) -> HttpResponse:
    def run(municipality: Municipality, data: dict[str, Any]) -> str:
        return municipality_invite_resend(municipality=municipality, support_email=_me(request))

    return _action(request, municipality_id, None, "", run)


@require_POST
@support_required
def session_request_view(request: HttpRequest, municipality_id: int) -> HttpResponse:
    def run(municipality: Municipality, data: dict[str, Any]) -> str:
        email, name = _account_names(request)
        session = support_session_request(
            municipality=municipality,
            support_email=email,
            support_name=name,
            reason=data["reason"],
            target_email=data["target_email"],
            minutes=data["minutes"],
        )
        if session.status == "approved":
            return _("Sessão aprovada automaticamente: use “Entrar” na lista de sessões.")
        return _("Pedido enviado aos administradores do município; aguarde a aprovação.")

    return _action(request, municipality_id, SessionRequestForm, "session_form", run)


@require_POST
@support_required
def session_enter_view(request: HttpRequest, municipality_id: int, session_id: int) -> HttpResponse:
    municipality = _municipality(municipality_id)
    session = (
        SupportSession.objects.select_related("municipality")
        .filter(pk=session_id, municipality=municipality)
        .first()
    )
    if session is None:
        raise Http404
    try:
        token = support_session_handoff(session=session, support_email=_me(request))
    except ApplicationError as error:
        return _page(request, municipality, status=400, error=error.message)
    return HttpResponseRedirect(handoff_url(session=session, token=token))
