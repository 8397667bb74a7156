"""Reads of memos and circulars: who sees what (addressee, their units, the sender unit), inboxes, counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from paco.errors import NotFound
from tenant_apps.accounts.selectors import user_is_staff
from tenant_apps.accounts.types import Viewer
from tenant_apps.org.selectors import user_managed_unit_ids, user_unit_ids
from tenant_apps.signatures.models import Signature

from .enums import MemoKind, ReceiptState
from .models import Circular, CircularReceipt, Memo, MemoRecipient, MemoTemplate

RECEIPT_PAGE_SIZE = 500
FORWARD_CHAIN_LIMIT = 20


# --- memos -----------------------------------------------------------------------------------


def _addressed_to(user: Viewer, unit_ids: list[int]) -> Q:
    recipients = MemoRecipient.objects.filter(memo=OuterRef("pk")).filter(
        Q(user_id=user.pk) | Q(unit_id__in=unit_ids)
    )
    return Q(Exists(recipients))


def memo_queryset_visible(user: Viewer) -> QuerySet[Memo]:
    """Memos sent by the person's current units, or addressed to them or to those units."""
    if not user_is_staff(user):
        return Memo.objects.none()
    unit_ids = user_unit_ids(user)
    return Memo.objects.filter(Q(sender_unit_id__in=unit_ids) | _addressed_to(user, unit_ids))


def memo_user_is_recipient(*, user: Viewer, memo: Memo) -> bool:
    if not user_is_staff(user):
        return False
    return memo.recipients.filter(Q(user_id=user.pk) | Q(unit_id__in=user_unit_ids(user))).exists()


def memo_user_can_read(*, user: Viewer, memo: Memo) -> bool:
    """Directly (sender unit or addressee), or through a forward of it that reached the person.

    A forward carries the forwarded memo along, so whoever receives the forward may read it too.
    """
    if not user_is_staff(user):
        return False
    visible = memo_queryset_visible(user)
    frontier = [memo.pk]
    for _level in range(FORWARD_CHAIN_LIMIT):
        if visible.filter(pk__in=frontier).exists():
            return True
        frontier = list(
            Memo.objects.filter(parent_id__in=frontier, kind=MemoKind.FORWARD).values_list("pk", flat=True)
        )
        if not frontier:
            return False
    return False


def memo_get_visible(*, user: Viewer, memo_id: int) -> Memo:
    memo = (
        Memo.objects.select_related("document", "document__unit", "sender_unit", "author", "case", "parent")
        .filter(pk=memo_id)
        .first()
    )
    if memo is None or not memo_user_can_read(user=user, memo=memo):
        raise NotFound
    return memo


def memo_thread(*, user: Viewer, memo: Memo) -> list[Memo]:
    """The memos of the thread the person may read, oldest first: the registered trail."""
    root_id = memo.thread_root_id
    memos = list(
        Memo.objects.filter(Q(pk=root_id) | Q(thread_id=root_id))
        .select_related("document", "document__unit", "sender_unit", "author", "case")
        .prefetch_related(
            "recipients__unit",
            "recipients__user",
            Prefetch("document__signatures", queryset=Signature.objects.select_related("request")),
            "document__signature_requests",
            "document__attachments",
        )
        .order_by("created_at", "id")
    )
    visible_ids = set(
        memo_queryset_visible(user).filter(pk__in=[m.pk for m in memos]).values_list("pk", flat=True)
    )
    # a forward that reached the person brings the memos it forwards along (walk up the chain)
    by_id = {m.pk: m for m in memos}
    for item in memos:
        if item.pk in visible_ids and item.kind == MemoKind.FORWARD:
            parent_id = item.parent_id
            while parent_id and parent_id in by_id:
                visible_ids.add(parent_id)
                parent = by_id[parent_id]
                parent_id = parent.parent_id if parent.kind == MemoKind.FORWARD else None
    return [m for m in memos if m.pk in visible_ids]


def memo_list_box(*, user: Viewer, box: str, unit_ids: list[int], include_personal: bool) -> QuerySet[Memo]:
    """An inbox of the API, newest first: `box` "enviados" holds the memos `unit_ids` sent, any other
    value the memos addressed to them (and to the person, with `include_personal`)."""
    memos = memo_queryset_visible(user)
    if box == "enviados":
        memos = memos.filter(sender_unit_id__in=unit_ids)
    else:
        addressed = Q(unit_id__in=unit_ids)
        if include_personal:
            addressed |= Q(user_id=int(user.pk or 0))
        memos = memos.filter(Exists(MemoRecipient.objects.filter(addressed, memo=OuterRef("pk"))))
    return (
        memos.select_related("document", "document__unit", "sender_unit", "author")
        .prefetch_related("recipients__unit", "recipients__user")
        .order_by("-created_at", "-id")
    )


