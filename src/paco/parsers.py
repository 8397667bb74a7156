"""API body parsers with limits, answering in Portuguese (issue 10).

A JSON body deeper than `API_JSON_MAX_DEPTH` or larger than `API_JSON_MAX_BYTES` is refused with a
400 before `json.loads` sees it (a 50,000-level body used to end in a RecursionError, a 500).
Malformed JSON and broken multipart bodies are a 400 with a Portuguese message.
"""

from __future__ import annotations

import codecs
import json
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets nest deeper than `limit` (outside strings), in one pass without recursion."""
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.API_JSON_MAX_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(_("O corpo JSON passa do limite de %(size)d KB.") % {"size": limit // 1024})
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(
                _("O corpo da requisição não está em %(encoding)s.") % {"encoding": encoding}
            ) from error
        if json_depth_exceeds(text, settings.API_JSON_MAX_DEPTH):
            raise ParseError(
                _("O JSON tem mais de %(depth)d níveis de aninhamento.")
                % {"depth": settings.API_JSON_MAX_DEPTH}
            )
        try:
            return json.loads(text, parse_constant=self._constant)
        except (ValueError, RecursionError) as error:
            raise ParseError(_("JSON malformado: verifique a sintaxe do corpo da requisição.")) from error

    @staticmethod
    def _constant(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")


class FormParser(parsers.FormParser):
    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as error:
            raise ParseError(_("Formulário malformado no corpo da requisição.")) from error


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as error:
            raise ParseError(
                _("Envio de arquivos (multipart) malformado: confira o corpo e os nomes dos arquivos.")
            ) from error


def query_data(request: Any) -> dict[str, str]:
    """The query string as a plain dict for a filter serializer: DRF reads a QueryDict as an HTML form,
    where a present but empty value of an optional field counts as absent, so `?unidade=` passed
    although the schema says minLength 1 (issue 10, finding 7). A plain dict makes it a 400."""
    return dict(request.query_params.items())
