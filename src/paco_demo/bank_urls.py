"""The demo stand-in bank, on each city's host under /demo-banco/ (PAYMENTS_DEMO_BANK only)."""

from django.urls import path

from . import bank_views

app_name = "demo_bank"

urlpatterns = [path("", bank_views.pay, name="pay")]
