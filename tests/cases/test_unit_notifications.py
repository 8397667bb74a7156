"""A unit's inbox notification reaches the people working there today, in one bulk queue."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tenant_apps.cases.services import case_forward, case_open
from tenant_apps.notifications.enums import Channel
from tenant_apps.notifications.models import Notification
from tenant_apps.org.models import OrgUnit
from tests.factories import MembershipFactory, StaffFactory

FORM = {"endereco": "Rua Laranjeiras, 100, Centro", "motivo": "Galhos na fiação"}


def test_a_forwarded_case_reaches_todays_members_of_the_unit_but_not_the_forwarder(
    citizen, poda, emsurb_staff
):
    # given: SEMA has one member today, one who left yesterday and one who starts tomorrow
    sema = OrgUnit.objects.get(acronym="SEMA")
    today = timezone.localdate()
    current = MembershipFactory(unit=sema).user
    MembershipFactory(unit=sema, ends_on=today - dt.timedelta(days=1))
    MembershipFactory(unit=sema, starts_on=today + dt.timedelta(days=1))
    MembershipFactory(unit=sema, user=StaffFactory(is_active=False))
    MembershipFactory(unit=sema, user=emsurb_staff)  # the forwarder also works at SEMA
    case = case_open(service=poda, opened_by=citizen, form_data=FORM)
    on_opening = set(Notification.objects.filter(subject_id=case.pk).values_list("pk", flat=True))

    # when
    case_forward(case=case, actor=emsurb_staff, to_unit=sema)

    # then
    reached = Notification.objects.filter(subject_kind="case", subject_id=case.pk, template_key="unit_inbox")
    assert list(reached.exclude(pk__in=on_opening).values_list("recipient", "channel")) == [
        (current.pk, Channel.INBOX)
    ]
