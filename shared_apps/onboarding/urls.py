"""Control-plane routes of self-onboarding (public schema), mounted at /cadastro/."""

from django.urls import path  # noqa: F401

app_name = "onboarding"

urlpatterns: list = []
