"""Circular fan-out: receipts and notifications for thousands of people, in batches, idempotently.

`notification_queue` records one notification at a time (several queries each); a circular to
5,000 people would take tens of thousands of queries, so this module renders the same editable
templates and bulk-creates the Notification rows and their "queued" events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from paco.jobs import enqueue_on_commit
from tenant_apps.notifications.enums import Channel, DeliveryStatus, EventKind
from tenant_apps.notifications.models import Notification, NotificationEvent
from tenant_apps.notifications.services import render_text, template_texts, token_new

from .models import Circular, CircularReceipt

FANOUT_BATCH_SIZE = 500


@transaction.atomic
def notification_queue_bulk(
    *,
    template_key: str,
    context: dict[str, Any],
    recipients: Sequence[Any],
    link_url: str = "",
    subject_kind: str = "",
    subject_id: int | None = None,
) -> list[Notification]:
    """Inbox + e-mail notifications to many people in a few queries (same texts as notification_queue).

    E-mails are delivered by `notification_deliver_task` after commit; people with a phone get the
    SMS fallback text ready, as in `notification_queue`.
    """
    texts = template_texts(template_key)
    rows: list[Notification] = []
    for person in recipients:
        full_context = {"recipient_name": person.first_name, "link": link_url, **context}
        subject = render_text(texts["subject"], full_context)[:300]
        body = render_text(texts["email_body"], full_context)
        common = {
            "recipient": person,
            "template_key": template_key,
            "subject": subject,
            "body": body,
            "link_url": link_url,
            "subject_kind": subject_kind,
            "subject_id": subject_id,
        }
        rows.append(
            Notification(channel=Channel.INBOX, status=DeliveryStatus.DELIVERED, token=token_new(), **common)
        )
        if person.email:
            phone = getattr(person, "phone", "") or ""
            rows.append(
                Notification(
                    channel=Channel.EMAIL,
                    address=person.email,
                    status=DeliveryStatus.QUEUED,
                    token=token_new(),
                    fallback_address=phone[:20],
                    fallback_body=render_text(texts["sms_body"], full_context) if phone else "",
                    **common,
                )
            )
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    now = timezone.now()
    NotificationEvent.objects.bulk_create(
        [NotificationEvent(notification=row, kind=EventKind.QUEUED, occurred_at=now) for row in created],
        batch_size=1000,
    )
    from tenant_apps.notifications.tasks import notification_deliver_task

    for row in created:
        if row.channel == Channel.EMAIL:
            enqueue_on_commit(notification_deliver_task, notification_id=row.pk)
    return created


def circular_fanout(*, circular_id: int, batch_size: int = FANOUT_BATCH_SIZE) -> int:
    """Create the receipts of a circular and notify each recipient once; returns how many were notified.

    Safe to run again (a retried job): receipts are unique per (circular, person) and inserted with
    ON CONFLICT DO NOTHING, and a receipt is notified in the same transaction that stamps its
    `notified_at`, so a person is never notified twice. Each batch commits on its own, so a failure
    half-way keeps the work done and the retry continues from there.
    """
    from .services import _circular_context, circular_audience_user_ids, circular_url

    circular = Circular.objects.select_related("document", "document__unit", "sender_unit").get(
        pk=circular_id
    )
    user_ids = circular_audience_user_ids(audience=circular.audience, exclude_user_id=circular.author_id)
    for start in range(0, len(user_ids), batch_size):
        with transaction.atomic():
            CircularReceipt.objects.bulk_create(
                [
                    CircularReceipt(circular=circular, user_id=pk)
                    for pk in user_ids[start : start + batch_size]
                ],
                ignore_conflicts=True,
            )
    context = _circular_context(circular)
    link = circular_url(circular)
    notified = 0
    while True:
        with transaction.atomic():
            batch = list(
                CircularReceipt.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(circular=circular, notified_at__isnull=True)
                .select_related("user")
                .order_by("id")[:batch_size]
            )
            if not batch:
                break
            notification_queue_bulk(
                template_key="circular_received",
                context=context,
                recipients=[receipt.user for receipt in batch],
                link_url=link,
                subject_kind="circular",
                subject_id=circular.pk,
            )
            now = timezone.now()
            CircularReceipt.objects.filter(pk__in=[receipt.pk for receipt in batch]).update(
                notified_at=now, updated_at=now
            )
            notified += len(batch)
    total = CircularReceipt.objects.filter(circular=circular).count()
    Circular.objects.filter(pk=circular.pk).update(
        recipient_count=total, fanned_out_at=timezone.now(), updated_at=timezone.now()
    )
    return notified
