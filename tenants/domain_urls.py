"""The municipal admin's own-domain page on the city's host, mounted at /admin-municipal/dominio/."""

from django.urls import path

from . import views

app_name = "domains"

urlpatterns = [
    path("", views.custom_domain_index, name="list"),
    path("<int:custom_domain_id>/verificar/", views.custom_domain_check, name="verify"),
    path("<int:custom_domain_id>/remover/", views.custom_domain_delete, name="remove"),
]
