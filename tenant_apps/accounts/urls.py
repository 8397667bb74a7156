from django.urls import path

from . import password_reset, views

app_name = "accounts"

urlpatterns = [
    path("entrar/", views.CitizenLoginView.as_view(), name="login"),
    path("cadastro/", views.citizen_register_view, name="register"),
    path("cadastro/enviado/", views.citizen_register_sent_view, name="register_sent"),
    path("cadastro/ativacao/", views.citizen_activate_confirm_view, name="activate_confirm"),
    path("cadastro/ativar/<str:activation_token>/", views.citizen_activate_view, name="activate"),
    path("sair/", views.logout_view, name="logout"),
    path("senha/esqueci/", password_reset.PasswordResetView.as_view(), name="password_reset"),
    path(
        "senha/esqueci/enviado/", password_reset.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "senha/nova/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "senha/alterada/", password_reset.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
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
