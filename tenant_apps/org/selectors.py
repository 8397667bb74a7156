from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from paco.viewer import Viewer

from .enums import Role
from .models import Membership, OrgUnit


def org_unit_acronyms() -> list[str]:
    return list(OrgUnit.objects.filter(is_active=True).order_by("acronym").values_list("acronym", flat=True))


def unit_active_by_acronym(*, acronyms: Iterable[str]) -> dict[str, OrgUnit]:
    """Active units among the acronyms (any case), keyed by upper-case acronym; unknown ones are absent."""
    matches = Q()
    for acronym in acronyms:
        matches |= Q(acronym__iexact=acronym)
    if not matches:
        return {}
    return {unit.acronym.upper(): unit for unit in OrgUnit.objects.filter(matches, is_active=True)}


def unit_by_acronym(*, acronym: str) -> OrgUnit | None:
    """The unit of that acronym, any case, active or not."""
    return OrgUnit.objects.filter(acronym__iexact=acronym.strip()).first()


def unit_among(*, unit_ids: Iterable[int], acronym: str) -> OrgUnit | None:
    """The unit of that acronym (any case) if it is one of `unit_ids`."""
    return OrgUnit.objects.filter(pk__in=list(unit_ids), acronym__iexact=acronym).first()


def unit_list_among(*, unit_ids: Iterable[int], limit: int) -> list[OrgUnit]:
    """At most `limit` of the units, by acronym."""
    return list(OrgUnit.objects.filter(pk__in=list(unit_ids)).order_by("acronym")[:limit])


def org_unit_tree() -> list[tuple[OrgUnit, int]]:
    """Every active unit with its depth, parents before children (one query)."""
    units = list(OrgUnit.objects.filter(is_active=True).order_by("name"))
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[OrgUnit, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered


def membership_list_current(*, user_id: int) -> QuerySet[Membership]:
    today = timezone.localdate()
    return (
        Membership.objects.filter(user_id=user_id)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("unit")
        .order_by("unit__acronym")
    )


def unit_member_user_ids(*, unit_ids: Iterable[int]) -> set[int]:
    """The people working today in any of the units (memberships that have started and not ended)."""
    today = timezone.localdate()
    return set(
        Membership.objects.filter(unit_id__in=list(unit_ids))
        .exclude(starts_on__gt=today)
        .exclude(ends_on__lt=today)
        .values_list("user_id", flat=True)
    )


def user_unit_ids(user: Viewer) -> list[int]:
    """The units the person works in today (any role), by acronym; empty for anyone but staff."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_servidor", False):
        return []
    return [membership.unit_id for membership in membership_list_current(user_id=user.pk)]


def user_managed_unit_ids(user: Viewer) -> list[int]:
    """The units where the person is manager or municipal admin today, by acronym."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_servidor", False):
        return []
    return [
        membership.unit_id
        for membership in membership_list_current(user_id=user.pk)
        if membership.role in (Role.MANAGER, Role.ADMIN)
    ]


def user_has_role(*, user_id: int, roles: set[str]) -> bool:
    return membership_list_current(user_id=user_id).filter(role__in=roles).exists()


def user_is_municipal_admin(*, user_id: int) -> bool:
    return user_has_role(user_id=user_id, roles={Role.ADMIN})


def municipal_admins() -> QuerySet[Any]:
    """The current city's active municipal admins (a membership with the admin role in force today)."""
    from django.contrib.auth import get_user_model

    today = timezone.localdate()
    return (
        get_user_model()
        .objects.filter(
            Q(memberships__starts_on__isnull=True) | Q(memberships__starts_on__lte=today),
            Q(memberships__ends_on__isnull=True) | Q(memberships__ends_on__gte=today),
            is_active=True,
            memberships__role=Role.ADMIN,
        )
        .order_by("email")
        .distinct()
    )


def municipal_admin_emails() -> list[str]:
    """The e-mails of the current city's active municipal admins (vendor support writes to them)."""
    return list(municipal_admins().values_list("email", flat=True))
