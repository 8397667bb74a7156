"""Circular fan-out: receipts and notifications for thousands of people, in batches, idempotently.

Each batch of receipts is notified with `notifications.services.notification_queue_bulk`, a few
INSERTs per batch whatever its size.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tenant_apps.notifications.enums import Channel, SubjectKind
from tenant_apps.notifications.services import notification_queue_bulk

from .models import Circular, CircularReceipt

FANOUT_BATCH_SIZE = 500


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
    link = circular_url(circular=circular)
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
                channels=(Channel.INBOX, Channel.EMAIL),
                link_url=link,
                subject_kind=SubjectKind.CIRCULAR,
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
