"""Pages of the gov.br sign-in: start, callback, link confirmation, the citizen's gov.br page, and
the municipal admin's client settings."""

from __future__ import annotations

import time

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.decorators import municipal_admin_required
from paco.errors import ApplicationError
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenants.selectors import request_primary_base_url

from . import client as govbr
from .forms import GovBrClientForm, LinkConfirmForm, RequirementsForm
from .models import ReliabilityRequirement
from .selectors import govbr_client_config, govbr_client_get, govbr_identity_of
from .services import (
    govbr_client_save,
    govbr_link,
    govbr_nonce_consume,
    govbr_sign_in,
    govbr_unlink,
    person_from_session,
    person_to_session,
    reliability_requirement_set,
)

FLOWS_KEY = "govbr_flows"
PENDING_LINK_KEY = "govbr_pending_link"
LOGOUT_REDIRECT_KEY = "paco_logout_redirect"  # read by accounts' logout view
MAX_FLOWS = 5
FLOW_SECONDS = 600
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _primary_url(request: HttpRequest, path: str) -> str:
    """`path` on the city's primary host: the redirect URIs registered with gov.br are those of the
    primary host (a verified own domain, tenants.services.custom_domain_verify), whichever host
    this request came by."""
    return request_primary_base_url(request, request.tenant) + path  # type: ignore[attr-defined]


def _redirect_uri(request: HttpRequest) -> str:
    return _primary_url(request, reverse("govbr:callback"))


def _failure(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(
        request,
        "govbr/error.html",
        {"title": _("Não foi possível entrar com gov.br"), "message": message},
        status=status,
    )


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return ""


def _citizen(request: HttpRequest) -> User | None:
    user = request.user
    if isinstance(user, User) and user.kind == UserKind.CITIZEN:
        return user
    return None


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """`/entrar/govbr/`: send the browser to gov.br with a fresh state, nonce and PKCE challenge."""
    config = govbr_client_config()
    if config is None:
        return _failure(request, _("Esta prefeitura ainda não oferece a entrada com gov.br."), status=404)
    linking = request.GET.get("vincular") == "1"
    if linking and _citizen(request) is None:
        return redirect(f"{reverse('accounts:login')}?next={reverse('govbr:account')}")
    try:
        authorization = govbr.authorization_start(config, redirect_uri=_redirect_uri(request))
    except ApplicationError as error:
        return _failure(request, error.message, status=502)
    flows = request.session.get(FLOWS_KEY, {})
    flows = dict(sorted(flows.items(), key=lambda item: item[1]["at"])[-(MAX_FLOWS - 1) :])
    flows[authorization.state] = {
        "nonce": authorization.nonce,
        "verifier": authorization.code_verifier,
        "next": _safe_next(request, request.GET.get("next", "")),
        "linking": linking,
        "at": time.time(),
    }
    request.session[FLOWS_KEY] = flows
    return HttpResponseRedirect(authorization.url)


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """`/entrar/govbr/retorno/`: gov.br's answer. The state is used once (popped before anything)."""
    flows = request.session.get(FLOWS_KEY, {})
    state = request.GET.get("state", "")
    flow = flows.pop(state, None)
    if flow is not None:
        request.session[FLOWS_KEY] = flows  # used once; a visitor with no flow gets no session
    if flow is None or time.time() - flow["at"] > FLOW_SECONDS:
        return _failure(
            request,
            _(
                "Esta resposta do gov.br não corresponde a um pedido de entrada em andamento, "
                "ou já foi usada. "
                'Comece de novo pelo botão "Entrar com gov.br". Nada foi alterado.'
            ),
        )
    config = govbr_client_config()
    if config is None:
        return _failure(request, _("Esta prefeitura ainda não oferece a entrada com gov.br."), status=404)
    try:
        person = govbr.authorization_finish(
            config,
            redirect_uri=_redirect_uri(request),
            params=request.GET.dict(),
            expected_state=state,
            nonce=flow["nonce"],
            code_verifier=flow["verifier"],
        )
        govbr_nonce_consume(nonce=flow["nonce"])
        outcome = govbr_sign_in(person=person, signed_in=_citizen(request) if flow["linking"] else None)
    except ApplicationError as error:
        return _failure(request, error.message)
    end_session = govbr.end_session_url(
        config,
        id_token=person.id_token,
        post_logout_redirect_uri=_primary_url(request, reverse("portal:home")),
    )
    if outcome.confirm:
        request.session[PENDING_LINK_KEY] = {
            "user_id": outcome.user.pk,
            "person": person_to_session(person=person),
            "at": time.time(),
            "next": flow["next"],
            "end_session": end_session,
        }
        return redirect("govbr:link_confirm")
    return _complete(request, outcome.user, end_session=end_session, next_url=flow["next"])


def _complete(request: HttpRequest, user: User, *, end_session: str, next_url: str) -> HttpResponse:
    already = _citizen(request)
    if already is None or already.pk != user.pk:
        login(request, user, backend=BACKEND)
    request.session[LOGOUT_REDIRECT_KEY] = end_session
    return HttpResponseRedirect(next_url or reverse("portal:my_requests"))


@never_cache
@require_http_methods(["GET", "POST"])
def link_confirm(request: HttpRequest) -> HttpResponse:
    """The owner of an existing account confirms its password before it is linked to gov.br."""
    pending = request.session.get(PENDING_LINK_KEY)
    if not pending or time.time() - pending["at"] > FLOW_SECONDS:
        request.session.pop(PENDING_LINK_KEY, None)
        return _failure(request, _("O prazo para vincular as contas terminou. Entre com gov.br de novo."))
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        return _failure(request, _("A conta a vincular não existe mais."))
    form = LinkConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = authenticate(request, email=user.email, password=form.cleaned_data["password"])
        if confirmed is None or confirmed.pk != user.pk:
            form.add_error("password", _("Senha incorreta. As contas não foram vinculadas."))
        else:
            try:
                govbr_link(user=user, person=person_from_session(data=pending["person"]))
            except ApplicationError as error:
                request.session.pop(PENDING_LINK_KEY, None)
                return _failure(request, error.message)
            request.session.pop(PENDING_LINK_KEY, None)
            messages.success(request, _("Pronto: sua conta está vinculada ao gov.br."))
            return _complete(request, user, end_session=pending["end_session"], next_url=pending["next"])
    masked = _mask_email(user.email)
    return render(
        request,
        "govbr/link_confirm.html",
        {"title": _("Vincular sua conta ao gov.br"), "form": form, "masked_email": masked},
        status=400 if request.method == "POST" else 200,
    )


def _mask_email(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:2]}{'•' * max(len(name) - 2, 1)}@{domain}"


