"""The municipal admin's branding page on the city's host, mounted at /admin-municipal/marca/."""

from django.urls import path

from . import views

app_name = "branding"

urlpatterns = [
    path("", views.branding_edit, name="edit"),
]
