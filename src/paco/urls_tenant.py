"""URLs of a municipality's host (`<city>.<domain>`): citizen portal, staff area, API."""

from csp.decorators import csp_replace
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .health import healthz

API_DOCS_CSP = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "worker-src": ["'self'", "blob:"],
}

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("tenant_apps.portal.urls")),
    path("", include("tenant_apps.accounts.urls")),
    path("", include("tenant_apps.govbr.urls")),
    path("", include("tenant_apps.cases.urls")),
    path("", include("tenant_apps.comms.urls")),
    path("", include("tenant_apps.notifications.urls")),
    path("", include("tenant_apps.documents.urls")),
    path("", include("tenant_apps.ombudsman.urls")),
    path("", include("tenant_apps.scheduling.urls")),
    path("", include("tenant_apps.doctemplates.urls")),
    path("", include("tenant_apps.signatures.urls")),
    path("", include("tenant_apps.health.urls")),
    path("", include("tenant_apps.insights.urls")),
    path("", include("tenant_apps.privacy.urls")),
    path("", include("tenant_apps.payments.urls")),
    path("", include("tenant_apps.permits.urls")),
    path("admin-municipal/servicos/", include("tenant_apps.catalog.urls")),
    path("admin-municipal/servicos/", include("tenant_apps.open311.admin_urls")),
    path("admin-municipal/feriados/", include("tenant_apps.workdays.urls")),
    path("admin-municipal/assinatura/", include("shared_apps.billing.tenant_urls")),
    path("admin-municipal/marca/", include("tenants.tenant_urls")),
    path("admin-municipal/dominio/", include("tenants.domain_urls")),
    path("admin-municipal/encerramento/", include("shared_apps.offboarding.tenant_urls")),
    path("", include("shared_apps.support.tenant_urls")),
    # the demo's stand-in bank that pays a Pix guide (404 unless PAYMENTS_DEMO_BANK, `make demo` only)
    path("demo-banco/", include("paco_demo.bank_urls")),
    path("api/v1/", include("tenant_apps.catalog.api_urls")),
    path("api/v1/", include("tenant_apps.cases.api_urls")),
    path("api/v1/", include("tenant_apps.comms.api_urls")),
    path("api/v1/scheduling/", include("tenant_apps.scheduling.api_urls")),
    path("api/v1/", include("tenant_apps.doctemplates.api_urls")),
    path("api/v1/", include("tenant_apps.signatures.api_urls")),
    path("api/v1/health/", include("tenant_apps.health.api_urls")),
    path("api/v1/insights/", include("tenant_apps.insights.api_urls")),
    path("api/v1/payments/", include("tenant_apps.payments.api_urls")),
    path("api/v1/permits/", include("tenant_apps.permits.api_urls")),
    path("open311/v2/", include("tenant_apps.open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI and Redoc come from drf-spectacular-sidecar (our static files) with an inline
    # bootstrap script: the two pages with their own policy
    path(
        "api/docs/",
        csp_replace(API_DOCS_CSP)(SpectacularSwaggerView.as_view(url_name="api_schema")),
        name="api_docs",
    ),
    path(
        "api/redoc/",
        csp_replace(API_DOCS_CSP)(SpectacularRedocView.as_view(url_name="api_schema")),
        name="api_redoc",
    ),
]
