"""Control-plane routes of vendor support (public schema), mounted at /suporte/municipios/."""

from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("<int:municipality_id>/", views.municipality_detail, name="municipality_detail"),
    path("<int:municipality_id>/suspender/", views.municipality_suspend_view, name="suspend"),
    path("<int:municipality_id>/reativar/", views.municipality_reactivate_view, name="reactivate"),
    path("<int:municipality_id>/avaliacao/", views.trial_extend_view, name="trial_extend"),
    path("<int:municipality_id>/convite/", views.invite_resend_view, name="invite_resend"),
    path("<int:municipality_id>/sessoes/", views.session_request_view, name="session_request"),
    path(
        "<int:municipality_id>/sessoes/<int:session_id>/entrar/",
        views.session_enter_view,
        name="session_enter",
    ),
]
