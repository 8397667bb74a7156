"""`/api/v1/memos/...` and `/api/v1/circulars/...`: memos and circulars for verified staff."""

from django.urls import path

from . import apis

app_name = "comms_api"

urlpatterns = [
    path("memos/", apis.MemoCollectionApi.as_view(), name="memo_list"),
    path("memos/<int:memo_id>/", apis.MemoDetailApi.as_view(), name="memo_detail"),
    path("memos/<int:memo_id>/reply/", apis.MemoReplyApi.as_view(), name="memo_reply"),
    path("memos/<int:memo_id>/forward/", apis.MemoForwardApi.as_view(), name="memo_forward"),
    path("circulars/", apis.CircularCollectionApi.as_view(), name="circular_list"),
    path("circulars/<int:circular_id>/", apis.CircularDetailApi.as_view(), name="circular_detail"),
    path(
        "circulars/<int:circular_id>/acknowledge/",
        apis.CircularAcknowledgeApi.as_view(),
        name="circular_acknowledge",
    ),
    path(
        "circulars/<int:circular_id>/receipts/",
        apis.CircularReceiptListApi.as_view(),
        name="circular_receipts",
    ),
    path("circulars/<int:circular_id>/remind/", apis.CircularRemindApi.as_view(), name="circular_remind"),
]
