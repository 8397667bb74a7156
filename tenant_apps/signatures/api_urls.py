from django.urls import path

from . import apis

app_name = "signatures_api"

urlpatterns = [
    path(
        "signatures/documents/<int:document_id>/",
        apis.DocumentSignaturesApi.as_view(),
        name="document_signatures",
    ),
    path(
        "signatures/documents/<int:document_id>/sign/", apis.DocumentSignApi.as_view(), name="document_sign"
    ),
    path("signatures/blocks/", apis.BlockListApi.as_view(), name="block_list"),
    path("signatures/blocks/sign/", apis.BlockSignApi.as_view(), name="block_sign"),
    path("signatures/blocks/<int:block_id>/", apis.BlockDetailApi.as_view(), name="block_detail"),
    path("signatures/blocks/<int:block_id>/refuse/", apis.BlockRefuseApi.as_view(), name="block_refuse"),
]
