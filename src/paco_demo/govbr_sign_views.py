"""DEMONSTRATION ONLY: the gov.br assinatura stand-in (paco_demo.govbr_sign) as Django views.

Served on the control-plane host under /demo-govbr-assinatura/ only when
settings.GOVBR_SIGN_DEMO_STANDIN is on (`make demo`); otherwise every route is a 404.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenants.models import Domain

from .govbr_sign import DemoSignChain, GovBrSignStandIn
from .govbr_views import _answer

LEVEL_LABELS = {
    "bronze": gettext_lazy("bronze"),
    "prata": gettext_lazy("prata"),
    "ouro": gettext_lazy("ouro"),
}


def stand_in_for(request: HttpRequest) -> GovBrSignStandIn:
    """The stand-in, with every city's host (on this server's port) as a registered callback host."""
    if not settings.GOVBR_SIGN_DEMO_STANDIN:
        raise Http404
    port = request.get_port()
    suffix = "" if port in ("80", "443") else f":{port}"
    return GovBrSignStandIn(
        chain=DemoSignChain(Path(settings.GOVBR_SIGN_DEMO_DIR)),
        redirect_hosts=[f"{domain}{suffix}" for domain in Domain.objects.values_list("domain", flat=True)],
    )


class AuthorizeForm(forms.Form):
    conta = forms.ChoiceField(label=gettext_lazy("Pessoa de demonstração"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, stand_in: GovBrSignStandIn, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conta"].choices = [  # type: ignore[attr-defined]
            (
                account.cpf,
                _("%(name)s — CPF %(cpf)s — conta %(level)s")
                % {"name": account.name, "cpf": account.cpf, "level": LEVEL_LABELS[account.level]},
            )
            for account in stand_in.accounts.values()
        ]


@csrf_exempt  # the page is reached from another origin (the city) and answers with a redirect
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """A page labelled as a demonstration: pick a demo person, then "Autorizar assinatura"."""
    stand_in = stand_in_for(request)
    params: dict[str, Any] = request.GET.dict()
    redirect_uri = str(params.get("redirect_uri", ""))
    if request.method == "POST":
        if "cancelar" in request.POST:
            return _answer(stand_in.cancel(params))
        form = AuthorizeForm(request.POST, stand_in=stand_in)
        if form.is_valid():
            return _answer(stand_in.authorize(params, cpf=form.cleaned_data["conta"]))
    else:
        form = AuthorizeForm(stand_in=stand_in)
    if not stand_in.redirect_allowed(redirect_uri) or params.get("client_id") != stand_in.client_id:
        return HttpResponse(
            "redirect_uri not registered for this client", status=400, content_type="text/plain"
        )
    response = render(
        request,
        "paco_demo/govbr_sign_authorize.html",
        {
            "title": _("Assinatura gov.br de demonstração"),
            "form": form,
            "query": request.GET.urlencode(),
            "session": params.get("scope") == "signature_session",
        },
        status=400 if form.is_bound else 200,
    )
    # the form answers with a redirect to the city's callback, another origin: allow that one
    parts = urlsplit(redirect_uri)
    response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
    return response


@csrf_exempt  # a server-to-server call (the city's back channel)
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    return _answer(stand_in_for(request).token(request.POST.dict()))


@require_GET
def public_certificate(request: HttpRequest) -> HttpResponse:
    answer = stand_in_for(request).public_certificate(request.headers.get("Authorization", ""))
    if answer.status == 200:
        return HttpResponse(answer.text, content_type="application/x-pem-file")
    return _answer(answer)


@csrf_exempt  # a server-to-server call (the city's back channel)
@require_POST
def sign_pkcs7(request: HttpRequest) -> HttpResponse:
    status, body, content_type = stand_in_for(request).sign_pkcs7(
        request.headers.get("Authorization", ""), request.body
    )
    return HttpResponse(body, status=status, content_type=content_type)
