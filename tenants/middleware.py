"""Pick the schema from the request's host, before anything else runs.

Control-plane hosts get the public schema and URLconf; a municipality's host gets its schema
and the tenant URLconf; any other host gets a friendly 404 page, never the control plane.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import set_urlconf
from django_tenants.middleware.main import TenantMainMiddleware

from paco.schemas import schema_activate_public, tenant_activate

from .selectors import municipality_get_by_hostname


def host_not_found_response(request: HttpRequest, hostname: str) -> HttpResponse:
    html = render_to_string("tenants/host_not_found.html", {"hostname": hostname})
    return HttpResponse(html, status=404)


class TenantMiddleware(TenantMainMiddleware):
    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        schema_activate_public()
        request.tenant = None  # type: ignore[attr-defined]
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            return host_not_found_response(request, "")

        if hostname in settings.CONTROL_PLANE_HOSTS:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
            set_urlconf(request.urlconf)  # type: ignore[attr-defined]
            return None

        municipality = municipality_get_by_hostname(hostname)
        if municipality is None:
            return host_not_found_response(request, hostname)

        municipality.domain_url = hostname
        request.tenant = municipality  # type: ignore[attr-defined]
        tenant_activate(municipality)
        request.urlconf = settings.ROOT_URLCONF  # type: ignore[attr-defined]
        set_urlconf(request.urlconf)  # type: ignore[attr-defined]
        return None
