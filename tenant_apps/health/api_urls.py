"""`/api/v1/health/...`"""

from django.urls import path

from . import apis

app_name = "health_api"

urlpatterns = [
    path("fhir/<str:fhir_type>", apis.FhirSearchApi.as_view(), name="fhir_search"),
]
