"""The deadline rules of the ombudsman and of access to information, with the law behind each.

Every number comes from the municipality's `OmbudsmanSettings` (a decree may change it); the
defaults are the federal rules below. Days are counted excluding the first day; a period that
ends on a non-business day moves to the next business day (Lei 9.784/1999, art. 66, §§ 1º-2º,
via `BusinessCalendar`). While the citizen is asked for information the clock stops
(`cases.services.case_request_information` / `case_answer_information`).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from tenant_apps.workdays.selectors import BusinessCalendar

from .enums import CountKind
from .models import OmbudsmanSettings


def settings_default() -> OmbudsmanSettings:
    """The municipality's row, or the federal defaults when it has none."""
    return OmbudsmanSettings.objects.select_related("ombudsman_unit").first() or OmbudsmanSettings()


def days_add(start: dt.date, days: int, count: str, *, calendar: BusinessCalendar | None = None) -> dt.date:
    calendar = calendar or BusinessCalendar()
    if count == CountKind.BUSINESS_DAYS:
        return calendar.add_business_days(start, days)
    return calendar.add_calendar_days(start, days)


def answer_deadline(rules: OmbudsmanSettings, *, start: dt.date, is_information_access: bool) -> dt.date:
    """Final answer.

    Manifestations: 30 days (Lei 13.460/2017, art. 16, caput).
    Access to information: 20 days (Lei 12.527/2011, art. 11, § 1º).
    """
    if is_information_access:
        return days_add(start, rules.lai_days, rules.lai_count)
    return days_add(start, rules.answer_days, rules.answer_count)


def answer_extension(
    rules: OmbudsmanSettings,
    *,
    deadline: dt.date,
    today: dt.date,
    is_information_access: bool,
    already_extended: bool,
    justification: str,
) -> dt.date:
    """The new final deadline after the single, justified extension.

    Manifestations: once, by 30 more days, justified (Lei 13.460/2017, art. 16, caput).
    Access to information: by 10 more days, with an express justification of which the requester
    is told (Lei 12.527/2011, art. 11, § 2º) before the initial 20 days run out (Decreto
    7.724/2012, art. 16): an extension asked after the deadline is refused.
    """
    if already_extended:
        raise ApplicationError(_("O prazo já foi prorrogado uma vez; a lei admite uma única prorrogação."))
    if not justification.strip():
        raise ApplicationError(
            _("Escreva a justificativa da prorrogação; o manifestante vai lê-la."),
            extra={"field": "justification"},
        )
    if is_information_access:
        if today > deadline:
            raise ApplicationError(
                _(
                    "O prazo de resposta terminou em %(date)s: a prorrogação precisa ser comunicada "
                    "ao requerente antes do fim do prazo (Lei 12.527/2011, art. 11, § 2º)."
                )
                % {"date": deadline.strftime("%d/%m/%Y")}
            )
        return days_add(deadline, rules.lai_extension_days, rules.lai_count)
    return days_add(deadline, rules.answer_extension_days, rules.answer_count)


def unit_input_deadline(rules: OmbudsmanSettings, *, start: dt.date) -> dt.date:
    """A unit asked by the ombudsman answers in 20 days (Lei 13.460/2017, art. 16, parágrafo único)."""
    return days_add(start, rules.unit_input_days, rules.unit_input_count)


def unit_input_extension(
    rules: OmbudsmanSettings, *, deadline: dt.date, already_extended: bool, justification: str
) -> dt.date:
    """Once, justified, by the same period (Lei 13.460/2017, art. 16, parágrafo único)."""
    if already_extended:
        raise ApplicationError(_("O prazo desta unidade já foi prorrogado uma vez."))
    if not justification.strip():
        raise ApplicationError(_("Escreva a justificativa da prorrogação."), extra={"field": "justification"})
    return days_add(deadline, rules.unit_input_extension_days, rules.unit_input_count)


def appeal_filing_deadline(rules: OmbudsmanSettings, *, informed_on: dt.date) -> dt.date:
    """Last day to appeal: 10 days from learning of the decision.

    1st instance: Lei 12.527/2011, art. 15, caput. 2nd instance (after the 1st is denied):
    Decreto 7.724/2012, art. 23 (in a municipality, the body its own LAI decree names).
    """
    return days_add(informed_on, rules.appeal_filing_days, rules.appeal_count)


def appeal_decision_deadline(rules: OmbudsmanSettings, *, filed_on: dt.date, instance: int) -> dt.date:
    """The appeal is decided in 5 days.

    1st instance, by the authority above the one that decided: Lei 12.527/2011, art. 15,
    parágrafo único. 2nd instance: Decreto 7.724/2012, art. 23 (5 days).
    """
    del instance  # both instances have the same default; kept for a decree that differs
    return days_add(filed_on, rules.appeal_decision_days, rules.appeal_count)


def reopen_until(rules: OmbudsmanSettings, *, closed_on: dt.date) -> dt.date:
    """The citizen may reopen within this window (municipal policy; not a federal rule)."""
    return closed_on + dt.timedelta(days=rules.reopen_days)


def is_nearly_overdue(rules: OmbudsmanSettings, *, deadline: dt.date, today: dt.date) -> bool:
    return today <= deadline <= today + dt.timedelta(days=rules.warning_days)
