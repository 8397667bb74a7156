from django.urls import path

from . import apis

app_name = "catalog_api"

urlpatterns = [
    path("services/", apis.ServiceListApi.as_view(), name="service_list"),
    path("services/<slug:code>/", apis.ServiceDetailApi.as_view(), name="service_detail"),
]
