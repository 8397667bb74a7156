"""Pages: the citizen's guides (owner only), the staff list and detail (manual payment and
cancellation with a reason), and the municipal admin's Pix settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.decorators import municipal_admin_required, staff_required
from paco.errors import ApplicationError
from paco.text import brl
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import account
from tenant_apps.org.selectors import user_managed_unit_ids

from . import purposes
from .forms import (
    GuideCancelForm,
    GuideFilterForm,
    GuideMarkPaidForm,
    GuideOneOffForm,
    PixSettingsForm,
    PspCredentialsForm,
    RefundForm,
)
from .models import PaymentGuide
from .provider import provider_config
from .selectors import (
    guide_by_number,
    guide_events,
    guide_list,
    guide_of_owner,
    guide_refunds,
    guide_webhook_events,
    guides_of_owner,
    pix_settings_get,
    psp_certificate_summary,
    psp_credentials_get,
)
from .services import (
    guide_cancel,
    guide_issue_one_off,
    guide_mark_paid,
    pix_settings_save,
    pix_webhook_secret_rotate,
    psp_credentials_save,
    psp_webhook_register,
    psp_webhook_url,
    refund_available,
    refund_request,
)


def _psp_webhook_url(request: HttpRequest) -> str:
    """Where the city's PSP is told to send its notices (it POSTs to this + "/pix")."""
    tenant: Any = getattr(request, "tenant", None)
    return psp_webhook_url(slug=getattr(tenant, "slug", ""), base_url=request.build_absolute_uri("/"))


STAFF_PAGE_SIZE = 50


def _citizen_or_404(request: HttpRequest) -> User:
    if not getattr(request.user, "is_citizen", False):
        raise Http404
    return account(request.user)


@require_GET
@login_required
def my_guides(request: HttpRequest) -> HttpResponse:
    """`/minha-conta/guias/`: the guides issued to the signed-in citizen."""
    user = _citizen_or_404(request)
    return render(
        request,
        "payments/my_guides.html",
        {"title": _("Minhas guias de pagamento"), "guides": guides_of_owner(user=user)[:100]},
    )


@never_cache
@require_GET
@login_required
def my_guide(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """`/minha-conta/guias/<ano>/<número>/`: see and pay one guide (its owner only; 404 for others)."""
    user = _citizen_or_404(request)
    guide = guide_of_owner(user=user, year=year, number=number)
    if guide is None:
        raise Http404
    return render(
        request,
        "payments/my_guide.html",
        {"title": _("Guia nº %(number)s") % {"number": guide.display_number}, "guide": guide},
    )


def _can_settle(request: HttpRequest) -> bool:
    """Managers and municipal admins record manual payments and cancel guides."""
    return bool(user_managed_unit_ids(request.user))


@staff_required
@require_GET
def staff_guide_list(request: HttpRequest) -> HttpResponse:
    """`/staff/guias/`: the city's guides, filtered by situation, purpose, year, number or payer."""
    form = GuideFilterForm(request.GET or None, purpose_choices=purposes.choices())
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "status": data["situacao"],
            "purpose": data["finalidade"],
            "year": data["ano"],
            "search": data["q"],
        }
    page = Paginator(guide_list(**filters), STAFF_PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "payments/staff_guide_list.html",
        {
            "title": _("Guias de pagamento (DAM)"),
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "labels": dict(purposes.choices()),
            "can_settle": _can_settle(request),
        },
    )


def _staff_guide(year: int, number: int) -> PaymentGuide:
    guide = guide_by_number(year=year, number=number)
    if guide is None:
        raise Http404
    return guide


def _staff_guide_page(
    request: HttpRequest,
    guide: PaymentGuide,
    *,
    paid_form: GuideMarkPaidForm | None = None,
    cancel_form: GuideCancelForm | None = None,
    refund_form: RefundForm | None = None,
    status: int = 200,
) -> HttpResponse:
    available = refund_available(guide=guide)
    return render(
        request,
        "payments/staff_guide.html",
        {
            "title": _("Guia nº %(number)s") % {"number": guide.display_number},
            "guide": guide,
            "purpose_label": purposes.label_for(guide.purpose),
            "events": guide_events(guide=guide),
            "notices": guide_webhook_events(guide=guide),
            "can_settle": _can_settle(request),
            "paid_form": paid_form or GuideMarkPaidForm(prefix="baixa"),
            "cancel_form": cancel_form or GuideCancelForm(prefix="cancelar"),
            "refunds": guide_refunds(guide=guide),
            "refund_available": available,
            "refund_by_psp": bool(guide.provider_reference) and provider_config() is not None,
            "refund_form": refund_form
            or RefundForm(prefix="devolver", initial={"amount": available} if available else None),
        },
        status=status,
    )


