from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from paco.errors import ApplicationError

from .enums import DeadlineKind, FieldKind
from .models import RequiredAttachment, Service, ServiceField


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
            raise ApplicationError(f"Tipo de campo desconhecido: {spec.get('kind')}.")
        field = ServiceField(service=service, position=position, **spec)
        _full_clean(field)
        field.save()
    for position, spec in enumerate(attachments):
        attachment = RequiredAttachment(service=service, position=position, **spec)
        _full_clean(attachment)
        attachment.save()
    return service
