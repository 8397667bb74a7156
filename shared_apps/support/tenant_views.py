"""Support sessions on a city's host: the handoff link, leaving, and the municipal admins' page of
support access (/admin-municipal/suporte/): policy, approvals, ending, every session's audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from paco.decorators import municipal_admin_required
from paco.errors import ApplicationError

from .banner import banner_clear, banner_set
from .enums import OPEN_STATUSES, SessionStatus
from .forms import PolicyForm
from .middleware import SESSION_KEY
from .selectors import support_policy_mode, support_session_get, support_session_list
from .services import (
    local_time,
    support_policy_set,
    support_session_decide,
    support_session_end,
    support_session_start,
)


@require_GET
def session_enter(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link from the control plane: sign in as the session's staff account, with the
    second factor marked verified, and start the session's clock."""
    municipality = getattr(request, "tenant", None)
    if municipality is None:
        raise Http404
    try:
        session, user, device = support_session_start(municipality=municipality, token=token)
    except ApplicationError as error:
        return render(
            request,
            "support/enter_refused.html",
            {"title": _("Acesso do suporte recusado"), "message": error.message},
            status=404,
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    request.session[SESSION_KEY] = session.pk
    request.support_session_started = session  # type: ignore[attr-defined]  # audited by the middleware
    until = local_time(municipality=municipality, moment=session.expires_at)  # type: ignore[arg-type]
    banner_set(session, until=until.strftime("%H:%M"))
    return redirect("portal:staff_home")


@require_POST
def session_end(request: HttpRequest) -> HttpResponse:
    """Support leaves its session (the one unsafe request a session may make)."""
    session = getattr(request, "support_session", None)
    if session is None:
        raise Http404
    support_session_end(session=session, ended_by=session.support_email)
    banner_clear(session.municipality_id)
    logout(request)
    request.support_session = None  # type: ignore[attr-defined]
    request.support_banner = None  # type: ignore[attr-defined]
    return render(request, "support/session_ended.html", {"title": _("Sessão de suporte encerrada")})


def _admin_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    municipality = request.tenant  # type: ignore[attr-defined]
    sessions = list(support_session_list(municipality=municipality))
    return {
        "title": _("Acesso do suporte"),
        "policy_form": extra.pop("policy_form", None)
        or PolicyForm(initial={"mode": support_policy_mode(municipality=municipality)}),
        "pending": [session for session in sessions if session.status == SessionStatus.REQUESTED],
        "open_statuses": list(OPEN_STATUSES),
        "sessions": sessions,
        **extra,
    }


@require_GET
@municipal_admin_required
def admin_page(request: HttpRequest) -> HttpResponse:
    return render(request, "support/admin_page.html", _admin_context(request))


@require_POST
@municipal_admin_required
def admin_policy(request: HttpRequest) -> HttpResponse:
    form = PolicyForm(request.POST)
    if not form.is_valid():
        return render(
            request, "support/admin_page.html", _admin_context(request, policy_form=form), status=400
        )
    support_policy_set(
        municipality=request.tenant,  # type: ignore[attr-defined]
        mode=form.cleaned_data["mode"],
        changed_by=request.user.email,  # type: ignore[union-attr]
    )
    messages.success(request, _("Política de acesso do suporte salva."))
    return redirect("support_tenant:admin_page")


def _session_or_404(request: HttpRequest, session_id: int) -> Any:
    session = support_session_get(municipality=request.tenant, session_id=session_id)  # type: ignore[attr-defined]
    if session is None:
        raise Http404
    return session


@require_GET
@municipal_admin_required
def admin_session(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id)
    return render(
        request,
        "support/admin_session.html",
        {"title": _("Sessão de suporte"), "session": session, "open_statuses": list(OPEN_STATUSES)},
    )


def _admin_session_action(request: HttpRequest, session_id: int, run: Callable[[Any], str]) -> HttpResponse:
    session = _session_or_404(request, session_id)
    try:
        message = run(session)
    except ApplicationError as error:
        return render(
            request, "support/admin_page.html", _admin_context(request, error=error.message), status=400
        )
    messages.success(request, message)
    return redirect("support_tenant:admin_page")


@require_POST
@municipal_admin_required
def admin_approve(request: HttpRequest, session_id: int) -> HttpResponse:
    def run(session: Any) -> str:
        support_session_decide(session=session, approve=True, admin_email=request.user.email)  # type: ignore[union-attr]
        return _("Acesso do suporte aprovado.")

    return _admin_session_action(request, session_id, run)


@require_POST
@municipal_admin_required
def admin_deny(request: HttpRequest, session_id: int) -> HttpResponse:
    def run(session: Any) -> str:
        support_session_decide(session=session, approve=False, admin_email=request.user.email)  # type: ignore[union-attr]
        return _("Acesso do suporte negado.")

    return _admin_session_action(request, session_id, run)


@require_POST
@municipal_admin_required
def admin_end(request: HttpRequest, session_id: int) -> HttpResponse:
    def run(session: Any) -> str:
        support_session_end(session=session, ended_by=request.user.email)  # type: ignore[union-attr]
        banner_clear(session.municipality_id)
        return _("Sessão de suporte encerrada.")

    return _admin_session_action(request, session_id, run)
