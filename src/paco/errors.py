"""One error type for services, mapped once for the API and once for HTML pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A service refused the operation; `message` is shown to the person, in Portuguese.

    The one family services and selectors raise. The class says how the refusal is answered, the
    same way in the API (`api_exception_handler`) and on HTML pages (Django's 403/404 handlers, which
    the two subclasses are also instances of):

    - `ApplicationError` itself: a rule refused the request (400; the form shows the message);
    - `AccessDenied`: the person may not do this (403);
    - `NotFound`: nothing there for this person, or not theirs to know of (404).

    A view that shows rule refusals on its form (`except ApplicationError`) lets the other two
    through: `except PASS_THROUGH: raise` first, or catch only where it calls a
    service that raises none of them.
    """

    status_code = 400

    def __init__(self, message: str = "", *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class AccessDenied(ApplicationError, PermissionDenied):
    """The person may not do this (403)."""

    status_code = 403


class NotFound(ApplicationError, Http404):
    """Nothing there for this person (404): also what a row outside their scope answers."""

    status_code = 404


PASS_THROUGH = (AccessDenied, NotFound)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, exceptions.Throttled):
        wait = int(getattr(exc, "wait", None) or 1)
        throttled = exceptions.Throttled(
            detail=_("Muitas requisições em pouco tempo. Tente de novo em %(seconds)d segundos.")
            % {"seconds": wait}
        )
        throttled.wait = wait  # type: ignore[attr-defined]  # DRF sets Retry-After from it
        exc = throttled
    if isinstance(exc, DataError):
        # a value PostgreSQL cannot hold (an integer past bigint, ...): the caller's mistake
        exc = exceptions.ValidationError({"detail": [_("Valor fora do intervalo aceito.")]})
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)  # services explain the refusal in Portuguese
    if isinstance(exc, ApplicationError):
        field = exc.extra.get("field")
        if isinstance(field, str) and field:
            # the same shape as a serializer's field errors: {"cpf": ["CPF inválido: ..."]}
            return Response({field: [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"message": exc.message, "extra": exc.extra}, status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)


class ApiErrorSerializer(serializers.Serializer):
    """The body of a 401/403/404 answer (DRF's `{"detail": ...}`), for the OpenAPI description."""

    detail = serializers.CharField()

    class Meta:
        ref_name = "ErrorDetail"


def api_error_responses(*, bad_request: str, not_found: str) -> dict[int, OpenApiResponse]:
    """The error answers every endpoint documents, worded for its resource."""
    return {
        400: OpenApiResponse(OpenApiTypes.OBJECT, description=bad_request),
        401: OpenApiResponse(
            ApiErrorSerializer, description="Sem credenciais, ou token inválido nesta cidade."
        ),
        403: OpenApiResponse(ApiErrorSerializer, description="O seu papel não permite esta operação."),
        404: OpenApiResponse(ApiErrorSerializer, description=not_found),
    }
