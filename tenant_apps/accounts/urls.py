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
    path("convite/<str:invitation_token>/", views.invitation_accept_view, name="invitation_accept"),
    path("admin-municipal/equipe/", views.staff_team_view, name="staff_team"),
    path(
        "admin-municipal/equipe/convites/<int:invitation_id>/reenviar/",
        views.invitation_resend_view,
        name="invitation_resend",
    ),
    path(
        "admin-municipal/equipe/convites/<int:invitation_id>/revogar/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
]
