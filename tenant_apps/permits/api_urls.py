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
    # the requester's actions
    path(
        "requests/<int:permit_request_id>/accept-terms/",
        apis.PermitRequestTermsAcceptApi.as_view(),
        name="request_accept_terms",
    ),
    path(
        "requests/<int:permit_request_id>/insist/",
        apis.PermitRequestInsistApi.as_view(),
        name="request_insist",
    ),
    path(
        "requests/<int:permit_request_id>/files/",
        apis.PermitRequestFilesApi.as_view(),
        name="request_files",
    ),
    path(
        "requests/<int:permit_request_id>/appeal/",
        apis.PermitRequestAppealApi.as_view(),
        name="request_appeal",
    ),
    # the staff's actions
    path("requests/<int:permit_request_id>/issue/", apis.PermitIssueApi.as_view(), name="request_issue"),
    path(
        "requests/<int:permit_request_id>/permit-status/",
        apis.PermitStatusApi.as_view(),
        name="request_permit_status",
    ),
    path(
        "requests/<int:permit_request_id>/appeal-decision/",
        apis.PermitAppealDecideApi.as_view(),
        name="request_appeal_decision",
    ),
    path(
        "requests/<int:permit_request_id>/files/<int:request_file_id>/classify/",
        apis.PermitFileClassifyApi.as_view(),
        name="request_file_classify",
    ),
]
