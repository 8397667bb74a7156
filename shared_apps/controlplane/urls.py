from django.urls import path

from . import views

app_name = "controlplane"

urlpatterns = [
    path("", views.home, name="home"),
    path("acessibilidade/", views.accessibility, name="accessibility"),
    path("suporte/entrar/", views.SupportLoginView.as_view(), name="support_login"),
    path("suporte/entrar/codigo/", views.SupportTokenView.as_view(), name="support_token"),
    path("suporte/entrar/ativar/", views.SupportEnrollView.as_view(), name="support_enroll"),
    path("suporte/sair/", views.support_logout, name="support_logout"),
    path("suporte/", views.support_console, name="support_console"),
]
