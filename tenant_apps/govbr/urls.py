from django.urls import path

from . import views

app_name = "govbr"

urlpatterns = [
    path("entrar/govbr/", views.start, name="start"),
    path("entrar/govbr/retorno/", views.callback, name="callback"),
    path("entrar/govbr/vincular/", views.link_confirm, name="link_confirm"),
    path("minha-conta/govbr/", views.account, name="account"),
    path("minha-conta/govbr/desvincular/", views.unlink, name="unlink"),
    path("admin-municipal/govbr/", views.client_settings, name="client_settings"),
    path("admin-municipal/govbr/niveis/", views.requirements, name="requirements"),
]
