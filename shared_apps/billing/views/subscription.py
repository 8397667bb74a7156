"""The municipal admin's subscription page, on the city's own host (/admin-municipal/assinatura/)."""

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
from paco.usage import usage_period_summary

from ..enums import SubscriptionStatus
from ..selectors import plan_for_population, plan_get, plan_list, subscription_get_for_municipality
from ..services import subscription_checkout_start, subscription_invoice_start, subscription_portal_start


def _page_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("subscription:page"))


def _page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    municipality = request.tenant  # type: ignore[attr-defined]
    subscription = subscription_get_for_municipality(municipality=municipality)
    plan = plan_get(subscription.plan_code) if subscription else None
    context = {
        "title": _("Assinatura"),
        "subscription": subscription,
        "plan": plan or plan_for_population(municipality.population),
        "plans": plan_list(),
        "past_due": subscription is not None and subscription.status == SubscriptionStatus.PAST_DUE,
        "can_subscribe": subscription is None
        or not subscription.stripe_subscription_id
        or subscription.status in (SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED),
        "can_manage": subscription is not None and bool(subscription.stripe_customer_id),
        "error": error,
        "grace_days": settings.BILLING_GRACE_DAYS,
        "usage": usage_period_summary(municipality=municipality),
    }
    return render(request, "billing/subscription.html", context, status=status)


@require_GET
@municipal_admin_required
def subscription_page(request: HttpRequest) -> HttpResponse:
    if request.GET.get("checkout") == "ok":
        messages.success(request, _("Pagamento recebido pelo Stripe. A situação é atualizada em instantes."))
    return _page(request)


@require_POST
@municipal_admin_required
def subscription_checkout(request: HttpRequest) -> HttpResponse:
    try:
        session = subscription_checkout_start(
            municipality=request.tenant,  # type: ignore[attr-defined]
            contact_email=request.user.email,  # type: ignore[union-attr]
            success_url=_page_url(request) + "?checkout=ok",
            cancel_url=_page_url(request),
        )
    except ApplicationError as error:
        return _page(request, status=400, error=error.message)
    return HttpResponseRedirect(session.url, status=303)


@require_POST
@municipal_admin_required
def subscription_boleto(request: HttpRequest) -> HttpResponse:
    try:
        subscription_invoice_start(
            municipality=request.tenant,  # type: ignore[attr-defined]
            contact_email=request.user.email,  # type: ignore[union-attr]
        )
    except ApplicationError as error:
        return _page(request, status=400, error=error.message)
    messages.success(
        request,
        _("Assinatura por boleto criada. A fatura chega ao e-mail %(email)s.")
        % {"email": request.user.email},  # type: ignore[union-attr]
    )
    return HttpResponseRedirect(reverse("subscription:page"))


@require_POST
@municipal_admin_required
def subscription_portal(request: HttpRequest) -> HttpResponse:
    try:
        url = subscription_portal_start(
            municipality=request.tenant,  # type: ignore[attr-defined]
            return_url=_page_url(request),
        )
    except ApplicationError as error:
        return _page(request, status=400, error=error.message)
    return HttpResponseRedirect(url, status=303)
