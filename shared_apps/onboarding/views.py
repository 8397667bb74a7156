"""The signup pages of the control plane (/cadastro/): form, check inbox, confirm, progress, payment."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.client_ip import client_ip
from paco.errors import ApplicationError
from shared_apps.billing.services import subscription_checkout_start
from tenants.selectors import municipality_base_url

from . import services
from .enums import PaymentMethod, SignupStatus
from .forms import SignupForm
from .models import Signup
from .selectors import (
    email_mask,
    ibge_municipality_list_by_uf,
    signup_effective_status,
    signup_get,
    signup_progress,
    verification_link_shown,
)

PENDING_SESSION_KEY = "onboarding_pending"  # the signup this browser created, for "Reenviar e-mail"
LINK_SESSION_KEY = "onboarding_demo_link"  # the verification link, kept only when the demo shows it
CONFIRMED_SESSION_KEY = "onboarding_confirmed"  # signups this browser confirmed: they see the links
RATE_WINDOW_SECONDS = 3600


def _count(key: str) -> int:
    return int(cache.get(key, 0))


def _bump(key: str) -> None:
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW_SECONDS)


def _signups_key(request: HttpRequest) -> str:
    # the cache key function adds the schema ("public") to every key
    return f"onboarding:signups:{client_ip(request)}"


def _form_page(request: HttpRequest, form: SignupForm, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "onboarding/signup.html",
        {"title": _("Cadastre sua prefeitura"), "form": form, "suffix": settings.TENANT_DOMAIN_SUFFIX},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def signup_form(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        # ?uf=SE opens the form with that state's municipalities listed (links from elsewhere)
        return _form_page(request, SignupForm(initial={"uf": request.GET.get("uf", "")}))
    form = SignupForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    data = form.cleaned_data
    if data.get("website"):
        form.add_error(None, _("Não foi possível enviar o cadastro. Recarregue a página e tente de novo."))
        return _form_page(request, form, status=400)
    if _count(_signups_key(request)) >= settings.ONBOARDING_SIGNUPS_PER_HOUR:
        form.add_error(
            None,
            _("Muitos cadastros enviados deste endereço. Aguarde uma hora ou fale com o suporte do Paço."),
        )
        return _form_page(request, form, status=429)
    try:
        signup, token = services.signup_create(
            ibge_code=data["ibge_code"],
            slug=data["slug"],
            admin_full_name=data["admin_full_name"],
            admin_cpf=data["admin_cpf"],
            admin_email=data["admin_email"],
            plan_code=data["plan_code"],
            payment_method=data["payment_method"],
            remote_addr=client_ip(request),
        )
    except ApplicationError as error:
        field = error.extra.get("field")
        form.add_error(field if field in form.fields else None, error.message)
        return _form_page(request, form, status=400)
    _bump(_signups_key(request))
    request.session[PENDING_SESSION_KEY] = str(signup.pk)
    request.session[LINK_SESSION_KEY] = (
        services.verification_url(token=token) if verification_link_shown() else ""
    )
    return redirect("onboarding:check_inbox")


@require_GET
def municipality_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of a UF's municipalities (htmx, on the form's UF select)."""
    uf = request.GET.get("uf", "")
    return render(
        request,
        "onboarding/_municipality_options.html",
        {"municipalities": ibge_municipality_list_by_uf(uf) if uf else []},
    )


def _pending_signup(request: HttpRequest) -> Signup | None:
    signup_id = request.session.get(PENDING_SESSION_KEY)
    return signup_get(signup_id) if signup_id else None


@require_GET
def check_inbox(request: HttpRequest) -> HttpResponse:
    signup = _pending_signup(request)
    if signup is None:
        return redirect("onboarding:signup")
    return render(
        request,
        "onboarding/check_inbox.html",
        {
            "title": _("Confira seu e-mail"),
            "signup": signup,
            "status": signup_effective_status(signup),
            "masked_email": email_mask(signup.admin_email),
            "hours": settings.ONBOARDING_VERIFICATION_HOURS,
            "demo_link": request.session.get(LINK_SESSION_KEY, "") if verification_link_shown() else "",
        },
    )


@require_POST
def verification_resend(request: HttpRequest) -> HttpResponse:
    signup = _pending_signup(request)
    if signup is None:
        raise Http404
    key = f"onboarding:resend:{signup.pk}:{client_ip(request)}"
    if _count(key) >= settings.ONBOARDING_RESENDS_PER_HOUR:
        messages.error(request, _("Você já pediu vários reenvios. Aguarde uma hora antes de pedir outro."))
        return redirect("onboarding:check_inbox")
    try:
        token = services.signup_verification_resend(signup=signup)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("onboarding:check_inbox")
    _bump(key)
    request.session[LINK_SESSION_KEY] = (
        services.verification_url(token=token) if verification_link_shown() else ""
    )
    messages.success(
        request,
        _("Enviamos um novo link para %(email)s. O anterior deixou de valer.")
        % {"email": email_mask(signup.admin_email)},
    )
    return redirect("onboarding:check_inbox")


