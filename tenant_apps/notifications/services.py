"""One place that records messages to people; delivery happens in jobs after commit (tasks.py)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.template import Context, Engine
from django.utils import timezone

from paco.errors import ApplicationError
from paco.jobs import enqueue_on_commit

from .defaults import DEFAULT_TEMPLATES
from .enums import Channel, DeliveryStatus, EventKind
from .models import Notification, NotificationEvent, NotificationTemplate

_engine = Engine(autoescape=False, libraries={}, builtins=["django.template.defaultfilters"])


def template_texts(key: str) -> dict[str, str]:
    """The municipality's edited texts for `key`, or the defaults."""
    edited = NotificationTemplate.objects.filter(key=key).first()
    if edited is not None:
        return {"subject": edited.subject, "email_body": edited.email_body, "sms_body": edited.sms_body}
    if key not in DEFAULT_TEMPLATES:
        raise ApplicationError(f"Modelo de notificação desconhecido: {key}.")
    return DEFAULT_TEMPLATES[key]


def render_text(source: str, context: dict[str, Any]) -> str:
    return _engine.from_string(source).render(Context(context)).strip()


def event_record(
    *,
    notification: Notification,
    kind: str,
    detail: dict[str, Any] | None = None,
    provider_event_id: str | None = None,
) -> NotificationEvent:
    return NotificationEvent.objects.create(
        notification=notification,
        kind=kind,
        occurred_at=timezone.now(),
        detail=detail or {},
        provider_event_id=provider_event_id,
    )


@transaction.atomic
def notification_queue(
    *,
    template_key: str,
    context: dict[str, Any],
    recipient: Any = None,
    channels: Iterable[str] = (Channel.EMAIL,),
    email: str = "",
    phone: str = "",
    link_url: str = "",
    subject_kind: str = "",
    subject_id: int | None = None,
) -> list[Notification]:
    """Record one notification per channel that has an address, and deliver them after commit.

    `context` feeds the (editable) template; `link_url` is the page the person should open
    (tracked through a redirect). An inbox notification needs a recipient account.
    """
    texts = template_texts(template_key)
    email = email or (getattr(recipient, "email", "") if recipient else "")
    phone = phone or (getattr(recipient, "phone", "") if recipient else "")
    full_context = {
        "recipient_name": getattr(recipient, "first_name", "") if recipient else "",
        "link": link_url,
        **context,
    }
    subject = render_text(texts["subject"], full_context)
    created: list[Notification] = []
    for channel in dict.fromkeys(channels):
        address = {Channel.EMAIL: email, Channel.SMS: phone, Channel.INBOX: ""}.get(channel, "")
        if channel == Channel.INBOX and recipient is None:
            continue
        if channel in (Channel.EMAIL, Channel.SMS) and not address:
            continue
        body_source = texts["sms_body"] if channel == Channel.SMS else texts["email_body"]
        notification = Notification.objects.create(
            recipient=recipient,
            channel=channel,
            address=address,
            template_key=template_key,
            subject=subject[:300],
            body=render_text(body_source, full_context),
            link_url=link_url,
            subject_kind=subject_kind,
            subject_id=subject_id,
            token=secrets.token_urlsafe(18)[:24],
            status=DeliveryStatus.DELIVERED if channel == Channel.INBOX else DeliveryStatus.QUEUED,
        )
        event_record(notification=notification, kind=EventKind.QUEUED)
        if channel != Channel.INBOX:
            from .tasks import notification_deliver_task

            enqueue_on_commit(notification_deliver_task, notification_id=notification.pk)
        created.append(notification)
    return created
