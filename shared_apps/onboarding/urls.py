"""Control-plane routes of self-onboarding (public schema), mounted at /cadastro/."""

from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.signup_form, name="signup"),
    path("municipios/", views.municipality_options, name="municipality_options"),
    path("enviado/", views.check_inbox, name="check_inbox"),
    path("enviado/reenviar/", views.verification_resend, name="resend"),
    path("confirmar/<str:token>/", views.confirm, name="confirm"),
    path("<uuid:signup_id>/", views.progress, name="progress"),
    path("<uuid:signup_id>/estado/", views.progress_fragment, name="progress_fragment"),
    path("<uuid:signup_id>/pagamento/", views.payment, name="payment"),
]
