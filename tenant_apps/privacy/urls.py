from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("privacidade/", views.notice, name="notice"),
    path("meus-dados/", views.my_data, name="my_data"),
    path("meus-dados/copia/", views.export_request, name="export_request"),
    path(
        "meus-dados/copia/<int:export_id>/<str:token>/<str:fmt>/",
        views.export_download,
        name="export_download",
    ),
    path("meus-dados/pedido/", views.subject_request, name="subject_request"),
    path("meus-dados/consentimentos/", views.consents, name="consents"),
    path("admin-municipal/privacidade/", views.notice_edit, name="notice_edit"),
]
