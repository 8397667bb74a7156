"""The municipal admin's Carta de Serviços, mounted at `/admin-municipal/servicos/`."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.admin_service_list, name="admin_service_list"),
    path("novo/", views.admin_service_create, name="admin_service_create"),
    path("nova-linha/", views.admin_form_row, name="admin_form_row"),
    path("<int:service_id>/", views.admin_service_edit, name="admin_service_edit"),
    path("<int:service_id>/previa/", views.admin_service_preview, name="admin_service_preview"),
    path("<int:service_id>/remover/", views.admin_service_remove, name="admin_service_remove"),
]
