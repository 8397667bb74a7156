"""Login with password and, for staff and vendor support, a TOTP second factor (django-otp).

The same views serve a city's staff and citizens (tenant schema) and vendor support (public
schema, `shared_apps.controlplane`); each URLconf binds them with the account kind it accepts, so
credentials from one place never open the other: the user tables are different tables in
different schemas. This module imports nothing but the kernel, because the control plane uses it
too (accounts is installed in both schemas).
"""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING, Any

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, login, user_login_failed
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from paco.client_ip import client_ip
from paco.ratelimit import rate_hit, rate_peek, too_many_requests

if TYPE_CHECKING:  # for the types only: at run time the model comes from get_user_model()
    from .models import User

PENDING_USER_KEY = "paco_pending_user_id"
PENDING_AT_KEY = "paco_pending_at"
PENDING_NEXT_KEY = "paco_pending_next"
PENDING_SECONDS = 300
# Wrong codes in a row accepted without a pause (RFC 6238 §5.2 leaves the throttling policy to the
# verifier; TOTPDevice.tolerance=1 already accepts the previous/next 30-second step for clock drift).
FREE_TYPOS = 3
GENERIC_LOGIN_ERROR = _("E-mail ou senha incorretos.")


class PasswordForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(
        label=_("Senha"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Código de 6 dígitos do aplicativo autenticador"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Digite os 6 números mostrados no aplicativo.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def login_locked_out(request: HttpRequest, response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """django-axes lockout: too many failed attempts for this e-mail from this address."""
    return render(
        request,
        "auth/locked_out.html",
        {"title": _("Acesso temporariamente bloqueado")},
        status=429,
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


def _pending_user(request: HttpRequest) -> User | None:
    from django.contrib.auth import get_user_model

    user_id = request.session.get(PENDING_USER_KEY)
    started = request.session.get(PENDING_AT_KEY, 0)
    if not user_id or time.time() - started > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def _pending_clear(request: HttpRequest) -> None:
    for key in (PENDING_USER_KEY, PENDING_AT_KEY, PENDING_NEXT_KEY):
        request.session.pop(key, None)


class PasswordLoginView(View):
    """Step one. Accepts only `allowed_kinds`; any mismatch is the same generic error."""

    allowed_kinds: tuple[str, ...] = ()
    second_factor = True
    template_name = "auth/login.html"
    title = _("Entrar")
    success_url_name = ""
    token_url_name = ""
    enroll_url_name = ""
    extra_context: dict[str, Any] = {}

    def context(self, form: forms.Form) -> dict[str, Any]:
        return {"form": form, "title": self.title, "next": _safe_next(self.request, ""), **self.extra_context}

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self.context(PasswordForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PasswordForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form), status=400)
        # password spraying: failed logins from one address, whatever the e-mails (issue 10)
        address = f"addr:{client_ip(request)}"
        wait = rate_peek("login-failures", address, settings.LOGIN_ADDRESS_FAILURE_RATE)
        if wait is not None:
            return too_many_requests(request, wait)
        email = form.cleaned_data["email"].strip().lower()
        user = authenticate(request, email=email, password=form.cleaned_data["password"])
        if user is not None and getattr(user, "kind", None) not in self.allowed_kinds:
            # A valid password for the wrong kind of account counts as a failure (and for axes).
            user_login_failed.send(sender=__name__, credentials={"email": email}, request=request)
            user = None
        if user is None:
            rate_hit("login-failures", address, settings.LOGIN_ADDRESS_FAILURE_RATE)
            form.add_error(None, GENERIC_LOGIN_ERROR)
            return render(request, self.template_name, self.context(form), status=400)
        next_url = _safe_next(request, reverse(self.success_url_name))
        if not self.second_factor:
            login(request, user)
            return HttpResponseRedirect(next_url)
        request.session.cycle_key()
        request.session[PENDING_USER_KEY] = user.pk
        request.session[PENDING_AT_KEY] = time.time()
        request.session[PENDING_NEXT_KEY] = next_url
        has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        return redirect(self.token_url_name if has_device else self.enroll_url_name)


class TokenLoginView(View):
    """Step two: the TOTP code (django-otp throttles repeated wrong codes per device)."""

    template_name = "auth/token.html"
    title = _("Verificação em duas etapas")
    login_url_name = ""
    extra_context: dict[str, Any] = {}

    def context(self, form: forms.Form, **extra: Any) -> dict[str, Any]:
        return {"form": form, "title": self.title, **self.extra_context, **extra}

    def get(self, request: HttpRequest) -> HttpResponse:
        if _pending_user(request) is None:
            return redirect(self.login_url_name)
        return render(request, self.template_name, self.context(TokenForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        user = _pending_user(request)
        if user is None:
            return redirect(self.login_url_name)
        form = TokenForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form), status=400)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            return redirect(self.login_url_name)
        if device.throttling_failure_count < FREE_TYPOS:
            # a typo or two costs no waiting; django-otp's doubling delay starts after that
            device.throttling_failure_timestamp = None
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            form.add_error(None, _("Muitas tentativas erradas. Aguarde alguns segundos e tente de novo."))
            return render(request, self.template_name, self.context(form), status=429)
        if not device.verify_token(form.cleaned_data["token"].strip()):
            form.add_error("token", _("Código inválido ou expirado."))
            return render(request, self.template_name, self.context(form), status=400)
        return _complete_login(request, user, device)


class EnrollTokenView(TokenLoginView):
    """First login of an account without a second factor: show the secret, confirm one code."""

    template_name = "auth/enroll.html"
    title = _("Ative a verificação em duas etapas")

    def _device(self, user: AbstractBaseUser) -> TOTPDevice:
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="default", defaults={"confirmed": False}
        )
        return device

    def enrollment(self, device: TOTPDevice) -> dict[str, Any]:
        secret = base64.b32encode(device.bin_key).decode()
        qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title=str(self.title))
        return {"secret": secret, "qr_svg": qr_svg}

    def get(self, request: HttpRequest) -> HttpResponse:
        user = _pending_user(request)
        if user is None:
            return redirect(self.login_url_name)
        device = self._device(user)
        if device.confirmed:
            return redirect(self.login_url_name)
        return render(request, self.template_name, self.context(TokenForm(), **self.enrollment(device)))

    def post(self, request: HttpRequest) -> HttpResponse:
        user = _pending_user(request)
        if user is None:
            return redirect(self.login_url_name)
        device = self._device(user)
        if device.confirmed:
            return redirect(self.login_url_name)
        form = TokenForm(request.POST)
        if not form.is_valid() or not device.verify_token(form.cleaned_data["token"].strip()):
            if form.is_valid():
                form.add_error("token", _("Código inválido ou expirado."))
            return render(
                request, self.template_name, self.context(form, **self.enrollment(device)), status=400
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return _complete_login(request, user, device)


def _complete_login(request: HttpRequest, user: User, device: TOTPDevice) -> HttpResponse:
    next_url = request.session.get(PENDING_NEXT_KEY) or "/"
    _pending_clear(request)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    return HttpResponseRedirect(next_url)
