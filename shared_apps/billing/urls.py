"""Control-plane routes of billing (public schema)."""

from django.urls import path

from .views import webhooks

app_name = "billing"

urlpatterns = [
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
]