@never_cache
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """`/minha-conta/govbr/`: the citizen's link, level and when it was read; link or unlink."""
    user = _citizen(request)
    if user is None:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    return render(
        request,
        "govbr/account.html",
        {
            "title": _("Conta gov.br"),
            "identity": govbr_identity_of(user),
            "available": govbr_client_config() is not None,
            "has_password": user.has_usable_password(),
        },
    )


@require_POST
def unlink(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    if user is None:
        return redirect(f"{reverse('accounts:login')}?next={reverse('govbr:account')}")
    try:
        govbr_unlink(user=user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("govbr:account")
    request.session.pop(LOGOUT_REDIRECT_KEY, None)
    messages.success(request, _("Sua conta não está mais vinculada ao gov.br. Entre com e-mail e senha."))
    return redirect("govbr:account")


@municipal_admin_required
@require_http_methods(["GET", "POST"])
def client_settings(request: HttpRequest) -> HttpResponse:
    """The municipal admin registers the city's gov.br client (the secret is stored encrypted)."""
    client = govbr_client_get()
    initial = {"enabled": client.enabled, "issuer": client.issuer, "client_id": client.client_id}
    form = GovBrClientForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            govbr_client_save(**form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Configuração do gov.br salva."))
            return redirect("govbr:client_settings")
    return render(
        request,
        "govbr/client_settings.html",
        {
            "title": _("Entrada com gov.br"),
            "form": form,
            "has_secret": bool(client.client_secret_encrypted),
            "redirect_uri": _redirect_uri(request),
        },
        status=400 if request.method == "POST" else 200,
    )


def _requirement_targets() -> list[tuple[str, str, str]]:
    """Catalogue services, ombudsman kinds and permit kinds, looked up by model name (those apps sit
    above this one). A permit kind's catalogue service is listed once, as the permit kind (`licenca`:
    the permits module checks that target when a request is made, on the page and in the API)."""
    service_model = apps.get_model("catalog", "Service")
    permit_kind_model = apps.get_model("permits", "PermitKind")
    permit_kinds = list(
        permit_kind_model.objects.filter(service__is_active=True)
        .select_related("service")
        .order_by("service__name")
    )
    permit_service_ids = {kind.service_id for kind in permit_kinds}
    targets = [
        ("servico", service.code, _("Serviço: %(name)s") % {"name": service.name})
        for service in service_model.objects.filter(is_active=True).order_by("name")
        if service.pk not in permit_service_ids
    ]
    targets += [
        ("licenca", kind.service.code, _("Alvará ou licença: %(name)s") % {"name": kind.service.name})
        for kind in permit_kinds
    ]
    kind_field = apps.get_model("ombudsman", "Manifestation")._meta.get_field("kind")
    targets += [
        ("ouvidoria", value, _("Ouvidoria: %(kind)s") % {"kind": label})
        for value, label in (kind_field.choices or ())
    ]
    return targets


@municipal_admin_required
@require_http_methods(["GET", "POST"])
def requirements(request: HttpRequest) -> HttpResponse:
    """The municipal admin sets the minimum gov.br level per service, manifestation kind and permit kind."""
    targets = _requirement_targets()
    current = {f"{row.target}:{row.code}": row.level for row in ReliabilityRequirement.objects.all()}
    form = RequirementsForm(request.POST or None, targets=targets, initial_levels=current)
    if request.method == "POST" and form.is_valid():
        for name, level in form.cleaned_data.items():
            target, _sep, code = name.partition(":")
            if current.get(name, "") != level:
                reliability_requirement_set(target=target, code=code, level=level)
        messages.success(request, _("Níveis mínimos salvos."))
        return redirect("govbr:requirements")
    return render(
        request,
        "govbr/requirements.html",
        {"title": _("Nível mínimo da conta gov.br"), "form": form},
        status=400 if request.method == "POST" else 200,
    )
