"""A unit's inbox notification reaches the people working there today, in one bulk queue."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tenant_apps.cases.services import case_forward, case_open
from tenant_apps.notifications.enums import Channel
from tenant_apps.notifications.models import Notification
from tests.factories import MembershipFactory, OrgUnitFactory, StaffFactory

FORM = {"endereco": "Rua Laranjeiras, 100, Centro", "motivo": "Galhos na fiação"}


def test_a_forwarded_case_reaches_todays_members_of_the_unit_but_not_the_forwarder(
    citizen, poda, emsurb_staff
):
    # given: a unit (of its own: the demo's units gain members as modules are added) with one member
    # today, one who left yesterday and one who starts tomorrow
    unit = OrgUnitFactory(acronym="T-DESTINO")
    today = timezone.localdate()
    current = MembershipFactory(unit=unit).user
    MembershipFactory(unit=unit, ends_on=today - dt.timedelta(days=1))
    MembershipFactory(unit=unit, starts_on=today + dt.timedelta(days=1))
    MembershipFactory(unit=unit, user=StaffFactory(is_active=False))
    MembershipFactory(unit=unit, user=emsurb_staff)  # the forwarder also works there
    case = case_open(service=poda, opened_by=citizen, form_data=FORM)
    on_opening = set(Notification.objects.filter(subject_id=case.pk).values_list("pk", flat=True))

    # when
    case_forward(case=case, actor=emsurb_staff, to_unit=unit)

    # then
    reached = Notification.objects.filter(subject_kind="case", subject_id=case.pk, template_key="unit_inbox")
    assert list(reached.exclude(pk__in=on_opening).values_list("recipient", "channel")) == [
        (current.pk, Channel.INBOX)
    ]
