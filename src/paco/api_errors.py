"""Every answer under /api/ is JSON in Portuguese, even the ones Django makes (issue 10).

Django answers some errors before or around DRF: an unknown /api/ path (the URL resolver's 404), a
body over DATA_UPLOAD_MAX_MEMORY_SIZE (RequestDataTooBig), a CSRF failure, a server error. Those are
HTML pages; under /api/ this middleware replaces them by `{"detail": "..."}` with the same status
(413 for a body too big).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _messages() -> dict[int, str]:
    return {
        400: _("Requisição inválida."),
        403: _("Você não tem permissão para executar esta ação."),
        404: _("Não encontrado."),
        405: _("Método não permitido."),
        413: _("O corpo da requisição passa do tamanho máximo aceito."),
        429: _("Muitas requisições em pouco tempo. Tente de novo mais tarde."),
        500: _("Erro interno do servidor. A equipe foi avisada; tente de novo em instantes."),
        503: _("Serviço temporariamente indisponível. Tente de novo em instantes."),
    }


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.streaming:
            return response
        status = response.status_code
        message = _messages().get(status) or (_messages()[500] if status >= 500 else _messages()[400])
        replaced = JsonResponse({"detail": message}, status=status)
        for header in ("Retry-After", "Allow", "WWW-Authenticate"):
            if header in response:
                replaced[header] = response[header]
        return replaced

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse({"detail": _messages()[413]}, status=413)
        if isinstance(exception, TooManyFieldsSent):
            return JsonResponse({"detail": _("O corpo da requisição tem campos demais.")}, status=400)
        return None
