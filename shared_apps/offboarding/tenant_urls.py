"""The municipal admin's export and offboarding pages, mounted at /admin-municipal/encerramento/."""

from django.urls import path

from .views import municipal

app_name = "offboarding_tenant"

urlpatterns = [
    path("", municipal.offboarding_page, name="page"),
    path("exportar/", municipal.offboarding_export, name="export"),
    path("exportacoes/<int:export_id>/baixar/", municipal.offboarding_download, name="download"),
    path("exportacoes/<int:export_id>/aprovar/", municipal.offboarding_export_approve, name="approve"),
    path("exportacoes/<int:export_id>/negar/", municipal.offboarding_export_deny, name="deny"),
    path("solicitar/", municipal.offboarding_request_view, name="request"),
    path("cancelar/", municipal.offboarding_cancel_view, name="cancel"),
]
