"""URLs of the control plane's host (public schema): product page, vendor support."""

from django.urls import include, path

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("billing/", include("shared_apps.billing.urls")),
    path("cadastro/", include("shared_apps.onboarding.urls")),
    path("suporte/municipios/", include("shared_apps.support.urls")),
    path("suporte/encerramentos/", include("shared_apps.offboarding.urls")),
    # the demo's stand-in for gov.br (404 unless GOVBR_DEMO_PROVIDER, which only `make demo` sets)
    path("demo-govbr/", include("paco_demo.govbr_urls")),
    # the demo's stand-in for gov.br assinatura (404 unless GOVBR_SIGN_DEMO_STANDIN: `make demo` only)
    path("demo-govbr-assinatura/", include("paco_demo.govbr_sign_urls")),
    path("", include("shared_apps.controlplane.urls")),
]
