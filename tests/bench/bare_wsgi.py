"""A bare Django page (no middleware, no template, no database): the hot-path bench's yardstick."""

from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="bench-bare-page-only",  # noqa: S106 - a throwaway process serving one fixed page
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after settings.configure
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

BODY = b"<!DOCTYPE html><html lang='pt-br'><head><title>ok</title></head><body><p>ok</p></body></html>"


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY)


urlpatterns = [path("", page)]
application = get_wsgi_application()
