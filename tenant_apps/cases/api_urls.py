"""`/api/v1/cases/...`: a case is addressed by the 17 digits of its NUP (or the formatted NUP)."""

from django.urls import path, register_converter

from . import apis
from .services import nup_digits


class CaseNupConverter:
    """`10005000001202655` or `10005.000001/2026-55` (URL-encoded `%2F`) -> the formatted NUP."""

    regex = r"\d{17}|\d{5}\.\d{6}/\d{4}-\d{2}"

    def to_python(self, value: str) -> str:
        digits = nup_digits(nup=value)
        return f"{digits[:5]}.{digits[5:11]}/{digits[11:15]}-{digits[15:]}"

    def to_url(self, value: str) -> str:
        return nup_digits(nup=str(value))


register_converter(CaseNupConverter, "case_nup")

app_name = "cases_api"

urlpatterns = [
    path("cases/", apis.CaseCollectionApi.as_view(), name="case_list"),
    path("cases/<case_nup:nup>/", apis.CaseDetailApi.as_view(), name="case_detail"),
    path("cases/<case_nup:nup>/history/", apis.CaseHistoryApi.as_view(), name="case_history"),
    path("cases/<case_nup:nup>/forward/", apis.CaseForwardApi.as_view(), name="case_forward"),
    path("cases/<case_nup:nup>/dispatch/", apis.CaseDispatchApi.as_view(), name="case_dispatch"),
    path("cases/<case_nup:nup>/attachments/", apis.CaseAttachApi.as_view(), name="case_attach"),
    path(
        "cases/<case_nup:nup>/request-information/",
        apis.CaseRequestInformationApi.as_view(),
        name="case_request_information",
    ),
    path("cases/<case_nup:nup>/answer/", apis.CaseAnswerApi.as_view(), name="case_answer"),
    path("cases/<case_nup:nup>/close/", apis.CaseCloseApi.as_view(), name="case_close"),
    path("cases/<case_nup:nup>/reopen/", apis.CaseReopenApi.as_view(), name="case_reopen"),
    path("cases/<case_nup:nup>/assign/", apis.CaseAssignApi.as_view(), name="case_assign"),
]
