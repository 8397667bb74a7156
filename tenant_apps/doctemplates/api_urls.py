from django.urls import path

from . import apis

app_name = "doctemplates_api"

urlpatterns = [
    path("templates/", apis.TemplateListApi.as_view(), name="template_list"),
    path("templates/fields/", apis.TemplateFieldsApi.as_view(), name="template_fields"),
    path("templates/<int:template_id>/", apis.TemplateDetailApi.as_view(), name="template_detail"),
    path("templates/<int:template_id>/preview/", apis.TemplatePreviewApi.as_view(), name="template_preview"),
    path(
        "templates/<int:template_id>/generate/", apis.TemplateGenerateApi.as_view(), name="template_generate"
    ),
]
