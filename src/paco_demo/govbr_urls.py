"""The demo stand-in for gov.br, on each city's host under /demo-govbr/ (GOVBR_DEMO_PROVIDER only)."""

from django.urls import path

from . import govbr_views

app_name = "demo_govbr"

urlpatterns = [
    path(".well-known/openid-configuration", govbr_views.discovery, name="discovery"),
    path("jwk", govbr_views.jwks, name="jwks"),
    path("authorize", govbr_views.authorize, name="authorize"),
    path("token", govbr_views.token, name="token"),
    path("userinfo", govbr_views.userinfo, name="userinfo"),
    path("confiabilidades/v3/contas/<str:cpf>/niveis", govbr_views.reliability, name="reliability"),
    path("logout", govbr_views.end_session, name="logout"),
]