def _invalid_link(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    reason = error.extra.get("reason")
    signup_id = error.extra.get("signup_id") if reason == "used" else None
    return render(
        request,
        "onboarding/confirm_invalid.html",
        {"title": _("Link de confirmação"), "message": error.message, "signup_id": signup_id},
        status=404 if reason == "unknown" else 400,
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what will be created and changes nothing (mail scanners follow links); POST confirms."""
    if request.method == "POST":
        try:
            signup = services.signup_verify(token=token)
        except ApplicationError as error:
            return _invalid_link(request, error)
        confirmed = [*request.session.get(CONFIRMED_SESSION_KEY, []), str(signup.pk)]
        request.session[CONFIRMED_SESSION_KEY] = confirmed[-10:]
        return redirect("onboarding:progress", signup_id=signup.pk)
    try:
        signup = services.signup_token_check(signup=services.signup_get_by_token(token=token))
    except ApplicationError as error:
        return _invalid_link(request, error)
    return render(
        request,
        "onboarding/confirm.html",
        {
            "title": _("Confirmar cadastro"),
            "signup": signup,
            "host": f"{signup.slug}.{settings.TENANT_DOMAIN_SUFFIX}",
            "plan": _plan_name(signup.plan_code),
            "masked_email": email_mask(signup.admin_email),
        },
    )


def _plan_name(code: str) -> str:
    from shared_apps.billing.selectors import plan_get

    plan = plan_get(code)
    return f"{plan.name} · {plan.monthly_fee_display}" if plan else code


def _signup_or_404(signup_id: uuid.UUID) -> Signup:
    signup = signup_get(signup_id)
    if signup is None:
        raise Http404
    return signup


def _is_owner(request: HttpRequest, signup: Signup) -> bool:
    return str(signup.pk) in request.session.get(CONFIRMED_SESSION_KEY, [])


def _progress_context(request: HttpRequest, signup: Signup, *, error: str = "") -> dict[str, Any]:
    status = signup_effective_status(signup)
    owner = _is_owner(request, signup)
    context: dict[str, Any] = {
        "title": _("Criação do portal"),
        "signup": signup,
        "status": status,
        "steps": signup_progress(signup),
        "polling": status in (SignupStatus.VERIFIED, SignupStatus.PROVISIONING),
        "owner": owner,
        "error": error,
        "total_seconds": sum(float(value) for value in (signup.step_seconds or {}).values()),
    }
    if status == SignupStatus.READY and owner and signup.municipality is not None:
        base = municipality_base_url(signup.municipality)
        context.update(
            portal_url=f"{base}/",
            staff_login_url=base + reverse("accounts:staff_login", urlconf=settings.ROOT_URLCONF),
            subscription_url=base + reverse("subscription:page", urlconf=settings.ROOT_URLCONF),
            masked_email=email_mask(signup.admin_email),
            card_payment=signup.payment_method == PaymentMethod.CARD,
            stripe_configured=bool(settings.STRIPE_API_KEY),
            payment_ok=request.GET.get("pagamento") == "ok",
        )
    return context


@require_GET
def progress(request: HttpRequest, signup_id: uuid.UUID) -> HttpResponse:
    signup = _signup_or_404(signup_id)
    return render(request, "onboarding/progress.html", _progress_context(request, signup))


@require_GET
def progress_fragment(request: HttpRequest, signup_id: uuid.UUID) -> HttpResponse:
    signup = _signup_or_404(signup_id)
    return render(request, "onboarding/_progress.html", _progress_context(request, signup))


@require_POST
def payment(request: HttpRequest, signup_id: uuid.UUID) -> HttpResponse:
    """The card: a Stripe Checkout Session for the new city's subscription (the confirming session only)."""
    signup = _signup_or_404(signup_id)
    if not _is_owner(request, signup):
        raise Http404
    refusal = ""
    municipality = signup.municipality
    if signup.status != SignupStatus.READY or municipality is None:
        refusal = _("O pagamento por cartão estará disponível quando o portal estiver pronto.")
    elif not settings.STRIPE_API_KEY:
        refusal = _(
            "Os pagamentos ainda não estão configurados: a avaliação gratuita continua, e o pagamento é"
            " cadastrado depois, na página de assinatura do portal."
        )
    if refusal or municipality is None:
        context = _progress_context(request, signup, error=refusal)
        return render(request, "onboarding/progress.html", context, status=400)
    page = request.build_absolute_uri(reverse("onboarding:progress", kwargs={"signup_id": signup.pk}))
    try:
        session = subscription_checkout_start(
            municipality=municipality,
            contact_email=signup.admin_email,
            success_url=f"{page}?pagamento=ok",
            cancel_url=page,
        )
    except ApplicationError as error:
        return render(
            request,
            "onboarding/progress.html",
            _progress_context(request, signup, error=error.message),
            status=400,
        )
    return HttpResponseRedirect(session.url, status=303)