def memo_get_with_relations(*, memo_id: int) -> Memo:
    """One memo with what its API representation reads (no visibility check: the caller made it)."""
    return (
        Memo.objects.select_related("document", "document__unit", "sender_unit", "author")
        .prefetch_related(
            "recipients__unit", "recipients__user", "document__signatures", "document__signature_requests"
        )
        .get(pk=memo_id)
    )


def memo_list_received(*, user: Viewer, unit_id: int | None = None, limit: int = 200) -> QuerySet[Memo]:
    """Memos addressed to a unit of the person's (`unit_id`) or, with no unit, to the person."""
    recipients = MemoRecipient.objects.filter(memo=OuterRef("pk"))
    if unit_id is None:
        recipients = recipients.filter(user_id=user.pk)
    else:
        if unit_id not in user_unit_ids(user):
            return Memo.objects.none()
        recipients = recipients.filter(unit_id=unit_id)
    return (
        Memo.objects.filter(Exists(recipients))
        .select_related("document", "document__unit", "sender_unit", "author")
        .order_by("-created_at", "-id")[:limit]
    )


def memo_list_sent(*, user: Viewer, unit_id: int, limit: int = 200) -> QuerySet[Memo]:
    if unit_id not in user_unit_ids(user):
        return Memo.objects.none()
    return (
        Memo.objects.filter(sender_unit_id=unit_id)
        .select_related("document", "document__unit", "sender_unit", "author")
        .prefetch_related("recipients__unit", "recipients__user")
        .order_by("-created_at", "-id")[:limit]
    )


def memo_template_list() -> QuerySet[MemoTemplate]:
    return MemoTemplate.objects.filter(is_active=True).order_by("title")


# --- circulars -------------------------------------------------------------------------------


def circular_queryset_visible(user: Viewer) -> QuerySet[Circular]:
    """Circulars the person received, or that their current units sent."""
    if not user_is_staff(user):
        return Circular.objects.none()
    received = CircularReceipt.objects.filter(circular=OuterRef("pk"), user_id=user.pk)
    return Circular.objects.filter(Q(sender_unit_id__in=user_unit_ids(user)) | Q(Exists(received)))


def circular_get_visible(*, user: Viewer, circular_id: int) -> Circular:
    circular = (
        circular_queryset_visible(user)
        .select_related("document", "document__unit", "sender_unit", "author")
        .filter(pk=circular_id)
        .first()
    )
    if circular is None:
        raise NotFound
    return circular


def circular_user_is_sender(*, user: Viewer, circular: Circular) -> bool:
    return circular.sender_unit_id in user_unit_ids(user)


def circular_user_can_remind(*, user: Viewer, circular: Circular) -> bool:
    return circular.sender_unit_id in user_managed_unit_ids(user)


def circular_receipt_for(*, user: Viewer, circular: Circular) -> CircularReceipt | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return CircularReceipt.objects.filter(circular=circular, user_id=user.pk).first()


def circular_receipt_queryset_received(*, user: Viewer) -> QuerySet[CircularReceipt]:
    """The person's receipts with their circulars, newest circular first."""
    return (
        CircularReceipt.objects.filter(user_id=int(user.pk or 0))
        .select_related("circular", "circular__document", "circular__document__unit", "circular__sender_unit")
        .order_by("-circular__created_at", "-id")
    )


def circular_list_received(*, user: Viewer, limit: int = 200) -> QuerySet[CircularReceipt]:
    return circular_receipt_queryset_received(user=user)[:limit]


def circular_list_awaiting_acknowledgement(*, user: Viewer, limit: int = 10) -> QuerySet[CircularReceipt]:
    """Circulars that ask this person for a "ciente" not given yet (the staff home's list)."""
    return (
        CircularReceipt.objects.filter(user_id=user.pk, acknowledged_at__isnull=True)
        .select_related("circular", "circular__sender_unit")
        .order_by("circular__acknowledge_by", "-circular__created_at", "-id")[:limit]
    )


def circular_queryset_sent(*, user: Viewer) -> QuerySet[Circular]:
    """Circulars the person's units sent, newest first, with `acknowledged`: how many gave a "ciente"."""
    return (
        Circular.objects.filter(sender_unit_id__in=user_unit_ids(user))
        .select_related("document", "document__unit", "sender_unit", "author")
        .annotate(acknowledged=Count("receipts", filter=Q(receipts__acknowledged_at__isnull=False)))
        .order_by("-created_at", "-id")
    )


