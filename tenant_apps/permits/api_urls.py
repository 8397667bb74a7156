from django.urls import path

from . import apis

app_name = "permits_api"

urlpatterns = [
    path("kinds/", apis.PermitKindListApi.as_view(), name="kind_list"),
    path("register/", apis.PermitRegisterApi.as_view(), name="register"),
    path("requests/", apis.PermitRequestCollectionApi.as_view(), name="request_list"),
    path("requests/<int:permit_request_id>/", apis.PermitRequestDetailApi.as_view(), name="request_detail"),
    path(
        "requests/<int:permit_request_id>/opinion/", apis.PermitOpinionApi.as_view(), name="request_opinion"
    ),
]
