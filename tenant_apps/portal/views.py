from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import etag, require_GET

from paco.decorators import staff_required
from tenant_apps.accounts.types import account
from tenant_apps.cases.selectors import case_counts_by_filter, case_list_for_citizen
from tenant_apps.catalog.selectors import service_list_public
from tenant_apps.comms.selectors import circular_list_awaiting_acknowledgement
from tenant_apps.insights.selectors import paper_saved_since_start
from tenant_apps.notifications.selectors import notification_inbox_unread_count
from tenant_apps.org.enums import Role
from tenant_apps.org.selectors import membership_list_current, org_unit_tree, user_is_municipal_admin
from tenants.branding import coat_of_arms_content_type


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "title": _("Início"),
            "units": org_unit_tree(),
            "services": service_list_public(),
            "paper": paper_saved_since_start(),
        },
    )


@require_GET
@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_citizen", False):
        raise Http404
    cases = case_list_for_citizen(user=account(request.user))[:100]
    return render(request, "portal/my_requests.html", {"title": _("Meus pedidos"), "cases": cases})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html", {"title": _("Acessibilidade")})


def _coat_of_arms_etag(request: HttpRequest) -> str | None:
    # the stored name changes with every new upload (it carries the file's hash)
    return getattr(request.tenant, "coat_of_arms", "") or None  # type: ignore[attr-defined]


@require_GET
@cache_control(public=True, max_age=300)
@etag(_coat_of_arms_etag)
def coat_of_arms(request: HttpRequest) -> HttpResponseBase:
    """The city's coat of arms, read from its own storage folder, with the type of what is stored
    (the generated SVG or an uploaded PNG) and headers that keep it from ever running as a page."""
    name = request.tenant.coat_of_arms  # type: ignore[attr-defined]
    if not name or not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type=coat_of_arms_content_type(name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user_id = int(request.user.pk or 0)
    memberships = list(membership_list_current(user_id=user_id))
    units = list(dict.fromkeys(membership.unit for membership in memberships))
    inbox = [(unit, case_counts_by_filter(unit_id=unit.pk)) for unit in units]
    return render(
        request,
        "portal/staff_home.html",
        {
            "title": _("Área do servidor"),
            "memberships": memberships,
            "inbox": inbox,
            "inbox_tabs": [
                ("novo", _("Novos")),
                ("em_andamento", _("Em andamento")),
                ("aguardando_cidadao", _("Aguardando o cidadão")),
                ("atrasado", _("Atrasados")),
            ],
            # unit managers and municipal admins open the indicators (insights, permits) and deadlines
            "is_manager": any(membership.role in (Role.MANAGER, Role.ADMIN) for membership in memberships),
            "circulars_pending": list(circular_list_awaiting_acknowledgement(user=request.user)),
            "unread": notification_inbox_unread_count(user_id=user_id),
        },
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
