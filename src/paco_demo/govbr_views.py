"""DEMONSTRATION ONLY: the stand-in gov.br provider (paco_demo.govbr_provider) as Django views.

Served on the control-plane host under /demo-govbr/ only when settings.GOVBR_DEMO_PROVIDER is on
(`make demo`); otherwise every route is a 404. One provider in this process's memory: the demo
runs one process.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenants.models import Domain

from .govbr_provider import Account, Answer, OpenIdProvider

DEMO_CLIENT_ID = "paco-demo"
DEMO_CLIENT_SECRET = "segredo-de-demonstracao"  # noqa: S105 - the demo provider's public test secret
DEMO_ACCOUNTS = {
    "52998224725": Account(
        cpf="52998224725",
        name="Maria da Silva Santos",
        email="cidadao@exemplo.com.br",
        phone="+5579999990000",
        levels=("bronze", "prata"),
    ),
    "11144477735": Account(
        cpf="11144477735",
        name="João Pereira Demonstração",
        email="joao.demo@exemplo.com.br",
        levels=("bronze",),
    ),
}
_providers: dict[str, OpenIdProvider] = {}


def demo_issuer(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/demo-govbr"


def provider_for(request: HttpRequest) -> OpenIdProvider:
    """The stand-in provider of this control-plane host (`localhost`, which the server itself can
    also reach for the back-channel calls), with every city's callback registered."""
    if not settings.GOVBR_DEMO_PROVIDER:
        raise Http404
    issuer = demo_issuer(f"{request.scheme}://{request.get_host()}")
    provider = _providers.get(issuer)
    if provider is None:
        port = request.get_port()
        suffix = "" if port in ("80", "443") else f":{port}"
        provider = OpenIdProvider(
            issuer=issuer,
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            redirect_uris=[
                f"{request.scheme}://{domain}{suffix}/entrar/govbr/retorno/"
                for domain in Domain.objects.values_list("domain", flat=True)
            ],
            accounts=dict(DEMO_ACCOUNTS),
        )
        _providers[issuer] = provider
    return provider


def _answer(answer: Answer) -> HttpResponse:
    if answer.location:
        return HttpResponseRedirect(answer.location)
    if answer.json is not None:
        return JsonResponse(answer.json, status=answer.status, safe=False)
    return HttpResponse(answer.text, status=answer.status, content_type="text/plain; charset=utf-8")


def _headers(request: HttpRequest) -> dict[str, str]:
    return {"authorization": request.headers.get("Authorization", "")}


@require_GET
def discovery(request: HttpRequest) -> HttpResponse:
    return JsonResponse(provider_for(request).discovery())


@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    return JsonResponse(provider_for(request).jwks())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """A page labelled as a demonstration: pick a demo CPF, then "Autorizar"."""
    provider = provider_for(request)
    params: dict[str, Any] = request.GET.dict()
    if request.method == "POST":
        return _answer(provider.authorize(params, cpf=request.POST.get("cpf", "")))
    response = render(
        request,
        "paco_demo/govbr_authorize.html",
        {
            "title": "gov.br de demonstração",
            "accounts": provider.accounts.values(),
            "query": request.GET.urlencode(),
        },
    )
    # the page's form answers with a redirect to the city's callback, another origin: the
    # Content-Security-Policy's form-action must allow that one registered origin
    redirect_uri = str(params.get("redirect_uri", ""))
    if redirect_uri in provider.redirect_uris:
        parts = urlsplit(redirect_uri)
        response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
    return response


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    return _answer(provider_for(request).token(_headers(request), request.POST.dict()))


@require_GET
def userinfo(request: HttpRequest) -> HttpResponse:
    return _answer(provider_for(request).userinfo(_headers(request)))


@require_GET
def reliability(request: HttpRequest, cpf: str) -> HttpResponse:
    return _answer(provider_for(request).reliability_levels(_headers(request), cpf))


@require_GET
def end_session(request: HttpRequest) -> HttpResponse:
    return _answer(provider_for(request).end_session(request.GET.dict()))
