from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from paco.authentication import verified_kind_required
from tenant_apps.accounts.enums import UserKind
from tenant_apps.cases.selectors import case_list_for_citizen
from tenant_apps.catalog.selectors import service_list_public
from tenant_apps.org.enums import Role
from tenant_apps.org.selectors import membership_list_current, org_unit_tree, user_is_municipal_admin

staff_required = verified_kind_required(UserKind.STAFF, "accounts:staff_login")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {"title": _("Início"), "units": org_unit_tree(), "services": service_list_public()},
    )


@require_GET
@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_citizen", False):
        raise Http404
    cases = case_list_for_citizen(user=request.user)[:100]
    return render(request, "portal/my_requests.html", {"title": _("Meus pedidos"), "cases": cases})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html", {"title": _("Acessibilidade")})


@require_GET
@cache_control(public=True, max_age=3600)
def coat_of_arms(request: HttpRequest) -> HttpResponseBase:
    """The city's coat of arms, read from its own storage folder."""
    name = request.tenant.coat_of_arms  # type: ignore[attr-defined]
    if not name or not default_storage.exists(name):
        raise Http404
    return FileResponse(default_storage.open(name, "rb"), content_type="image/svg+xml")


@require_GET
@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    memberships = membership_list_current(user_id=int(request.user.pk or 0))
    return render(
        request, "portal/staff_home.html", {"title": _("Área do servidor"), "memberships": memberships}
    )


@require_GET
@staff_required
def municipal_admin_home(request: HttpRequest) -> HttpResponse:
    if not user_is_municipal_admin(user_id=int(request.user.pk or 0)):
        raise Http404
    return render(
        request,
        "portal/municipal_admin.html",
        {"title": _("Administração municipal"), "units": org_unit_tree(), "admin_role": Role.ADMIN},
    )
