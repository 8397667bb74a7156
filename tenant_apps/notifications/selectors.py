"""Reads on notifications: what staff see on a case, their inbox, the editable texts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from .defaults import DEFAULT_TEMPLATES, TEMPLATE_LABELS
from .enums import TOKEN_HEADER, Channel
from .models import Notification, NotificationTemplate

INBOX_PAGE_SIZE = 100


def notification_list_for_subject(
    *, subject_kind: str, subject_id: int, include_inbox: bool = False
) -> QuerySet[Notification]:
    """Every message sent about one thing (e.g. a case), oldest first, with fallbacks.

    Staff inbox entries are left out unless asked for: the case page shows what reached the
    citizen (e-mail, SMS) and whether it was delivered and opened.
    """
    notifications = Notification.objects.filter(subject_kind=subject_kind, subject_id=subject_id)
    if not include_inbox:
        notifications = notifications.exclude(channel=Channel.INBOX)
    return notifications.select_related("recipient", "fallback_of", "fallback").order_by("created_at", "id")


def notification_sent_since(
    *, template_key: str, recipient_id: int, subject_kind: str, subject_id: int, since: dt.datetime
) -> bool:
    """Whether the person already got this message about this thing since `since` (daily reminders)."""
    return Notification.objects.filter(
        template_key=template_key,
        recipient_id=recipient_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        created_at__gte=since,
    ).exists()


def notification_list_inbox(*, user_id: int) -> QuerySet[Notification]:
    """A staff member's inbox, newest first (the page shows the latest INBOX_PAGE_SIZE)."""
    return Notification.objects.filter(recipient_id=user_id, channel=Channel.INBOX).order_by(
        "-created_at", "-id"
    )


def notification_inbox_unread_count(*, user_id: int) -> int:
    return notification_list_inbox(user_id=user_id).filter(read_at__isnull=True).count()


def notification_get_inbox_item(*, user_id: int, notification_id: int) -> Notification | None:
    return notification_list_inbox(user_id=user_id).filter(pk=notification_id).first()


def notification_get_by_token(*, token: str) -> Notification | None:
    return Notification.objects.filter(token=token).first()


def notification_get_for_ses_mail(*, mail: dict[str, Any]) -> Notification | None:
    """The e-mail an SES event is about: by SES message id, then by our token header."""
    emails = Notification.objects.filter(channel=Channel.EMAIL)
    message_id = mail.get("messageId")
    if isinstance(message_id, str) and message_id:
        found = emails.filter(provider_message_id=message_id).first()
        if found is not None:
            return found
    for header in mail.get("headers") or []:
        if isinstance(header, dict) and str(header.get("name", "")).lower() == TOKEN_HEADER.lower():
            found = emails.filter(token=str(header.get("value", ""))).first()
            if found is not None:
                return found
    common = mail.get("commonHeaders") if isinstance(mail.get("commonHeaders"), dict) else {}
    header_message_id = common.get("messageId") if common else None
    if isinstance(header_message_id, str) and header_message_id:
        return emails.filter(provider_message_id=header_message_id).first()
    return None


@dataclass(frozen=True)
class TemplateRow:
    key: str
    label: str
    is_custom: bool
    subject: str
    email_body: str
    sms_body: str


def notification_template_list() -> list[TemplateRow]:
    """Every message text the municipality can edit, its own version where it has one."""
    edited = {template.key: template for template in NotificationTemplate.objects.all()}
    rows = []
    for key, defaults in DEFAULT_TEMPLATES.items():
        own = edited.get(key)
        texts = (
            {"subject": own.subject, "email_body": own.email_body, "sms_body": own.sms_body}
            if own
            else defaults
        )
        rows.append(
            TemplateRow(key=key, label=str(TEMPLATE_LABELS.get(key, key)), is_custom=own is not None, **texts)
        )
    return rows


def notification_template_get(*, key: str) -> TemplateRow | None:
    return next((row for row in notification_template_list() if row.key == key), None)
