"""The demo stand-in for gov.br assinatura, on the control-plane host under /demo-govbr-assinatura/
(GOVBR_SIGN_DEMO_STANDIN only): the paths of the real service's OAuth server and API."""

from django.urls import path

from . import govbr_sign_views

app_name = "demo_govbr_sign"

urlpatterns = [
    path("oauth2.0/authorize", govbr_sign_views.authorize, name="authorize"),
    path("oauth2.0/token", govbr_sign_views.token, name="token"),
    path("externo/v2/certificadoPublico", govbr_sign_views.public_certificate, name="certificate"),
    path("externo/v2/assinarPKCS7", govbr_sign_views.sign_pkcs7, name="sign"),
]
