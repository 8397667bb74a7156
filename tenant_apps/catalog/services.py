from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, ProtectedError, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from tenant_apps.org.models import OrgUnit

from .enums import DeadlineKind, FieldKind
from .models import RequiredAttachment, Service, ServiceField
from .request_form import ATTACHMENT_FIELD_PREFIX, RESERVED_FIELD_KEYS


def _full_clean(instance: Any) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        messages = "; ".join(f"{' '.join(texts)}" for texts in error.message_dict.values())
        raise ApplicationError(messages, extra=error.message_dict) from error


@transaction.atomic
def service_ensure(
    *,
    code: str,
    name: str,
    unit: Any,
    description: str = "",
    group: str = "",
    deadline_days: int = 15,
    deadline_kind: str = DeadlineKind.BUSINESS_DAYS,
    is_public: bool = True,
    fields: Sequence[dict[str, Any]] = (),
    attachments: Sequence[dict[str, Any]] = (),
) -> Service:
    """Create a service with its form and required documents, or return the existing one (seeding)."""
    existing = Service.objects.filter(code=code).first()
    if existing is not None:
        return existing
    service = Service(
        code=code,
        name=name,
        unit=unit,
        description=description,
        group=group,
        deadline_days=deadline_days,
        deadline_kind=deadline_kind,
        is_public=is_public,
    )
    _full_clean(service)
    service.save()
    for position, spec in enumerate(fields):
        if spec.get("kind", FieldKind.TEXT) not in FieldKind.values:
            raise ApplicationError(
                _("Tipo de campo desconhecido: %(spec_get_kind)s.") % {"spec_get_kind": spec.get("kind")}
            )
        field = ServiceField(service=service, position=position, **spec)
        _full_clean(field)
        field.save()
    for position, spec in enumerate(attachments):
        attachment = RequiredAttachment(service=service, position=position, **spec)
        _full_clean(attachment)
        attachment.save()
    return service


# --- Municipal admin: the Carta de Serviços edited in the browser ---------------------------------

CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
DEADLINE_MIN_DAYS, DEADLINE_MAX_DAYS = 1, 365


@dataclass(frozen=True)
class FieldSpec:
    """One field of a service's request form as the admin wrote it; `id` for an existing field."""

    key: str
    label: str
    kind: str = FieldKind.TEXT
    is_required: bool = True
    choices: Sequence[str] = ()
    help_text: str = ""
    position: int = 0
    id: int | None = None


@dataclass(frozen=True)
class AttachmentSpec:
    """One required (or optional) document of a service; `id` for an existing one."""

    name: str
    description: str = ""
    is_required: bool = True
    position: int = 0
    id: int | None = None


