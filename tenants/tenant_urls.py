"""The municipal admin's branding page on the city's host, mounted at /admin-municipal/marca/."""

from django.urls import path  # noqa: F401

app_name = "branding"

urlpatterns: list = []
