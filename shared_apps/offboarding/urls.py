"""Control-plane routes of offboarding (public schema), mounted at /suporte/encerramentos/."""

from django.urls import path  # noqa: F401

app_name = "offboarding"

urlpatterns: list = []
