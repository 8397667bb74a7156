"""`/open311/v2/...`: each resource in JSON or XML by suffix; any other path is an Open311 404."""

from django.urls import path, register_converter

from tenant_apps.cases.services import nup_digits

from . import views


class FormatConverter:
    regex = r"json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


class RequestIdConverter:
    """A NUP as the request id: `10005000001202655` or `10005.000001/2026-55` (URL-encoded `%2F`)."""

    regex = r"\d{17}|\d{5}\.\d{6}/\d{4}-\d{2}"

    def to_python(self, value: str) -> str:
        digits = nup_digits(nup=value)
        return f"{digits[:5]}.{digits[5:11]}/{digits[11:15]}-{digits[15:]}"

    def to_url(self, value: str) -> str:
        return nup_digits(nup=str(value))


class TokenConverter:
    regex = r"[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(FormatConverter, "open311_format")
register_converter(RequestIdConverter, "open311_request_id")
register_converter(TokenConverter, "open311_token")

app_name = "open311"

urlpatterns = [
    path("discovery.<open311_format:format>", views.discovery, name="discovery"),
    path("services.<open311_format:format>", views.service_list, name="service_list"),
    path(
        "services/<slug:service_code>.<open311_format:format>",
        views.service_definition,
        name="service_definition",
    ),
    path("requests.<open311_format:format>", views.request_collection, name="request_collection"),
    path(
        "requests/<open311_request_id:request_id>.<open311_format:format>",
        views.request_detail,
        name="request_detail",
    ),
    path("tokens/<open311_token:token>.<open311_format:format>", views.token_detail, name="token_detail"),
    path("", views.not_found, {"path": ""}, name="root"),
    path("<path:path>", views.not_found, name="not_found"),
]
