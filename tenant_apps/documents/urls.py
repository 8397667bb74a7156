from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("verificar/", views.verify, name="verify"),
    path("verificar/<str:verification_code>/documento.pdf", views.verify_pdf, name="verify_pdf"),
    path("staff/documentos/", views.staff_search, name="staff_search"),
    path("staff/documentos/<int:document_id>/", views.staff_document, name="staff_document"),
    path("staff/documentos/<int:document_id>/pdf/", views.staff_document_pdf, name="staff_document_pdf"),
    path(
        "staff/documentos/<int:document_id>/anexos/<int:attachment_id>/",
        views.staff_attachment,
        name="staff_attachment",
    ),
    path(
        "staff/documentos/<int:document_id>/anexos/<int:attachment_id>/previa/",
        views.staff_attachment_preview,
        name="staff_attachment_preview",
    ),
    path("staff/documentos/<int:document_id>/acessos/", views.staff_access_log, name="staff_access_log"),
]
