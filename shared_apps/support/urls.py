"""Control-plane routes of vendor support (public schema), mounted at /suporte/municipios/."""

from django.urls import path  # noqa: F401

app_name = "support"

urlpatterns: list = []
