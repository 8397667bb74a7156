"""The municipal admin's subscription pages, mounted on each city's host at /admin-municipal/assinatura/."""

from django.urls import path

from .views import subscription

app_name = "subscription"

urlpatterns = [
    path("", subscription.subscription_page, name="page"),
    path("assinar/", subscription.subscription_checkout, name="checkout"),
    path("boleto/", subscription.subscription_boleto, name="boleto"),
    path("gerenciar/", subscription.subscription_portal, name="portal"),
]
