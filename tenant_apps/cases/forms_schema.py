"""Validate a citizen's answers against a service's typed form (built by staff, no code)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from validate_docbr import CNPJ, CPF

from paco.errors import ApplicationError
from tenant_apps.catalog.enums import FieldKind
from tenant_apps.catalog.models import Service


def _clean(field: Any, raw: Any) -> Any:
    value = raw.strip() if isinstance(raw, str) else raw
    label = field.label
    if field.kind == FieldKind.NUMBER:
        try:
            return str(Decimal(str(value).replace(",", ".")))
        except InvalidOperation as error:
            raise ApplicationError(
                _("%(label)s: informe um número.") % {"label": label}, extra={"field": field.key}
            ) from error
    if field.kind == FieldKind.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError as error:
            raise ApplicationError(
                _("%(label)s: informe uma data válida.") % {"label": label}, extra={"field": field.key}
            ) from error
    if field.kind == FieldKind.CHOICE:
        if value not in field.choices:
            raise ApplicationError(
                _("%(label)s: escolha uma das opções.") % {"label": label}, extra={"field": field.key}
            )
        return value
    if field.kind == FieldKind.CPF:
        digits = "".join(ch for ch in str(value) if ch.isdigit())
        if not CPF().validate(digits):
            raise ApplicationError(
                _("%(label)s: CPF inválido.") % {"label": label}, extra={"field": field.key}
            )
        return digits
    if field.kind == FieldKind.CNPJ:
        digits = "".join(ch for ch in str(value) if ch.isdigit())
        if not CNPJ().validate(digits):
            raise ApplicationError(
                _("%(label)s: CNPJ inválido.") % {"label": label}, extra={"field": field.key}
            )
        return digits
    if len(str(value)) > 5000:
        raise ApplicationError(
            _("%(label)s: texto longo demais (máximo 5.000 caracteres).") % {"label": label},
            extra={"field": field.key},
        )
    return str(value)


def form_data_clean(service: Service, data: dict[str, Any]) -> dict[str, Any]:
    """Typed, validated answers keyed by field key; file fields are handled as attachments."""
    cleaned: dict[str, Any] = {}
    for field in service.fields.all():
        if field.kind == FieldKind.FILE:
            continue
        raw = data.get(field.key, "")
        if raw in ("", None):
            if field.is_required:
                raise ApplicationError(
                    _("%(field_label)s: campo obrigatório.") % {"field_label": field.label},
                    extra={"field": field.key},
                )
            continue
        cleaned[field.key] = _clean(field, raw)
    return cleaned


def form_data_text(service: Service, cleaned: dict[str, Any]) -> str:
    """The answers as readable lines, for the request document and its PDF."""
    lines = []
    for field in service.fields.all():
        if field.key in cleaned:
            lines.append(f"{field.label}: {cleaned[field.key]}")
    return "\n".join(lines)
