"""One queue for every notification: many people in a few queries; one person is its special case."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.notifications.enums import Channel, DeliveryStatus, EventKind
from tenant_apps.notifications.models import Notification, NotificationEvent
from tenant_apps.notifications.services import Recipient, notification_queue, notification_queue_bulk
from tests.factories import StaffFactory, UserFactory
from tests.notifications.conftest import LINK, case_context


def _queue_to(people, channels=(Channel.INBOX, Channel.EMAIL)):
    return notification_queue_bulk(
        template_key="case_updated",
        context={**case_context(), "event_summary": "despacho da EMSURB"},
        recipients=people,
        channels=channels,
        link_url=LINK,
        subject_kind="case",
        subject_id=7,
    )


def test_each_person_gets_one_notification_per_channel_that_has_an_address(in_aracaju):
    # given
    with_phone = StaffFactory(full_name="Ana Souza", phone="(79) 99876-5432")
    at_the_counter = UserFactory(full_name="Beto Lima", email="balcao-123@paco.invalid")

    # when
    created = _queue_to([with_phone, at_the_counter, Recipient(email="anonimo@exemplo.com.br")])

    # then
    assert [(row.recipient, row.channel, row.address, row.status) for row in created] == [
        (with_phone, Channel.INBOX, "", DeliveryStatus.DELIVERED),
        (with_phone, Channel.EMAIL, with_phone.email, DeliveryStatus.QUEUED),
        (at_the_counter, Channel.INBOX, "", DeliveryStatus.DELIVERED),
        (None, Channel.EMAIL, "anonimo@exemplo.com.br", DeliveryStatus.QUEUED),
    ]
    assert created[0].subject == "Protocolo 10005.000001/2026-11: despacho da EMSURB"
    assert created[1].body.startswith("Olá, Ana.")
    assert (created[1].fallback_address, created[3].fallback_address) == ("(79) 99876-5432", "")
    assert (
        list(NotificationEvent.objects.filter(notification__in=created).values_list("kind", flat=True))
        == [EventKind.QUEUED] * 4
    )


def test_a_hundred_people_cost_the_same_queries_as_two(in_aracaju):
    two = StaffFactory.create_batch(2)
    hundred = StaffFactory.create_batch(100)

    with CaptureQueriesContext(connection) as few:
        _queue_to(two)
    with CaptureQueriesContext(connection) as many:
        _queue_to(hundred)

    assert Notification.objects.filter(recipient__in=hundred).count() == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_one_person_is_the_bulk_queue_of_one(in_aracaju):
    person = UserFactory(full_name="Carla Dias", phone="(79) 99876-5432")

    created = notification_queue(
        template_key="case_opened",
        context=case_context(),
        recipient=person,
        channels=(Channel.EMAIL, Channel.SMS),
        link_url=LINK,
        subject_kind="case",
        subject_id=7,
    )

    assert [(row.channel, row.address, row.fallback_address) for row in created] == [
        (Channel.EMAIL, person.email, ""),
        (Channel.SMS, "(79) 99876-5432", ""),
    ]
