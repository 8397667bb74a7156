"""The request form of a service of the Carta de Serviços, built from its typed fields (no code).

One module turns a service's fields and required documents into a Django form, reads a submitted
form back as answers and uploads, and validates and prints the answers. The citizen portal, the
counter (balcão), the admin's preview and the API all use it; `ATTACHMENT_FIELD_PREFIX` names the
inputs of the required documents, so the admin cannot give a field such a key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from validate_docbr import CNPJ, CPF

from paco.errors import ApplicationError
from tenant_apps.documents.uploads import Upload, uploads_from_files

from .enums import FieldKind
from .models import Service, ServiceField

# Inputs of the required documents: `anexo_<RequiredAttachment id>`.
ATTACHMENT_FIELD_PREFIX = "anexo_"
# Names the form uses for itself: no service field may take them.
RESERVED_FIELD_KEYS = frozenset({"subject", "description", "csrfmiddlewaretoken"})


def attachment_field_name(requirement_id: int) -> str:
    return f"{ATTACHMENT_FIELD_PREFIX}{requirement_id}"


def service_request_form_class(service: Service) -> type[forms.Form]:
    """A form built from the service's typed fields (validation proper happens in `form_data_clean`)."""
    form_fields: dict[str, forms.Field] = {
        "subject": forms.CharField(
            label=gettext_lazy("Resumo do pedido (opcional)"), max_length=300, required=False
        ),
        "description": forms.CharField(
            label=gettext_lazy("Descreva o pedido"), required=False, widget=forms.Textarea(attrs={"rows": 4})
        ),
    }
    for service_field in service.fields.all():
        common: dict[str, Any] = {
            "label": service_field.label,
            "required": service_field.is_required,
            "help_text": service_field.help_text,
        }
        kind = service_field.kind
        if kind == FieldKind.LONG_TEXT or kind == FieldKind.ADDRESS:
            form_fields[service_field.key] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}), **common
            )
        elif kind == FieldKind.NUMBER:
            form_fields[service_field.key] = forms.CharField(
                widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common
            )
        elif kind == FieldKind.DATE:
            form_fields[service_field.key] = forms.CharField(
                widget=forms.DateInput(attrs={"type": "date"}), **common
            )
        elif kind == FieldKind.CHOICE:
            choices = [("", gettext_lazy("Selecione"))] + [
                (choice, choice) for choice in service_field.choices
            ]
            form_fields[service_field.key] = forms.ChoiceField(choices=choices, **common)
        elif kind in (FieldKind.CPF, FieldKind.CNPJ):
            form_fields[service_field.key] = forms.CharField(
                widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common
            )
        elif kind == FieldKind.FILE:
            form_fields[service_field.key] = forms.FileField(**common)
        else:
            form_fields[service_field.key] = forms.CharField(max_length=500, **common)
    for requirement in service.required_attachments.all():
        form_fields[attachment_field_name(requirement.pk)] = forms.FileField(
            label=requirement.name, required=requirement.is_required, help_text=requirement.description
        )
    return type("ServiceRequestForm", (forms.Form,), form_fields)


@dataclass(frozen=True)
class ServiceRequest:
    """What a valid request form says: the answers keyed by field key, and the files to attach."""

    subject: str = ""
    description: str = ""
    form_data: dict[str, Any] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)


def service_request_read(
    *,
    service: Service,
    form: forms.Form,
    files: MultiValueDict[str, UploadedFile],
    extra_uploads: Mapping[str, str] | None = None,
) -> ServiceRequest:
    """The answers and uploads of a valid `service_request_form_class(service)` form.

    Each required document's files are labelled with the document's name (how `case_open` checks
    that the required ones are there); `extra_uploads` maps further file inputs to their label.
    """
    data = {
        key: value for key, value in form.cleaned_data.items() if not key.startswith(ATTACHMENT_FIELD_PREFIX)
    }
    labels = {attachment_field_name(item.pk): item.name for item in service.required_attachments.all()}
    labels.update(extra_uploads or {})
    subject = data.pop("subject", "")
    description = data.pop("description", "")
    return ServiceRequest(
        subject=subject,
        description=description,
        form_data={key: value for key, value in data.items() if value not in (None, "")},
        uploads=uploads_from_files(files, labels),
    )


# --- the answers ------------------------------------------------------------------------------


def _clean(service_field: ServiceField, raw: Any) -> Any:
    value = raw.strip() if isinstance(raw, str) else raw
    label = service_field.label
    key = service_field.key
    if service_field.kind == FieldKind.NUMBER:
        try:
            return str(Decimal(str(value).replace(",", ".")))
        except InvalidOperation as error:
            raise ApplicationError(
                _("%(label)s: informe um número.") % {"label": label}, extra={"field": key}
            ) from error
    if service_field.kind == FieldKind.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError as error:
            raise ApplicationError(
                _("%(label)s: informe uma data válida.") % {"label": label}, extra={"field": key}
            ) from error
    if service_field.kind == FieldKind.CHOICE:
        if value not in service_field.choices:
            raise ApplicationError(
                _("%(label)s: escolha uma das opções.") % {"label": label}, extra={"field": key}
            )
        return value
    if service_field.kind == FieldKind.CPF:
        digits = "".join(ch for ch in str(value) if ch.isdigit())
        if not CPF().validate(digits):
            raise ApplicationError(_("%(label)s: CPF inválido.") % {"label": label}, extra={"field": key})
        return digits
    if service_field.kind == FieldKind.CNPJ:
        digits = "".join(ch for ch in str(value) if ch.isdigit())
        if not CNPJ().validate(digits):
            raise ApplicationError(_("%(label)s: CNPJ inválido.") % {"label": label}, extra={"field": key})
        return digits
    if len(str(value)) > 5000:
        raise ApplicationError(
            _("%(label)s: texto longo demais (máximo 5.000 caracteres).") % {"label": label},
            extra={"field": key},
        )
    return str(value)


def form_data_clean(service: Service, data: dict[str, Any]) -> dict[str, Any]:
    """Typed, validated answers keyed by field key; file fields are handled as attachments."""
    cleaned: dict[str, Any] = {}
    for service_field in service.fields.all():
        if service_field.kind == FieldKind.FILE:
            continue
        raw = data.get(service_field.key, "")
        if raw in ("", None):
            if service_field.is_required:
                raise ApplicationError(
                    _("%(field_label)s: campo obrigatório.") % {"field_label": service_field.label},
                    extra={"field": service_field.key},
                )
            continue
        cleaned[service_field.key] = _clean(service_field, raw)
    return cleaned


def form_data_text(service: Service, cleaned: dict[str, Any]) -> str:
    """The answers as readable lines, for the request document and its PDF."""
    return "\n".join(
        f"{service_field.label}: {cleaned[service_field.key]}"
        for service_field in service.fields.all()
        if service_field.key in cleaned
    )
