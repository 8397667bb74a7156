"""The municipal admin's pages of the tenancy layer, on the city's host: branding
(/admin-municipal/marca/) and the city's own domain (/admin-municipal/dominio/)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from paco.decorators import municipal_admin_required
from paco.errors import ApplicationError

from .branding import MINIMUM_CONTRAST
from .forms import BrandingForm, CustomDomainForm, CustomDomainRemoveForm
from .selectors import (
    custom_domain_list,
    custom_domain_txt_name,
    custom_domain_txt_value,
    municipality_default_hostname,
    municipality_primary_hostname,
    request_primary_base_url,
)
from .services import (
    custom_domain_add,
    custom_domain_remove,
    custom_domain_verify,
    municipality_branding_update,
)


@require_http_methods(["GET", "POST"])
@municipal_admin_required
def branding_edit(request: HttpRequest) -> HttpResponse:
    municipality = request.tenant  # type: ignore[attr-defined]
    initial = {
        "display_name": municipality.display_name,
        "primary_color": municipality.primary_color,
        "secondary_color": municipality.secondary_color,
    }
    bound = request.method == "POST"
    form = BrandingForm(request.POST if bound else None, request.FILES if bound else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("coat_of_arms")
        try:
            image = upload.read() if upload else None
            municipality_branding_update(
                municipality=municipality,
                display_name=data["display_name"],
                primary_color=data["primary_color"],
                secondary_color=data["secondary_color"],
                coat_of_arms=image,
            )
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _("Identidade visual atualizada."))
            return redirect("branding:edit")
    status = 400 if request.method == "POST" else 200
    context = {
        "title": _("Identidade visual"),
        "form": form,
        "minimum_contrast": str(MINIMUM_CONTRAST).replace(".", ","),
    }
    return render(request, "tenants/branding.html", context, status=status)


def _custom_domain_page(request: HttpRequest, form: CustomDomainForm, *, status: int = 200) -> HttpResponse:
    municipality = request.tenant  # type: ignore[attr-defined]
    domains = [
        {
            "row": row,
            "txt_name": custom_domain_txt_name(row.hostname),
            "txt_value": custom_domain_txt_value(row.token),
            "is_primary": row.hostname == primary,
            "remove_form": CustomDomainRemoveForm(auto_id=f"remover-{row.pk}-%s"),
        }
        for primary in [municipality_primary_hostname(municipality)]
        for row in custom_domain_list(municipality=municipality)
    ]
    context = {
        "title": _("Domínio próprio"),
        "form": form,
        "domains": domains,
        "cname_target": municipality_default_hostname(municipality),
        "primary_hostname": municipality_primary_hostname(municipality),
        "required_suffix": settings.CUSTOM_DOMAIN_REQUIRED_SUFFIX,
    }
    return render(request, "tenants/custom_domains.html", context, status=status)


@require_http_methods(["GET", "POST"])
@municipal_admin_required
def custom_domain_index(request: HttpRequest) -> HttpResponse:
    """`/admin-municipal/dominio/`: the city's own domains, the DNS records to create, and a form to
    add one (issue 18: gov.br gives production credentials only on an official domain)."""
    form = CustomDomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = custom_domain_add(municipality=request.tenant, hostname=form.cleaned_data["hostname"])  # type: ignore[attr-defined]
        except ApplicationError as error:
            form.add_error("hostname", error.message)
        else:
            messages.success(
                request,
                _("Domínio %(hostname)s adicionado. Crie os registros no DNS e clique em “Verificar agora”.")
                % {"hostname": row.hostname},
            )
            return redirect("domains:list")
    return _custom_domain_page(request, form, status=400 if request.method == "POST" else 200)


def _own_custom_domain(request: HttpRequest, custom_domain_id: int) -> int:
    rows = custom_domain_list(municipality=request.tenant)  # type: ignore[attr-defined]
    if not rows.filter(pk=custom_domain_id).exists():
        raise Http404
    return custom_domain_id


@require_POST
@municipal_admin_required
def custom_domain_check(request: HttpRequest, custom_domain_id: int) -> HttpResponse:
    """ "Verificar agora": look for the TXT record at once (the periodic job also does)."""
    row = custom_domain_verify(custom_domain_id=_own_custom_domain(request, custom_domain_id))
    if row.is_serving:
        messages.success(
            request,
            _("Domínio %(hostname)s verificado: agora é o endereço principal da prefeitura.")
            % {"hostname": row.hostname},
        )
    elif row.is_verified:
        messages.warning(
            request,
            _(
                "O DNS de %(hostname)s foi verificado. Ele vira o endereço principal assim que o Paço "
                "responder nele (certificado emitido). %(reason)s"
            )
            % {"hostname": row.hostname, "reason": row.last_error},
        )
    else:
        messages.error(
            request,
            _("O domínio %(hostname)s ainda não foi verificado. %(reason)s")
            % {"hostname": row.hostname, "reason": row.last_error},
        )
    return redirect("domains:list")


@require_POST
@municipal_admin_required
def custom_domain_delete(request: HttpRequest, custom_domain_id: int) -> HttpResponse:
    municipality = request.tenant  # type: ignore[attr-defined]
    row = custom_domain_list(municipality=municipality).filter(pk=custom_domain_id).first()
    if row is None:
        raise Http404
    if (
        row.hostname == municipality_primary_hostname(municipality)
        and not CustomDomainRemoveForm(request.POST).is_valid()
    ):
        messages.error(
            request,
            _("Para remover %(hostname)s, o endereço principal, marque a confirmação.")
            % {"hostname": row.hostname},
        )
        return redirect("domains:list")
    primary = custom_domain_remove(
        municipality=municipality, custom_domain_id=_own_custom_domain(request, custom_domain_id)
    )
    messages.success(
        request, _("Domínio removido. O endereço principal é %(hostname)s.") % {"hostname": primary}
    )
    # the page itself may have been on the domain just removed: continue on the primary host
    return HttpResponseRedirect(request_primary_base_url(request, municipality) + reverse("domains:list"))
