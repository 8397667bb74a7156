"""`/api/v1/payments/...`"""

from django.urls import path

from . import apis

app_name = "payments_api"

urlpatterns = [
    path("guides/", apis.GuideListApi.as_view(), name="guide_list"),
    path("guides/<int:year>/<int:number>/", apis.GuideDetailApi.as_view(), name="guide_detail"),
    path("webhook/", apis.PixWebhookApi.as_view(), name="webhook"),
    # the PSP appends /pix to the URL registered with it (PUT /v2/webhook/{chave}): <host>/api/v1/payments/psp
    path("psp/pix", apis.PspWebhookApi.as_view(), name="psp_webhook"),
]
