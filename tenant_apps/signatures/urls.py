from django.urls import path

from . import views

app_name = "signatures"

urlpatterns = [
    path("verificar/<str:verification_code>/", views.verify_detail, name="verify_detail"),
    path("verificar/<str:verification_code>/assinado.pdf", views.verify_signed_pdf, name="verify_signed_pdf"),
    path("staff/documentos/<int:document_id>/assinar/", views.document_sign, name="document_sign"),
    path(
        "staff/documentos/<int:document_id>/assinatura/tentar-de-novo/",
        views.request_retry,
        name="request_retry",
    ),
    path("staff/documentos/<int:document_id>/editar/", views.document_edit, name="document_edit"),
    path(
        "staff/documentos/<int:document_id>/assinar/govbr/",
        views.govbr_document_start,
        name="govbr_document_start",
    ),
    path("staff/assinaturas/", views.pending_list, name="pending_list"),
    path("staff/assinaturas/govbr/", views.govbr_blocks_start, name="govbr_blocks_start"),
    path("staff/assinaturas/govbr/retorno/", views.govbr_callback, name="govbr_callback"),
    path("staff/assinaturas/blocos/novo/", views.block_create, name="block_create"),
    path("staff/assinaturas/blocos/<int:block_id>/", views.block_detail, name="block_detail"),
    path("admin-municipal/assinaturas/politica/", views.policy_edit, name="policy_edit"),
]
