"""`/api/v1/insights/...`"""

from django.urls import path

from . import apis

app_name = "insights_api"

urlpatterns = [
    path("summary/", apis.SummaryApi.as_view(), name="summary"),
    path("datasets/", apis.DatasetListApi.as_view(), name="dataset_list"),
    path("datasets/<slug:dataset>/", apis.DatasetRowsApi.as_view(), name="dataset_rows"),
]
