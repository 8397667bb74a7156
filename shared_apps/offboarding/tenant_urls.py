"""The municipal admin's export and offboarding pages, mounted at /admin-municipal/encerramento/."""

from django.urls import path  # noqa: F401

app_name = "offboarding_tenant"

urlpatterns: list = []
