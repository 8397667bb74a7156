from django.urls import path

from . import views

app_name = "doctemplates"

urlpatterns = [
    path("admin-municipal/modelos/", views.template_list, name="template_list"),
    path("admin-municipal/modelos/novo/", views.template_create_page, name="template_create"),
    path("admin-municipal/modelos/<int:template_id>/", views.template_edit_page, name="template_edit"),
    path(
        "admin-municipal/modelos/<int:template_id>/previa/",
        views.template_preview_page,
        name="template_preview",
    ),
    path("staff/modelos/gerar/", views.document_generate_page, name="document_generate"),
]
