"""`/api/v1/payments/...`"""

from django.urls import path

from . import apis

app_name = "payments_api"

urlpatterns = [
    path("guides/", apis.GuideListApi.as_view(), name="guide_list"),
    path("guides/<int:year>/<int:number>/", apis.GuideDetailApi.as_view(), name="guide_detail"),
    path("webhook/", apis.PixWebhookApi.as_view(), name="webhook"),
]