@dataclass
class _Errors:
    """Every problem found, each pointing at where it is (`section`, `index` in its list, `field`)."""

    items: list[dict[str, Any]] = dc_field(default_factory=list)

    def add(self, message: str, *, section: str, field: str | None = None, index: int | None = None) -> None:
        self.items.append({"section": section, "index": index, "field": field, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            raise ApplicationError(
                _(" ").join(item["message"] for item in self.items), extra={"errors": list(self.items)}
            )


def _service_data_check(
    errors: _Errors,
    *,
    service: Service | None,
    code: str,
    name: str,
    unit_id: int | None,
    description: str,
    group: str,
    deadline_days: int,
    deadline_kind: str,
) -> OrgUnit | None:
    if not CODE_PATTERN.match(code) or len(code) > 60:
        errors.add(
            _("Código inválido: use letras minúsculas sem acento, números e hífens (ex.: poda-de-arvore)."),
            section="service",
            field="code",
        )
    elif Service.objects.filter(code=code).exclude(pk=service.pk if service is not None else 0).exists():
        errors.add(
            _("Já existe um serviço com o código “%(code)s”.") % {"code": code},
            section="service",
            field="code",
        )
    if not name:
        errors.add(_("Informe o nome do serviço."), section="service", field="name")
    elif len(name) > 200:
        errors.add(_("O nome do serviço tem no máximo 200 caracteres."), section="service", field="name")
    if len(group) > 100:
        errors.add(_("A categoria tem no máximo 100 caracteres."), section="service", field="group")
    if len(description) > 5000:
        errors.add(_("A descrição tem no máximo 5.000 caracteres."), section="service", field="description")
    if (
        isinstance(deadline_days, bool)
        or not isinstance(deadline_days, int)
        or not DEADLINE_MIN_DAYS <= deadline_days <= DEADLINE_MAX_DAYS
    ):
        errors.add(
            _("O prazo deve ficar entre %(min)d e %(max)d dias.")
            % {"min": DEADLINE_MIN_DAYS, "max": DEADLINE_MAX_DAYS},
            section="service",
            field="deadline_days",
        )
    if deadline_kind not in DeadlineKind.values:
        errors.add(
            _("Contagem de prazo desconhecida: %(kind)s.") % {"kind": deadline_kind},
            section="service",
            field="deadline_kind",
        )
    # A unit deactivated after the service was created may stay until the admin picks another.
    unit = None
    if unit_id is not None:
        units = OrgUnit.objects.filter(pk=unit_id)
        if service is None or service.unit_id != unit_id:
            units = units.filter(is_active=True)
        unit = units.first()
    if unit is None:
        errors.add(
            _("Unidade responsável desconhecida: escolha uma unidade do organograma."),
            section="service",
            field="unit",
        )
    return unit


def _fields_clean(errors: _Errors, fields: Sequence[FieldSpec]) -> list[FieldSpec]:
    """Normalized specs in their final order (positions 1..n), with every problem recorded."""
    cleaned: list[FieldSpec] = []
    seen: dict[str, int] = {}
    for index, spec in enumerate(fields):
        key = spec.key.strip().lower()
        label = spec.label.strip()
        add = partial(errors.add, section="fields", index=index)
        shown = label or key or str(index + 1)
        if not KEY_PATTERN.match(key) or len(key) > 60:
            add(
                _(
                    "Campo “%(field)s”: o identificador começa com letra e tem só letras minúsculas sem "
                    "acento, números e “_” (ex.: endereco_obra)."
                )
                % {"field": shown},
                field="key",
            )
        elif key in RESERVED_FIELD_KEYS or key.startswith(ATTACHMENT_FIELD_PREFIX):
            add(
                _("Campo “%(field)s”: o identificador “%(key)s” é reservado; escolha outro.")
                % {"field": shown, "key": key},
                field="key",
            )
        elif key in seen:
            add(
                _("O identificador “%(key)s” aparece em mais de um campo; cada campo precisa de um próprio.")
                % {"key": key},
                field="key",
            )
        seen.setdefault(key, index)
        if not label:
            add(_("Campo %(number)d: informe o rótulo.") % {"number": index + 1}, field="label")
        elif len(label) > 200:
            add(
                _("Campo “%(field)s”: o rótulo tem no máximo 200 caracteres.") % {"field": shown},
                field="label",
            )
        if spec.kind not in FieldKind.values:
            add(
                _("Campo “%(field)s”: tipo de campo desconhecido (%(kind)s).")
                % {"field": shown, "kind": spec.kind},
                field="kind",
            )
        choices = [choice.strip() for choice in spec.choices if choice.strip()]
        if spec.kind == FieldKind.CHOICE:
            if not choices:
                add(
                    _(
                        "Campo “%(field)s”: um campo de escolha precisa de pelo menos uma opção "
                        "(uma por linha)."
                    )
                    % {"field": shown},
                    field="choices",
                )
            elif len(set(choices)) != len(choices):
                add(_("Campo “%(field)s”: há opções repetidas.") % {"field": shown}, field="choices")
            elif any(len(choice) > 200 for choice in choices):
                add(
                    _("Campo “%(field)s”: cada opção tem no máximo 200 caracteres.") % {"field": shown},
                    field="choices",
                )
        else:
            choices = []
        help_text = spec.help_text.strip()
        if len(help_text) > 300:
            add(
                _("Campo “%(field)s”: o texto de ajuda tem no máximo 300 caracteres.") % {"field": shown},
                field="help_text",
            )
        if spec.position < 0:
            add(
                _("Campo “%(field)s”: a ordem é um número a partir de 0.") % {"field": shown},
                field="position",
            )
        cleaned.append(
            FieldSpec(
                key=key,
                label=label,
                kind=spec.kind,
                is_required=bool(spec.is_required),
                choices=tuple(choices),
                help_text=help_text,
                position=spec.position,
                id=spec.id,
            )
        )
    order = sorted(range(len(cleaned)), key=lambda index: (cleaned[index].position, index))
    return [replace(cleaned[index], position=rank) for rank, index in enumerate(order, start=1)]


def _attachments_clean(errors: _Errors, attachments: Sequence[AttachmentSpec]) -> list[AttachmentSpec]:
    cleaned: list[AttachmentSpec] = []
    for index, spec in enumerate(attachments):
        name = spec.name.strip()
        description = spec.description.strip()
        add = partial(errors.add, section="attachments", index=index)
        if not name:
            add(
                _("Documento %(number)d: informe o nome do documento.") % {"number": index + 1},
                field="name",
            )
        elif len(name) > 200:
            add(
                _("Documento “%(name)s”: o nome tem no máximo 200 caracteres.") % {"name": name[:40]},
                field="name",
            )
        if len(description) > 300:
            add(
                _("Documento “%(name)s”: a descrição tem no máximo 300 caracteres.") % {"name": name[:40]},
                field="description",
            )
        if spec.position < 0:
            add(
                _("Documento “%(name)s”: a ordem é um número a partir de 0.") % {"name": name[:40]},
                field="position",
            )
        cleaned.append(
            AttachmentSpec(
                name=name,
                description=description,
                is_required=bool(spec.is_required),
                position=spec.position,
                id=spec.id,
            )
        )
    order = sorted(range(len(cleaned)), key=lambda index: (cleaned[index].position, index))
    return [replace(cleaned[index], position=rank) for rank, index in enumerate(order, start=1)]


def _unknown_ids_check(
    errors: _Errors, *, section: str, specs: Sequence[FieldSpec | AttachmentSpec], known: set[int]
) -> None:
    for index, spec in enumerate(specs):
        if spec.id is not None and spec.id not in known:
            message = (
                _("Campo não encontrado neste serviço (foi removido por outra pessoa?). Recarregue a página.")
                if section == "fields"
                else _(
                    "Documento não encontrado neste serviço (foi removido por outra pessoa?). "
                    "Recarregue a página."
                )
            )
            errors.add(message, section=section, index=index)


def _form_write(service: Service, fields: Sequence[FieldSpec]) -> None:
    """Make the service's form exactly `fields`: update the listed ones, create new ones, delete the rest."""
    kept_ids = [spec.id for spec in fields if spec.id is not None]
    service.fields.exclude(pk__in=kept_ids).delete()
    # Keys are unique per service: park the kept fields on temporary keys so that two fields can swap.
    service.fields.filter(pk__in=kept_ids).update(key=Concat(Value("~"), Cast("id", CharField())))
    existing = {field.pk: field for field in service.fields.filter(pk__in=kept_ids)}
    for spec in fields:
        field = existing[spec.id] if spec.id is not None else ServiceField(service=service)
        field.key = spec.key
        field.label = spec.label
        field.kind = spec.kind
        field.is_required = spec.is_required
        field.choices = list(spec.choices)
        field.help_text = spec.help_text
        field.position = spec.position
        field.save()


def _attachments_write(service: Service, attachments: Sequence[AttachmentSpec]) -> None:
    kept_ids = [spec.id for spec in attachments if spec.id is not None]
    service.required_attachments.exclude(pk__in=kept_ids).delete()
    existing = {item.pk: item for item in service.required_attachments.filter(pk__in=kept_ids)}
    for spec in attachments:
        attachment = existing[spec.id] if spec.id is not None else RequiredAttachment(service=service)
        attachment.name = spec.name
        attachment.description = spec.description
        attachment.is_required = spec.is_required
        attachment.position = spec.position
        attachment.save()


def _code_save(service: Service) -> None:
    """Save, turning a concurrent duplicate code (the unique index) into the same message as the check."""
    try:
        with transaction.atomic():
            service.save()
    except IntegrityError as error:
        message = _("Já existe um serviço com o código “%(code)s”.") % {"code": service.code}
        raise ApplicationError(
            message,
            extra={"errors": [{"section": "service", "index": None, "field": "code", "message": message}]},
        ) from error


@transaction.atomic
def service_create(
    *,
    code: str,
    name: str,
    unit_id: int | None,
    description: str = "",
    group: str = "",
    deadline_days: int = 15,
    deadline_kind: str = DeadlineKind.BUSINESS_DAYS,
    is_public: bool = True,
    is_active: bool = True,
    fields: Sequence[FieldSpec] = (),
    attachments: Sequence[AttachmentSpec] = (),
) -> Service:
    """Create a service of the Carta de Serviços with its request form and required documents.

    Everything is checked before anything is written, and every problem is reported at once
    (`ApplicationError.extra["errors"]`); nothing is saved when there is any.
    """
    errors = _Errors()
    code, name, description, group = code.strip().lower(), name.strip(), description.strip(), group.strip()
    unit = _service_data_check(
        errors,
        service=None,
        code=code,
        name=name,
        unit_id=unit_id,
        description=description,
        group=group,
        deadline_days=deadline_days,
        deadline_kind=deadline_kind,
    )
    clean_fields = _fields_clean(errors, fields)
    clean_attachments = _attachments_clean(errors, attachments)
    # indexes in the messages are the page's rows: check the lists as given, not the sorted ones
    _unknown_ids_check(errors, section="fields", specs=fields, known=set())
    _unknown_ids_check(errors, section="attachments", specs=attachments, known=set())
    errors.raise_if_any()
    service = Service(
        code=code,
        name=name,
        unit=unit,
        description=description,
        group=group,
        deadline_days=deadline_days,
        deadline_kind=deadline_kind,
        is_public=is_public,
        is_active=is_active,
    )
    _code_save(service)
    _form_write(service, clean_fields)
    _attachments_write(service, clean_attachments)
    return service


@transaction.atomic
def service_update(
    *,
    service: Service,
    code: str,
    name: str,
    unit_id: int | None,
    description: str,
    group: str,
    deadline_days: int,
    deadline_kind: str,
    is_public: bool,
    is_active: bool,
    fields: Sequence[FieldSpec] | None = None,
    attachments: Sequence[AttachmentSpec] | None = None,
) -> Service:
    """Change a service and, when given, replace its form and its list of required documents.

    `fields` and `attachments` are the complete new lists: entries with an `id` update that row,
    entries without one are new, and rows of the service left out are deleted (cases keep their
    answers, which are stored with the case). The service row is locked so that two admins
    saving at once are applied one after the other. Nothing is saved when anything is wrong.
    """
    service = Service.objects.select_for_update().get(pk=service.pk)
    errors = _Errors()
    code, name, description, group = code.strip().lower(), name.strip(), description.strip(), group.strip()
    unit = _service_data_check(
        errors,
        service=service,
        code=code,
        name=name,
        unit_id=unit_id,
        description=description,
        group=group,
        deadline_days=deadline_days,
        deadline_kind=deadline_kind,
    )
    clean_fields = _fields_clean(errors, fields) if fields is not None else None
    clean_attachments = _attachments_clean(errors, attachments) if attachments is not None else None
    # indexes in the messages are the page's rows: check the lists as given, not the sorted ones
    if fields is not None:
        known = set(service.fields.values_list("pk", flat=True))
        _unknown_ids_check(errors, section="fields", specs=fields, known=known)
    if attachments is not None:
        known = set(service.required_attachments.values_list("pk", flat=True))
        _unknown_ids_check(errors, section="attachments", specs=attachments, known=known)
    errors.raise_if_any()
    assert unit is not None  # noqa: S101 - checked above; narrows the type
    service.code = code
    service.name = name
    service.unit = unit
    service.description = description
    service.group = group
    service.deadline_days = deadline_days
    service.deadline_kind = deadline_kind
    service.is_public = is_public
    service.is_active = is_active
    _code_save(service)
    if clean_fields is not None:
        _form_write(service, clean_fields)
    if clean_attachments is not None:
        _attachments_write(service, clean_attachments)
    return service


@transaction.atomic
def service_remove(*, service: Service) -> bool:
    """Delete a service, or only deactivate it when cases were already opened for it.

    A case keeps pointing at its service for good (its history and its deadline rules), so a
    service with cases leaves the Carta de Serviços (inactive) but stays in the database.
    Returns True when the service was deleted, False when it was deactivated.
    """
    service = Service.objects.select_for_update().get(pk=service.pk)
    if not service.cases.exists():
        try:
            with transaction.atomic():
                service.delete()
            return True
        except ProtectedError:
            pass  # something else refers to it: keep it, inactive
    if service.is_active:
        service.is_active = False
        service.save(update_fields=["is_active", "updated_at"])
    return False
