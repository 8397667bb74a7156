"""Mounted with the Carta de Serviços at `/admin-municipal/servicos/`."""

from django.urls import path

from . import admin_views

app_name = "open311_admin"

urlpatterns = [
    path("<int:service_id>/open311/", admin_views.service_publication, name="service_publication"),
]
