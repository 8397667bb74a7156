"""org.selectors: units by acronym and a person's units, the reads other apps use to name units."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tenant_apps.org.enums import Role
from tenant_apps.org.selectors import (
    unit_active_by_acronym,
    unit_among,
    unit_list_among,
    user_managed_unit_ids,
    user_unit_ids,
)
from tests.factories import MembershipFactory, OrgUnitFactory, StaffFactory, UserFactory


def test_units_by_acronym_ignore_case_and_leave_out_unknown_and_inactive(in_aracaju):
    works = OrgUnitFactory(acronym="T-OBRAS")
    OrgUnitFactory(acronym="T-EXTINTA", is_active=False)

    found = unit_active_by_acronym(acronyms=["t-obras", "T-EXTINTA", "T-NENHUMA"])

    assert found == {"T-OBRAS": works}
    assert unit_active_by_acronym(acronyms=[]) == {}


def test_a_unit_among_a_persons_units(in_aracaju):
    mine, other = OrgUnitFactory(acronym="T-MINHA"), OrgUnitFactory(acronym="T-ALHEIA")

    assert unit_among(unit_ids=[mine.pk], acronym="t-minha") == mine
    assert unit_among(unit_ids=[mine.pk], acronym=other.acronym) is None
    assert unit_list_among(unit_ids=[other.pk, mine.pk], limit=1) == [other]  # by acronym


def test_a_persons_units_today_and_those_they_manage(in_aracaju):
    today = timezone.localdate()
    person = StaffFactory()
    staff_of = MembershipFactory(user=person, role=Role.STAFF).unit
    manager_of = MembershipFactory(user=person, role=Role.MANAGER).unit
    MembershipFactory(user=person, ends_on=today - dt.timedelta(days=1))  # left yesterday
    MembershipFactory(user=person, starts_on=today + dt.timedelta(days=1))  # starts tomorrow

    assert sorted(user_unit_ids(person)) == sorted([staff_of.pk, manager_of.pk])
    assert user_managed_unit_ids(person) == [manager_of.pk]
    assert user_unit_ids(UserFactory()) == []  # a citizen works in no unit