@staff_required
@require_GET
def staff_guide(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """`/staff/guias/<ano>/<número>/`: a guide, its history and the bank's notices."""
    return _staff_guide_page(request, _staff_guide(year, number))


@staff_required
@require_POST
def staff_guide_mark_paid(request: HttpRequest, year: int, number: int) -> HttpResponse:
    guide = _staff_guide(year, number)
    if not _can_settle(request):
        raise Http404
    form = GuideMarkPaidForm(request.POST, prefix="baixa")
    if form.is_valid():
        try:
            guide_mark_paid(guide=guide, actor=account(request.user), reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form.add_error("reason" if error.extra.get("field") == "reason" else None, error.message)
        else:
            messages.success(request, _("Pagamento registrado. A guia está paga."))
            return redirect("payments:staff_guide", year=year, number=number)
    return _staff_guide_page(request, guide, paid_form=form, status=400)


@staff_required
@require_POST
def staff_guide_cancel(request: HttpRequest, year: int, number: int) -> HttpResponse:
    guide = _staff_guide(year, number)
    if not _can_settle(request):
        raise Http404
    form = GuideCancelForm(request.POST, prefix="cancelar")
    if form.is_valid():
        try:
            guide_cancel(guide=guide, reason=form.cleaned_data["reason"], actor=account(request.user))
        except ApplicationError as error:
            form.add_error("reason" if error.extra.get("field") == "reason" else None, error.message)
        else:
            messages.success(request, _("Guia cancelada."))
            return redirect("payments:staff_guide", year=year, number=number)
    return _staff_guide_page(request, guide, cancel_form=form, status=400)


@staff_required
@require_POST
def staff_guide_refund(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """Give back all or part of a paid guide's Pix, with a reason (managers and municipal admins)."""
    guide = _staff_guide(year, number)
    if not _can_settle(request):
        raise Http404
    form = RefundForm(request.POST, prefix="devolver")
    if form.is_valid():
        try:
            refund = refund_request(
                guide=guide,
                actor=account(request.user),
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Devolução de R$ %(amount)s: %(status)s.")
                % {
                    "amount": brl(refund.amount),
                    "status": refund.get_status_display().lower(),
                },
            )
            return redirect("payments:staff_guide", year=year, number=number)
    return _staff_guide_page(request, guide, refund_form=form, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_guide_new(request: HttpRequest) -> HttpResponse:
    """`/staff/guias/nova/`: a one-off guide (no permit behind it) for a taxpayer's CPF or CNPJ."""
    if not _can_settle(request):
        raise Http404
    form = GuideOneOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guide = guide_issue_one_off(actor=account(request.user), **form.cleaned_data)
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _("Guia nº %(number)s emitida.") % {"number": guide.display_number})
            return redirect("payments:staff_guide", year=guide.year, number=guide.number)
    return render(
        request,
        "payments/staff_guide_new.html",
        {"title": _("Nova guia avulsa"), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@municipal_admin_required
@require_http_methods(["GET", "POST"])
def psp_settings(request: HttpRequest) -> HttpResponse:
    """`/admin-municipal/pix/psp/`: the city's own PSP (its bank's Pix API); secrets never shown back."""
    row = psp_credentials_get()
    initial: dict[str, Any] = {}
    if row is not None:
        initial = {
            "enabled": row.enabled,
            "api_url": row.api_url,
            "token_url": row.token_url,
            "scope": row.scope,
            "client_id": row.client_id,
            "webhook_client_subject": row.webhook_client_subject,
        }
    form = PspCredentialsForm(request.POST or None, initial=initial or None)
    if request.method == "POST" and form.is_valid():
        try:
            psp_credentials_save(actor=account(request.user), **form.cleaned_data)
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _("PSP da prefeitura salvo."))
            return redirect("payments:psp_settings")
    config = provider_config()
    return render(
        request,
        "payments/psp_settings.html",
        {
            "title": _("PSP da prefeitura (API Pix)"),
            "form": form,
            "row": row,
            "has_secret": bool(row and row.client_secret_encrypted),
            "has_key": bool(row and row.private_key_encrypted),
            "certificate": psp_certificate_summary(pem=row.certificate_pem) if row else None,
            "source": config.source if config else "",
            "pix": pix_settings_get(),
            "webhook_url": _psp_webhook_url(request),
        },
        status=400 if request.method == "POST" else 200,
    )


@municipal_admin_required
@require_POST
def psp_webhook_register_view(request: HttpRequest) -> HttpResponse:
    """Register the city's webhook URL at its PSP (`PUT /v2/webhook/{chave}`)."""
    url = _psp_webhook_url(request)
    try:
        psp_webhook_register(url=url)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Webhook cadastrado no PSP: %(url)s/pix") % {"url": url})
    return redirect("payments:psp_settings")


@municipal_admin_required
@require_http_methods(["GET", "POST"])
def pix_settings(request: HttpRequest) -> HttpResponse:
    """`/admin-municipal/pix/`: the city's Pix key, and the webhook secret for its PSP."""
    row = pix_settings_get()
    initial = (
        {
            "key_type": row.key_type,
            "key": row.key,
            "merchant_name": row.merchant_name,
            "merchant_city": row.merchant_city,
        }
        if row
        else {}
    )
    form = PixSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pix_settings_save(**form.cleaned_data)
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _("Chave Pix da prefeitura salva."))
            return redirect("payments:pix_settings")
    return render(
        request,
        "payments/pix_settings.html",
        {
            "title": _("Pix da prefeitura"),
            "form": form,
            "has_settings": row is not None,
            "provider": provider_config() is not None,
            "webhook_url": request.build_absolute_uri("/api/v1/payments/webhook/"),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@municipal_admin_required
@require_POST
def pix_secret_rotate(request: HttpRequest) -> HttpResponse:
    """A new webhook secret, shown once on this answer (never stored in clear, never shown again)."""
    try:
        secret = pix_webhook_secret_rotate()
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("payments:pix_settings")
    return render(
        request, "payments/pix_secret.html", {"title": _("Novo segredo do webhook"), "secret": secret}
    )
