from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from paco.decorators import SUPPORT_KIND, support_required
from tenant_apps.accounts.login import EnrollTokenView, PasswordLoginView, TokenLoginView
from tenants.enums import MunicipalityStatus
from tenants.selectors import municipality_list, municipality_primary_hostname


def _portal_url(request: HttpRequest, hostname: str) -> str:
    port = request.get_port()
    suffix = f":{port}" if port not in ("80", "443") else ""
    return f"{request.scheme}://{hostname}{suffix}/"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    live = [
        (municipality, _portal_url(request, municipality_primary_hostname(municipality)))
        for municipality in municipality_list().exclude(status=MunicipalityStatus.SUSPENDED)
    ]
    return render(request, "controlplane/home.html", {"title": _("A prefeitura digital"), "live": live})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "paco/accessibility.html", {"title": _("Acessibilidade")})


class SupportLoginView(PasswordLoginView):
    allowed_kinds = (SUPPORT_KIND,)
    title = _("Suporte Paço")
    success_url_name = "controlplane:support_console"
    token_url_name = "controlplane:support_token"  # noqa: S105 - a URL name, not a secret
    enroll_url_name = "controlplane:support_enroll"
    extra_context = {"audience": "support"}


class SupportTokenView(TokenLoginView):
    login_url_name = "controlplane:support_login"


class SupportEnrollView(EnrollTokenView):
    login_url_name = "controlplane:support_login"


@require_GET
@support_required
def support_console(request: HttpRequest) -> HttpResponse:
    """Every city: status, plan and subscription, usage and projected bill, last activity, errors,
    storage (a fixed number of queries for any number of cities)."""
    from shared_apps.support.selectors import support_console_rows

    return render(
        request,
        "controlplane/support_console.html",
        {
            "title": _("Console de suporte"),
            "rows": support_console_rows(),
            "suffix": settings.TENANT_DOMAIN_SUFFIX,
        },
    )


@require_POST
def support_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("controlplane:home")
