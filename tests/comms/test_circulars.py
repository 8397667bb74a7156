"""Circulars: audience resolution, send rules, fan-out (idempotent), ciência, reminders, CSV, access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from paco.errors import ApplicationError
from tenant_apps.accounts.enums import UserKind
from tenant_apps.comms.exports import circular_receipts_csv
from tenant_apps.comms.fanout import circular_fanout
from tenant_apps.comms.models import Circular, CircularReceipt, CircularReminder
from tenant_apps.comms.selectors import (
    circular_get_visible,
    circular_queryset_visible,
    circular_receipt_counts,
    circular_receipt_list,
    unit_activity,
)
from tenant_apps.comms.services import (
    circular_acknowledge,
    circular_audience_user_ids,
    circular_open,
    circular_remind,
    circular_send,
)
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.documents.models import Document
from tenant_apps.documents.selectors import document_user_can_read
from tenant_apps.notifications.models import Notification, NotificationEvent
from tenant_apps.org.enums import Role
from tenant_apps.org.models import Membership
from tests.factories import staff_in


def _send(org, **overrides):
    arguments = {
        "author": org.manager,
        "sender_unit": org.root,
        "subject": "Ponto facultativo na sexta",
        "body": "Informamos que sexta-feira será ponto facultativo.",
        "unit_ids": [org.child.pk],
    }
    arguments.update(overrides)
    return circular_send(**arguments)


def _ids(*people):
    return sorted(p.pk for p in people)


def test_audience_units_with_and_without_sub_units(org):
    units = {"units": [org.root.pk]}
    assert circular_audience_user_ids(audience=units) == _ids(org.manager, org.root_staff)
    with_tree = {"units": [org.root.pk], "include_subunits": True}
    assert circular_audience_user_ids(audience=with_tree, exclude_user_id=org.manager.pk) == _ids(
        org.root_staff, org.child_staff, org.grandchild_staff
    )


def test_audience_roles_everyone_and_people(org):
    managers = circular_audience_user_ids(audience={"roles": [Role.MANAGER]})
    assert {org.manager.pk, org.other_manager.pk} <= set(managers)
    assert org.root_staff.pk not in managers
    # roles with units: only those roles in those units
    assert circular_audience_user_ids(audience={"units": [org.other.pk], "roles": [Role.MANAGER]}) == _ids(
        org.other_manager
    )
    everyone = circular_audience_user_ids(audience={"everyone": True})
    staff_with_units = set(
        Membership.objects.filter(user__is_active=True, user__kind=UserKind.STAFF).values_list(
            "user_id", flat=True
        )
    )
    assert set(everyone) == staff_with_units
    assert org.outsider.pk not in everyone  # no current membership
    assert circular_audience_user_ids(audience={"users": [org.outsider.pk]}) == [org.outsider.pk]


def test_ended_memberships_do_not_receive(org):
    Membership.objects.filter(user=org.child_staff).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert circular_audience_user_ids(audience={"units": [org.child.pk]}) == []


def test_only_a_manager_of_the_sender_unit_sends_and_bad_input_leaves_nothing(org):
    documents_before = Document.objects.count()
    with pytest.raises(PermissionDenied):
        _send(org, author=org.root_staff)
    with pytest.raises(PermissionDenied):
        _send(org, author=org.other_manager)
    with pytest.raises(ApplicationError) as error:
        _send(org, unit_ids=[])
    assert error.value.message == "Ninguém recebe esta circular: escolha unidades, papéis ou pessoas."
    with pytest.raises(ApplicationError) as error:
        _send(org, acknowledge_by=timezone.localdate() - dt.timedelta(days=1))
    assert error.value.message == "O prazo para ciência já passou."
    with pytest.raises(ApplicationError, match="Papel inválido"):
        _send(org, roles=["chefe"])
    assert Circular.objects.count() == 0
    assert Document.objects.count() == documents_before


def test_send_numbers_the_circular_and_enqueues_the_fanout_after_commit(
    org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        circular = _send(org, acknowledge_by=timezone.localdate() + dt.timedelta(days=5))

    assert circular.document.kind == DocumentKind.CIRCULAR
    assert (
        circular.document.number == f"CIRC {circular.document.sequence}/{timezone.localdate().year} - T-RAIZ"
    )
    assert CircularReceipt.objects.filter(circular=circular).count() == 0  # the job creates them
    assert len(callbacks) == 2  # the document's PDF and the fan-out
    assert circular.audience == {
        "units": [org.child.pk],
        "include_subunits": False,
        "roles": [],
        "everyone": False,
        "users": [],
    }


def test_fanout_creates_receipts_and_notifications_in_batches_and_a_rerun_adds_nothing(org):
    circular = _send(org, unit_ids=[org.root.pk], include_subunits=True, user_ids=[org.other_staff.pk])

    notified = circular_fanout(circular_id=circular.pk, batch_size=2)

    recipients = _ids(org.root_staff, org.child_staff, org.grandchild_staff, org.other_staff)
    assert notified == 4
    assert (
        sorted(CircularReceipt.objects.filter(circular=circular).values_list("user_id", flat=True))
        == recipients
    )
    notifications = Notification.objects.filter(subject_kind="circular", subject_id=circular.pk)
    assert sorted(notifications.values_list("recipient_id", "channel")) == sorted(
        [(pk, "inbox") for pk in recipients] + [(pk, "email") for pk in recipients]
    )
    assert NotificationEvent.objects.filter(notification__in=notifications, kind="queued").count() == 8
    inbox = notifications.get(recipient=org.child_staff, channel="inbox")
    assert inbox.subject == f"Circular {circular.document.number}: Ponto facultativo na sexta"
    assert inbox.link_url.endswith(f"/staff/circulares/{circular.pk}/")
    circular.refresh_from_db()
    assert circular.recipient_count == 4
    assert circular.fanned_out_at is not None

    # when: the job runs again (a retry)
    assert circular_fanout(circular_id=circular.pk, batch_size=2) == 0

    # then
    assert CircularReceipt.objects.filter(circular=circular).count() == 4
    assert notifications.count() == 8


def test_fanout_notifies_people_who_joined_later_once(org):
    circular = _send(org)
    circular_fanout(circular_id=circular.pk)
    newcomer = staff_in(org.child, email="novata@teste.gov.br", full_name="Nina Novata")

    assert circular_fanout(circular_id=circular.pk) == 1
    assert (
        Notification.objects.filter(
            subject_id=circular.pk, subject_kind="circular", recipient=newcomer
        ).count()
        == 2
    )


def test_opening_and_acknowledging(org):
    circular = _send(org, unit_ids=[org.child.pk, org.grandchild.pk])
    circular_fanout(circular_id=circular.pk)

    opened = circular_open(circular=circular, user=org.child_staff)
    first_open = opened.opened_at
    assert first_open is not None
    assert opened.acknowledged_at is None
    assert circular_open(circular=circular, user=org.child_staff).opened_at == first_open
    assert circular_open(circular=circular, user=org.other_staff) is None  # not a recipient: nothing

    receipt = circular_acknowledge(circular=circular, user=org.child_staff)
    acknowledged_at = receipt.acknowledged_at
    assert acknowledged_at is not None
    assert receipt.opened_at == first_open
    assert circular_acknowledge(circular=circular, user=org.child_staff).acknowledged_at == acknowledged_at

    with pytest.raises(PermissionDenied):
        circular_acknowledge(circular=circular, user=org.other_staff)
    assert not CircularReceipt.objects.filter(circular=circular, user=org.other_staff).exists()

    counts = circular_receipt_counts(circular=circular)
    assert (counts.total, counts.acknowledged, counts.opened, counts.pending) == (2, 1, 0, 1)
    circular_open(circular=circular, user=org.grandchild_staff)
    counts = circular_receipt_counts(circular=circular)
    assert (counts.acknowledged, counts.opened, counts.pending) == (1, 1, 0)
    assert [r.user for r in circular_receipt_list(circular=circular, state="aberta")] == [
        org.grandchild_staff
    ]
    assert [r.user for r in circular_receipt_list(circular=circular, state="ciente")] == [org.child_staff]
    assert [r.user for r in circular_receipt_list(circular=circular, query="nelo")] == [org.grandchild_staff]


def test_reminders_go_to_who_has_not_acknowledged_once_per_click(org):
    circular = _send(org, unit_ids=[org.child.pk, org.grandchild.pk])
    circular_fanout(circular_id=circular.pk)
    circular_acknowledge(circular=circular, user=org.child_staff)

    reminder = circular_remind(circular=circular, actor=org.manager, token="clique-1")
    again = circular_remind(circular=circular, actor=org.manager, token="clique-1")

    assert again.pk == reminder.pk
    assert reminder.recipient_count == 1
    reminded = Notification.objects.filter(template_key="circular_reminder", subject_id=circular.pk)
    assert sorted(reminded.values_list("recipient__email", "channel")) == [
        (org.grandchild_staff.email, "email"),
        (org.grandchild_staff.email, "inbox"),
    ]
    receipt = CircularReceipt.objects.get(circular=circular, user=org.grandchild_staff)
    assert receipt.reminder_count == 1
    assert receipt.reminded_at is not None
    circular_remind(circular=circular, actor=org.manager, token="clique-2")
    assert reminded.count() == 4
    assert CircularReminder.objects.filter(circular=circular).count() == 2

    with pytest.raises(PermissionDenied):
        circular_remind(circular=circular, actor=org.root_staff, token="clique-3")
    with pytest.raises(ApplicationError):
        circular_remind(circular=circular, actor=org.manager, token="")
    assert CircularReminder.objects.filter(circular=circular).count() == 2


def test_csv_export_lists_every_recipient_and_their_situation(org):
    circular = _send(org, unit_ids=[org.child.pk, org.grandchild.pk])
    circular_fanout(circular_id=circular.pk)
    receipt = circular_acknowledge(circular=circular, user=org.child_staff)
    moment = timezone.localtime(receipt.acknowledged_at).strftime("%d/%m/%Y %H:%M")

    assert circular_receipts_csv(circular=circular).splitlines() == [
        "Nome;E-mail;Situação;Aberta em;Ciente em;Último lembrete",
        f"Fabi Filha;{org.child_staff.email};Ciente;{moment};{moment};",
        f"Nelo Neto;{org.grandchild_staff.email};Não abriu;;;",
    ]


def test_recipients_and_the_sender_unit_see_the_circular_and_its_document(org):
    circular = _send(org)
    circular_fanout(circular_id=circular.pk)

    assert list(circular_queryset_visible(org.child_staff)) == [circular]
    assert list(circular_queryset_visible(org.root_staff)) == [circular]
    for stranger in (org.grandchild_staff, org.other_manager, org.outsider):
        assert list(circular_queryset_visible(stranger)) == []
        with pytest.raises(Http404):
            circular_get_visible(user=stranger, circular_id=circular.pk)
    assert document_user_can_read(org.child_staff, circular.document)
    items = unit_activity(user=org.manager, unit_id=org.root.pk)
    assert [(item.kind, item.number) for item in items] == [("circular_sent", circular.document.number)]
