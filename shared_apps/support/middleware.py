"""Request middleware of vendor support on a city's host.

`LastActivityMiddleware` (right after TenantMiddleware) writes the city's last activity, throttled.
`SupportSessionMiddleware` (after authentication and OTP, before the read-only check) governs the
requests of a support session: an ended or expired session logs out; every unsafe method is refused
except leaving the session; every request is recorded. On every city page it also exposes, from the
cache alone (no query), whether a support session is running, for the staff banner.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .banner import banner_clear, banner_get, banner_set
from .enums import SessionStatus
from .models import SupportSession
from .services import (
    local_time,
    municipality_activity_touch,
    support_audit_record,
    support_session_expire_one,
)

SESSION_KEY = "paco_support_session_id"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class LastActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        municipality = getattr(request, "tenant", None)
        if municipality is not None:
            municipality_activity_touch(municipality_id=municipality.pk)
        return self.get_response(request)


def _session_id(request: HttpRequest) -> int | None:
    # Only a request that already carries a session cookie can be a support session's.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    value = request.session.get(SESSION_KEY)
    return int(value) if value else None


def _entering(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.view_name == "support_tenant:enter"


def session_ended_response(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "support/session_ended.html",
        {"title": _("Sessão de suporte encerrada")},
        status=403,
    )


def _audit(session_id: int, request: HttpRequest, response: HttpResponse) -> None:
    support_audit_record(
        session_id=session_id,
        method=request.method or "",
        path=request.get_full_path(),
        status_code=response.status_code,
    )


class SupportSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        municipality = getattr(request, "tenant", None)
        if municipality is None:
            return self.get_response(request)
        request.support_banner = banner_get(municipality.pk)  # type: ignore[attr-defined]
        session_id = _session_id(request)
        if session_id is not None and _entering(request):
            session_id = None  # a new handoff link replaces whatever this browser had
        if session_id is None:
            response = self.get_response(request)
            started = getattr(request, "support_session_started", None)
            if started is not None:  # the handoff page just started a session
                _audit(started.pk, request, response)
            return response

        session = SupportSession.objects.filter(pk=session_id, municipality_id=municipality.pk).first()
        now = timezone.now()
        if (
            session is None
            or session.status != SessionStatus.ACTIVE
            or session.expires_at is None
            or session.expires_at <= now
        ):
            if session is not None and session.status == SessionStatus.ACTIVE:
                support_session_expire_one(session=session)
            logout(request)
            banner_clear(municipality.pk)
            request.support_banner = None  # type: ignore[attr-defined]
            response = session_ended_response(request)
            if session is not None:
                _audit(session.pk, request, response)
            return response

        request.support_session = session  # type: ignore[attr-defined]
        until = local_time(municipality=municipality, moment=session.expires_at)
        request.support_session_until = until.strftime("%H:%M")  # type: ignore[attr-defined]
        leaving = request.method == "POST" and request.path_info == reverse("support_tenant:end")
        if request.method not in SAFE_METHODS and not leaving:
            response = render(
                request,
                "support/read_only.html",
                {"title": _("Sessão de suporte: somente leitura")},
                status=403,
            )
        else:
            response = self.get_response(request)
        _audit(session.pk, request, response)
        if not leaving:
            banner_set(session, until=request.support_session_until)  # type: ignore[attr-defined]
        return response
