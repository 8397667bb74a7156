"""URLs of the control plane's host (public schema): product page, vendor support."""

from django.urls import include, path

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("billing/", include("shared_apps.billing.urls")),
    path("", include("shared_apps.controlplane.urls")),
]
