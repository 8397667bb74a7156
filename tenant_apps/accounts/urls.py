from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("entrar/", views.CitizenLoginView.as_view(), name="login"),
    path("cadastro/", views.citizen_register_view, name="register"),
    path("sair/", views.logout_view, name="logout"),
    path("staff/entrar/", views.StaffLoginView.as_view(), name="staff_login"),
    path("staff/entrar/codigo/", views.StaffTokenView.as_view(), name="staff_token"),
    path("staff/entrar/ativar/", views.StaffEnrollView.as_view(), name="staff_enroll"),
]
