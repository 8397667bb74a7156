"""The municipality's own holidays, entered by the municipal admin (national and state ones come by law)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from paco.errors import ApplicationError

from .models import MunicipalHoliday
from .selectors import public_holiday_names


def _duplicate_error(day: dt.date, name: str) -> ApplicationError:
    return ApplicationError(
        _("Já existe um feriado municipal em %(date)s: %(name)s.")
        % {"date": f"{day:%d/%m/%Y}", "name": name},
        extra={"field": "date"},
    )


@transaction.atomic
def municipal_holiday_create(*, date: dt.date, name: str) -> MunicipalHoliday:
    """Add a municipal holiday (or ponto facultativo); from then on business-day deadlines skip it.

    A date that is already a national or state holiday, or already a municipal one, is refused.
    """
    name = name.strip()
    if not name:
        raise ApplicationError(_("Informe o nome do feriado."), extra={"field": "name"})
    if len(name) > 200:
        raise ApplicationError(_("O nome do feriado tem no máximo 200 caracteres."), extra={"field": "name"})
    public_name = public_holiday_names(date.year).get(date)
    if public_name:
        raise ApplicationError(
            _("%(date)s já é feriado nacional ou estadual: %(name)s.")
            % {"date": f"{date:%d/%m/%Y}", "name": public_name},
            extra={"field": "date"},
        )
    existing = MunicipalHoliday.objects.filter(date=date).first()
    if existing is not None:
        raise _duplicate_error(date, existing.name)
    try:
        with transaction.atomic():
            return MunicipalHoliday.objects.create(date=date, name=name)
    except IntegrityError as error:  # the same date added at the same moment by someone else
        raise _duplicate_error(date, name) from error


@transaction.atomic
def municipal_holiday_delete(*, holiday: MunicipalHoliday) -> None:
    """Remove a municipal holiday. Deadlines already computed keep their dates; new ones count the day."""
    MunicipalHoliday.objects.filter(pk=holiday.pk).delete()
