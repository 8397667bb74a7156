"""Support sessions on a city's host: entering, ending, and the admin's page of support access."""

from django.urls import path  # noqa: F401

app_name = "support_tenant"

urlpatterns: list = []
