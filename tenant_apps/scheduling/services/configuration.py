"""The admin's configuration: agendas with their subjects and attendants, kinds of slot, weekly
availability and absences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User

from ..enums import Weekday
from ..models import (
    Agenda,
    AgendaResource,
    AvailabilityException,
    AvailabilityRule,
    Resource,
    SlotKind,
    Subject,
)


def _full_clean(instance: Any, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except DjangoValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ApplicationError(messages[0], extra={"field": field if field != "__all__" else ""}) from error


AGENDA_ADMIN_FIELDS = (
    "name",
    "code",
    "description",
    "unit",
    "catalog_service",
    "mode",
    "location",
    "time_zone",
    "slot_minutes",
    "buffer_minutes",
    "horizon_days",
    "min_notice_minutes",
    "cancel_limit_hours",
    "daily_limit_per_citizen",
    "no_show_limit",
    "no_show_block_days",
    "closes_on_holidays",
    "is_public",
    "is_active",
)
"""The agenda's fields the admin's agenda form edits (in the form's order)."""

AGENDA_FIELDS = (
    *AGENDA_ADMIN_FIELDS,
    # for agendas owned by another module (health): its purpose, its booking policy, and the
    # week-by-week opening
    "purpose",
    "booking_policy",
    "opens_weekday",
    "opens_time",
)


def _agenda_check(agenda: Agenda) -> None:
    if agenda.mode == "presencial" and not agenda.location.strip():
        raise ApplicationError(_("Informe o local do atendimento presencial."), extra={"field": "location"})
    if agenda.catalog_service_id and agenda.catalog_service and not agenda.catalog_service.is_public:
        raise ApplicationError(
            _("O serviço da Carta de Serviços precisa estar aberto ao cidadão."),
            extra={"field": "catalog_service"},
        )


@transaction.atomic
def agenda_save(
    *,
    agenda: Agenda | None = None,
    subjects: Sequence[str] = (),
    resource_user_ids: Sequence[int] = (),
    **values: Any,
) -> Agenda:
    """Create or update an agenda with its subjects (in order) and the staff who attend it. Subjects
    and attendants no longer listed are deactivated or unlinked; their past appointments stay."""
    unknown = set(values) - set(AGENDA_FIELDS)
    if unknown:
        raise ApplicationError(_("Campos desconhecidos: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    agenda = agenda or Agenda()
    for name, value in values.items():
        setattr(agenda, name, value)
    _full_clean(agenda, exclude=["unit", "catalog_service"] if agenda.unit_id is None else [])
    _agenda_check(agenda)
    names = [name.strip() for name in subjects if name.strip()]
    if len({name.lower() for name in names}) != len(names):
        raise ApplicationError(_("Há assuntos repetidos."), extra={"field": "subjects"})
    if any(len(name) > 120 for name in names):
        raise ApplicationError(_("Cada assunto pode ter até 120 caracteres."), extra={"field": "subjects"})
    staff = list(User.objects.filter(pk__in=list(resource_user_ids), kind=UserKind.STAFF, is_active=True))
    if len(staff) != len(set(resource_user_ids)):
        raise ApplicationError(_("Escolha servidores ativos como atendentes."), extra={"field": "attendants"})
    agenda.save()
    existing = {subject.name: subject for subject in Subject.objects.filter(agenda=agenda)}
    for position, name in enumerate(names):
        subject = existing.pop(name, None) or Subject(agenda=agenda, name=name)
        subject.position = position
        subject.is_active = True
        subject.save()
    Subject.objects.filter(pk__in=[subject.pk for subject in existing.values()]).update(is_active=False)
    keep: list[int] = []
    for user in staff:
        resource, _created = Resource.objects.get_or_create(
            user=user, defaults={"name": user.full_name, "unit": agenda.unit}
        )
        if not resource.is_active:
            resource.is_active = True
            resource.save(update_fields=["is_active", "updated_at"])
        AgendaResource.objects.get_or_create(agenda=agenda, resource=resource)
        keep.append(resource.pk)
    AgendaResource.objects.filter(agenda=agenda).exclude(resource_id__in=keep).delete()
    return agenda


@transaction.atomic
def slot_kind_save(
    *,
    agenda: Agenda,
    code: str,
    name: str,
    duration_minutes: int,
    is_bookable_online: bool = True,
    position: int = 0,
) -> SlotKind:
    """Create or update (by code) a kind of slot of an agenda (first visit, return, priority)."""
    slot_kind = SlotKind.objects.filter(agenda=agenda, code=code).first() or SlotKind(
        agenda=agenda, code=code
    )
    slot_kind.name = name
    slot_kind.duration_minutes = duration_minutes
    slot_kind.is_bookable_online = is_bookable_online
    slot_kind.position = position
    _full_clean(slot_kind)
    slot_kind.save()
    return slot_kind


@transaction.atomic
def resource_for_staff(*, user: User) -> Resource:
    """The resource that holds a staff member's appointments (created once, reactivated if needed)."""
    resource, _created = Resource.objects.get_or_create(user=user, defaults={"name": user.full_name})
    if not resource.is_active:
        resource.is_active = True
        resource.save(update_fields=["is_active", "updated_at"])
    return resource


def _resource_of_agenda(agenda: Agenda, resource: Resource) -> None:
    if not AgendaResource.objects.filter(agenda=agenda, resource=resource).exists():
        raise ApplicationError(_("Este atendente não atende este serviço."))


@transaction.atomic
def availability_rule_add(
    *,
    agenda: Agenda,
    resource: Resource,
    weekdays: Sequence[int],
    start_time: dt.time,
    end_time: dt.time,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    capacity: int = 1,
    slot_kind: SlotKind | None = None,
) -> list[AvailabilityRule]:
    """Weekly hours of an attendant for an agenda; a window that overlaps another of the same person on
    the same weekday (in any agenda) is refused, since a person attends one thing at a time."""
    _resource_of_agenda(agenda, resource)
    if not weekdays:
        raise ApplicationError(_("Escolha ao menos um dia da semana."), extra={"field": "weekdays"})
    if end_time <= start_time:
        raise ApplicationError(_("O fim deve ser depois do início."), extra={"field": "end_time"})
    if valid_from and valid_until and valid_until < valid_from:
        raise ApplicationError(_("A data final deve ser depois da inicial."), extra={"field": "valid_until"})
    if slot_kind is not None and slot_kind.agenda_id != agenda.pk:
        raise ApplicationError(_("Tipo de horário de outro serviço."), extra={"field": "slot_kind"})
    created = []
    for weekday in sorted(set(weekdays)):
        clash = (
            AvailabilityRule.objects.filter(
                resource=resource, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time
            )
            .exclude(valid_until__lt=valid_from or dt.date.min)
            .exclude(valid_from__gt=valid_until or dt.date.max)
            .select_related("agenda")
            .first()
        )
        if clash is not None:
            raise ApplicationError(
                _("%(name)s já atende %(agenda)s em %(day)s das %(start)s às %(end)s.")
                % {
                    "name": resource.name,
                    "agenda": clash.agenda.name,
                    "day": Weekday(weekday).label.lower(),
                    "start": f"{clash.start_time:%H:%M}",
                    "end": f"{clash.end_time:%H:%M}",
                },
                extra={"field": "start_time"},
            )
        rule = AvailabilityRule(
            agenda=agenda,
            resource=resource,
            weekday=weekday,
            start_time=start_time,
            end_time=end_time,
            valid_from=valid_from,
            valid_until=valid_until,
            capacity=capacity,
            slot_kind=slot_kind,
        )
        _full_clean(rule)
        rule.save()
        created.append(rule)
    return created


@transaction.atomic
def availability_rule_remove(*, rule: AvailabilityRule) -> None:
    """Booked appointments stay (the attendant still attends them); no new slot comes from the rule."""
    rule.delete()


@transaction.atomic
def availability_exception_add(
    *, resource: Resource, starts_at: dt.datetime, ends_at: dt.datetime, reason: str
) -> AvailabilityException:
    """An absence (leave, training). Appointments already booked in it are listed for staff to move."""
    if not reason.strip():
        raise ApplicationError(_("Informe o motivo da ausência."), extra={"field": "reason"})
    if ends_at <= starts_at:
        raise ApplicationError(_("O fim da ausência deve ser depois do início."), extra={"field": "ends_at"})
    exception = AvailabilityException(
        resource=resource, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()
    )
    _full_clean(exception)
    exception.save()
    return exception


@transaction.atomic
def availability_exception_remove(*, exception: AvailabilityException) -> None:
    exception.delete()
