"""'Esqueci minha senha' for citizens and staff: Django's password reset flow, in Portuguese.

Django's token is single-use by construction (it hashes the password and the last login, so it
dies as soon as the password changes) and expires after PASSWORD_RESET_TIMEOUT. Requests are
rate-limited per address and per e-mail; the answer never says whether an e-mail has an account.
Staff still need their authenticator code after a reset: only the password changes.

Unlike Django's form, an account without a usable password gets the link too: a citizen registered
at the counter by staff (or who only ever signed in with gov.br) and everyone of a restored city
(password hashes are never exported) choose their first password this way, as the signup e-mails
and the restore's output tell them to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from paco.client_ip import client_ip
from paco.schemas import current_schema_name

from .enums import UserKind
from .models import User

RESET_LIMIT_PER_IP = 5
RESET_LIMIT_PER_EMAIL = 3
RESET_WINDOW_SECONDS = 3600


def _over_limit(key: str, limit: int) -> bool:
    cache.add(key, 0, RESET_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, RESET_WINDOW_SECONDS)
        count = 1
    return count > limit


class AccountPasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email: str) -> Iterator[Any]:
        """Active citizen and staff accounts of `email`, with or without a usable password.

        Not: signups awaiting activation, deactivated staff, system accounts (all inactive), vendor
        support, and the placeholder addresses of people without e-mail (`...@balcao.invalid`)."""
        email = email.strip()
        accounts = User.objects.filter(
            email__iexact=email, is_active=True, kind__in=(UserKind.CITIZEN, UserKind.STAFF)
        )
        for account in accounts:
            if account.email.lower() == email.lower() and not account.email.endswith(".invalid"):
                yield account


class PasswordResetView(auth_views.PasswordResetView):
    form_class = AccountPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"title": _("Esqueci minha senha")}

    def form_valid(self, form: Any) -> HttpResponse:
        request = self.request
        schema = current_schema_name()
        email = str(form.cleaned_data["email"]).strip().lower()
        by_ip = _over_limit(f"password_reset:{schema}:ip:{client_ip(request)}", RESET_LIMIT_PER_IP)
        by_email = bool(email) and _over_limit(
            f"password_reset:{schema}:email:{email}", RESET_LIMIT_PER_EMAIL
        )
        if by_ip or by_email:
            return render(
                request,
                "accounts/password_reset_limited.html",
                {"title": _("Muitos pedidos de nova senha")},
                status=429,
            )
        self.extra_email_context = {"municipality": getattr(connection, "tenant", None)}
        return super().form_valid(form)

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"title": _("Confira o seu e-mail")}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"title": _("Crie uma nova senha")}

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"title": _("Senha alterada")}
