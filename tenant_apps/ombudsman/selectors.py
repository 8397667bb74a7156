"""Reads of the ombudsman, scoped to who may see what (identity protection included)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from paco.errors import NotFound
from tenant_apps.accounts.types import Viewer
from tenant_apps.cases.enums import CaseStatus
from tenant_apps.org.selectors import user_unit_ids

from . import deadlines
from .codes import access_code_hash
from .enums import IdentityMode, ManifestationKind
from .models import Appeal, IdentityAccess, Manifestation, OmbudsmanSettings, UnitInput
from .office import user_is_ombudsman


def _base() -> QuerySet[Manifestation]:
    return Manifestation.objects.select_related(
        "case", "case__current_unit", "case__service", "case__citizen"
    ).prefetch_related("unit_inputs__unit", "appeals")


def manifestation_queryset_for_staff(
    user: Viewer, rules: OmbudsmanSettings | None = None
) -> QuerySet[Manifestation]:
    """The ombudsman office sees all; another unit sees what is with it or what it was asked about."""
    if user_is_ombudsman(user, rules):
        return _base()
    units = user_unit_ids(user)
    if not units:
        return _base().none()
    return _base().filter(Q(case__current_unit_id__in=units) | Q(unit_inputs__unit_id__in=units)).distinct()


def manifestation_get_for_staff(*, user: Viewer, nup: str) -> Manifestation:
    manifestation = manifestation_queryset_for_staff(user).filter(case__nup=nup).first()
    if manifestation is None:
        raise NotFound
    return manifestation


def manifestation_get_by_code(*, nup: str, code: str) -> Manifestation:
    """The filer's way in without an account: NUP and code must both match (404 otherwise)."""
    manifestation = _base().filter(case__nup=nup, access_code_hash=access_code_hash(code)).first()
    if manifestation is None:
        raise NotFound
    return manifestation


def manifestation_get_by_id(*, manifestation_id: int) -> Manifestation:
    manifestation = _base().filter(pk=manifestation_id).first()
    if manifestation is None:
        raise NotFound
    return manifestation


def filer_display_name(*, manifestation: Manifestation, user: Viewer, revealed: bool = False) -> str:
    """The name a staff member sees: the pseudonym unless the identity is open to them.

    Identified filers are shown by name. Protected ones only to the ombudsman office and only
    after a logged reveal (`identity_reveal`); anonymous ones never have a name.
    """
    if manifestation.identity_mode == IdentityMode.ANONYMOUS:
        return manifestation.pseudonym
    if manifestation.identity_mode == IdentityMode.IDENTIFIED:
        return manifestation.filer_name or manifestation.pseudonym
    if revealed and user_is_ombudsman(user):
        return manifestation.filer_name
    return manifestation.pseudonym


def identity_access_list(*, manifestation: Manifestation) -> QuerySet[IdentityAccess]:
    return IdentityAccess.objects.filter(manifestation=manifestation).order_by("-accessed_at", "-id")


@dataclass(frozen=True)
class DeadlineFlag:
    is_overdue: bool
    is_nearly_overdue: bool


def deadline_flag(
    *, manifestation: Manifestation, rules: OmbudsmanSettings, today: dt.date | None = None
) -> DeadlineFlag:
    today = today or timezone.localdate()
    case = manifestation.case
    if case.status == CaseStatus.CLOSED or case.paused_since is not None:
        return DeadlineFlag(False, False)
    return DeadlineFlag(
        is_overdue=case.deadline < today,
        is_nearly_overdue=deadlines.is_nearly_overdue(rules, deadline=case.deadline, today=today),
    )


def appeal_pending(*, manifestation: Manifestation) -> Appeal | None:
    """The appeal awaiting a decision, if any (reads the prefetched appeals when there are)."""
    return next((appeal for appeal in manifestation.appeals.all() if appeal.decided_at is None), None)


def unit_input_pending(*, manifestation: Manifestation, user: Viewer) -> UnitInput | None:
    units = user_unit_ids(user)
    for unit_input in manifestation.unit_inputs.all():
        if unit_input.answered_at is None and unit_input.unit_id in units:
            return unit_input
    return None


@dataclass
class ReportRow:
    unit: str
    kind: str
    received: int = 0
    answered: int = 0
    answered_in_time: int = 0
    overdue: int = 0
    response_days_total: float = 0.0
    satisfaction_total: int = 0
    satisfaction_count: int = 0
    resolved: int = 0

    @property
    def average_response_days(self) -> float | None:
        return round(self.response_days_total / self.answered, 1) if self.answered else None

    @property
    def average_satisfaction(self) -> float | None:
        return (
            round(self.satisfaction_total / self.satisfaction_count, 2) if self.satisfaction_count else None
        )


def ombudsman_report(*, start: dt.date, end: dt.date, today: dt.date | None = None) -> list[ReportRow]:
    """Per unit that answered (or holds it) and kind: received, answered in time, overdue, averages.

    The unit of a manifestation is the last unit asked for input, or the ombudsman office.
    """
    today = today or timezone.localdate()
    rows: dict[tuple[str, str], ReportRow] = {}
    kinds = dict(ManifestationKind.choices)
    manifestations = (
        Manifestation.objects.select_related("case", "case__current_unit")
        .prefetch_related("unit_inputs__unit")
        .filter(case__opened_at__date__gte=start, case__opened_at__date__lte=end)
        .order_by("pk")
    )
    for manifestation in manifestations:
        case = manifestation.case
        inputs = list(manifestation.unit_inputs.all())
        unit = inputs[-1].unit if inputs else case.current_unit
        key = (unit.acronym, str(kinds[manifestation.kind]))
        row = rows.setdefault(key, ReportRow(unit=key[0], kind=key[1]))
        row.received += 1
        if case.status == CaseStatus.CLOSED and case.closed_at is not None:
            row.answered += 1
            row.response_days_total += (case.closed_at - case.opened_at).total_seconds() / 86400
            if manifestation.is_answered_in_time:
                row.answered_in_time += 1
        elif case.paused_since is None and case.deadline < today:
            row.overdue += 1
        if manifestation.satisfaction:
            row.satisfaction_total += manifestation.satisfaction
            row.satisfaction_count += 1
        if manifestation.is_resolved:
            row.resolved += 1
    return [rows[key] for key in sorted(rows)]