def circular_list_sent(*, user: Viewer, limit: int = 200) -> QuerySet[Circular]:
    return circular_queryset_sent(user=user)[:limit]


@dataclass(frozen=True)
class ReceiptCounts:
    total: int
    acknowledged: int
    opened: int  # opened but not acknowledged
    pending: int  # not even opened


def circular_receipt_counts(*, circular: Circular) -> ReceiptCounts:
    """One aggregate query, whatever the number of recipients."""
    row = CircularReceipt.objects.filter(circular=circular).aggregate(
        total=Count("id"),
        acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
        opened=Count("id", filter=Q(acknowledged_at__isnull=True, opened_at__isnull=False)),
    )
    total, acknowledged, opened = row["total"], row["acknowledged"], row["opened"]
    return ReceiptCounts(
        total=total, acknowledged=acknowledged, opened=opened, pending=total - acknowledged - opened
    )


def _state_filter(state: str) -> Q:
    if state == ReceiptState.ACKNOWLEDGED:
        return Q(acknowledged_at__isnull=False)
    if state == ReceiptState.OPENED:
        return Q(acknowledged_at__isnull=True, opened_at__isnull=False)
    if state == ReceiptState.PENDING:
        return Q(acknowledged_at__isnull=True, opened_at__isnull=True)
    return Q()


def circular_receipt_list(
    *, circular: Circular, state: str = "", query: str = ""
) -> QuerySet[CircularReceipt]:
    """Receipts with their person, by name; `state` is a ReceiptState value (or "" for all)."""
    receipts = CircularReceipt.objects.filter(circular=circular).filter(_state_filter(state))
    if query.strip():
        receipts = receipts.filter(
            Q(user__full_name__icontains=query.strip()) | Q(user__email__icontains=query.strip())
        )
    return (
        receipts.select_related("user")
        .only(
            "id",
            "circular_id",
            "opened_at",
            "acknowledged_at",
            "reminded_at",
            "reminder_count",
            "user__id",
            "user__full_name",
            "user__email",
        )
        .order_by("user__full_name", "id")
    )


# --- unit history ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityItem:
    at: Any
    kind: str
    number: str
    subject: str
    url_name: str
    object_id: int
    other: str


def unit_activity(*, user: Viewer, unit_id: int, limit: int = 100) -> list[ActivityItem]:
    """Memos sent and received and circulars sent by one of the person's units, newest first."""
    if unit_id not in user_unit_ids(user):
        raise NotFound
    items: list[ActivityItem] = []
    sent = (
        Memo.objects.filter(sender_unit_id=unit_id)
        .select_related("document", "document__unit")
        .order_by("-created_at")[:limit]
    )
    for memo in sent:
        items.append(
            ActivityItem(
                memo.created_at,
                "memo_sent",
                memo.document.number,
                memo.subject,
                "comms:memo_detail",
                memo.pk,
                "",
            )
        )
    received = (
        Memo.objects.filter(Exists(MemoRecipient.objects.filter(memo=OuterRef("pk"), unit_id=unit_id)))
        .select_related("document", "document__unit", "sender_unit")
        .order_by("-created_at")[:limit]
    )
    for memo in received:
        items.append(
            ActivityItem(
                memo.created_at,
                "memo_received",
                memo.document.number,
                memo.subject,
                "comms:memo_detail",
                memo.pk,
                memo.sender_unit.acronym,
            )
        )
    circulars = (
        Circular.objects.filter(sender_unit_id=unit_id)
        .select_related("document", "document__unit")
        .order_by("-created_at")[:limit]
    )
    for circular in circulars:
        items.append(
            ActivityItem(
                circular.created_at,
                "circular_sent",
                circular.document.number,
                circular.subject,
                "comms:circular_detail",
                circular.pk,
                "",
            )
        )
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


# --- documents hook --------------------------------------------------------------------------


def comms_document_read_grant(user: Viewer, document: Any) -> Any:
    """Hook for tenant_apps.documents: addressees of a memo or circular may read its document."""
    from tenant_apps.documents.enums import DocumentKind
    from tenant_apps.documents.selectors import ReadGrant

    if not user_is_staff(user):
        return ReadGrant.NONE
    if document.kind == DocumentKind.MEMO:
        memo = Memo.objects.filter(document_id=document.pk).first()
        if memo is not None and memo_user_can_read(user=user, memo=memo):
            return ReadGrant.RELATED
    elif document.kind == DocumentKind.CIRCULAR:
        if CircularReceipt.objects.filter(circular__document_id=document.pk, user_id=user.pk).exists():
            return ReadGrant.RELATED
    return ReadGrant.NONE
