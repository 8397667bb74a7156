"""Pick the schema from the request's host, before anything else runs.

Control-plane hosts get the public schema and URLconf; a municipality's host gets its schema
and the tenant URLconf; any other host gets a friendly 404 page, never the control plane.

A city whose primary host is its own domain (issue 18: verified, and seen answering) is served
there: its other hosts (the old `<slug>.<suffix>`) answer a page request (GET/HEAD) with a 301
to the same path and query on the primary host. Not redirected, so that nothing integrated with
the old host breaks: other methods (a 301 would turn a POST into a GET and lose its body:
webhooks, API writes, forms already open), the API (`/api/`, `/open311/`: clients keep their
base URL and token), webhooks, `/healthz` and ACME challenges (`/.well-known/`). Sessions are
host-only, so people sign in again on the new host.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.http.request import split_domain_port
from django.template.loader import render_to_string
from django.urls import set_urlconf
from django_tenants.middleware.main import TenantMainMiddleware

from paco import clusters
from paco.schemas import schema_activate_public, tenant_activate

from .selectors import (
    custom_domain_is_pending,
    municipality_get_by_hostname,
    municipality_redirect_hostname,
)

NOT_REDIRECTED_PREFIXES = ("/api/", "/open311/", "/webhooks/", "/healthz", "/.well-known/")


def primary_host_redirect(request: HttpRequest, municipality: object, hostname: str) -> HttpResponse | None:
    """A 301 to the city's primary host, for a page asked by another of its hosts (see above)."""
    if request.method not in ("GET", "HEAD") or request.path.startswith(NOT_REDIRECTED_PREFIXES):
        return None
    target = municipality_redirect_hostname(municipality)  # type: ignore[arg-type]
    if not target or target == hostname:
        return None
    _hostname, port = split_domain_port(request.get_host())
    # straight to HTTPS in production (SECURE_SSL_REDIRECT), not through a second redirect
    scheme = "https" if request.is_secure() or settings.SECURE_SSL_REDIRECT else "http"
    suffix = f":{port}" if port and port != {"http": "80", "https": "443"}[scheme] else ""
    # get_full_path: the path as sent (escaped) and the whole query string, unchanged
    return HttpResponsePermanentRedirect(f"{scheme}://{target}{suffix}{request.get_full_path()}")


def host_not_found_response(request: HttpRequest, hostname: str) -> HttpResponse:
    pending = bool(hostname) and custom_domain_is_pending(hostname)
    html = render_to_string("tenants/host_not_found.html", {"hostname": hostname, "pending": pending})
    return HttpResponse(html, status=404)


def _cluster_release() -> None:
    """Back to the control plane's connection when the request used another cluster's (with one
    cluster, nothing: the next request starts by choosing its schema anyway)."""
    if clusters.swapped():
        schema_activate_public()


class TenantMiddleware(TenantMainMiddleware):
    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A city on another cluster (paco.clusters): the thread's connection is the control plane's
        # again before Django closes or keeps connections at the end of the request; a streamed
        # answer (CSV, exports) still reads the city while it is sent, so then only when it closes.
        try:
            response: HttpResponse = super().__call__(request)
        except BaseException:
            _cluster_release()
            raise
        if getattr(response, "streaming", False):
            response._resource_closers.append(_cluster_release)  # type: ignore[attr-defined]
        else:
            _cluster_release()
        return response

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

        redirect = primary_host_redirect(request, municipality, hostname)
        if redirect is not None:
            return redirect
        municipality.domain_url = hostname
        request.tenant = municipality  # type: ignore[attr-defined]
        tenant_activate(municipality)
        request.urlconf = settings.ROOT_URLCONF  # type: ignore[attr-defined]
        set_urlconf(request.urlconf)  # type: ignore[attr-defined]
        return None
