from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("meus-pedidos/", views.my_requests, name="my_requests"),
    path("acessibilidade/", views.accessibility, name="accessibility"),
    path("marca/brasao.svg", views.coat_of_arms, name="coat_of_arms"),
    path("staff/", views.staff_home, name="staff_home"),
    path("admin-municipal/", views.municipal_admin_home, name="municipal_admin"),
]
