"""Control-plane routes of offboarding (public schema), mounted at /suporte/encerramentos/."""

from django.urls import path

from .views import support

app_name = "offboarding"

urlpatterns = [
    path("", support.support_offboarding_list, name="list"),
    path("exportar/", support.support_export, name="export"),
    path("exportacoes/<int:export_id>/baixar/", support.support_download, name="download"),
]
