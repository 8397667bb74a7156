from django.urls import path, register_converter

from . import views
from .converters import NupDigitsConverter

register_converter(NupDigitsConverter, "nup")

app_name = "cases"

urlpatterns = [
    path("servicos/", views.service_list, name="service_list"),
    path("servicos/<slug:code>/", views.service_request, name="service_request"),
    path("protocolos/<nup:nup>/", views.citizen_case, name="citizen_case"),
    path("protocolos/<nup:nup>/responder/", views.citizen_answer, name="citizen_answer"),
    path(
        "protocolos/<nup:nup>/documentos/<int:document_id>.pdf",
        views.citizen_document_pdf,
        name="citizen_document_pdf",
    ),
    path(
        "protocolos/<nup:nup>/documentos/<int:document_id>/anexos/<int:attachment_id>/",
        views.citizen_attachment,
        name="citizen_attachment",
    ),
    path(
        "protocolos/<nup:nup>/documentos/<int:document_id>/anexos/<int:attachment_id>/previa/",
        views.citizen_attachment_preview,
        name="citizen_attachment_preview",
    ),
    path(
        "protocolos/<nup:nup>/documentos/<int:document_id>/assinar-govbr/",
        views.citizen_govbr_sign_start,
        name="citizen_govbr_sign_start",
    ),
    path("assinaturas/govbr/retorno/", views.citizen_govbr_sign_callback, name="citizen_govbr_sign_callback"),
    path("staff/protocolos/", views.staff_inbox, name="staff_inbox"),
    path("staff/protocolos/novo/", views.staff_new, name="staff_new"),
    path("staff/protocolos/novo/<slug:code>/", views.staff_new_service, name="staff_new_service"),
    path("staff/protocolos/<nup:nup>/", views.staff_case, name="staff_case"),
    path("staff/protocolos/<nup:nup>/<slug:action>/", views.staff_case_action, name="staff_case_action"),
    path("staff/prazos/", views.staff_deadlines, name="staff_deadlines"),
]
