"""Sending one notification on its channel, once; each attempt becomes an event.

`notification_deliver` runs in the job (tasks.py) inside the tenant that queued it. It locks the
notification row, so two workers never send the same message, and sends nothing for a
notification that is no longer waiting (a retry after success is a no-op). A temporary failure
(SMTP 4xx, connection errors, throttling) is recorded and then raised, so dramatiq retries with
backoff; after the last attempt it counts as permanent. A permanent failure (SMTP 5xx for the
recipient, an invalid phone) marks the notification failed, and a failed e-mail falls back to SMS.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from paco.schemas import current_schema_name, current_tenant
from tenants.selectors import municipality_base_url, municipality_primary_hostname

from .enums import TOKEN_HEADER, Channel, DeliveryStatus
from .models import Notification
from .services import (
    notification_failure_record,
    notification_sent_record,
    notification_temporary_failure_record,
)
from .sms import InvalidPhoneNumber, SmsError, aws_error_is_temporary, sms_sender
from .tasks import DELIVERY_MAX_RETRIES

logger = logging.getLogger(__name__)

# The job runs this many times at most: the first attempt and the retries of notification_deliver_task.
MAX_ATTEMPTS = DELIVERY_MAX_RETRIES + 1


class TemporaryDeliveryError(Exception):
    """Raised after recording a temporary failure, so that the job is retried later."""


@dataclass(frozen=True)
class Outcome:
    is_sent: bool
    is_temporary: bool = False
    provider_message_id: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def notification_deliver(*, notification_id: int) -> None:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.status not in (
            DeliveryStatus.QUEUED,
            DeliveryStatus.TEMPORARY_FAILURE,
        ):
            logger.info(
                "notification %s of %s: %s, nothing to send",
                notification_id,
                current_schema_name(),
                "not found" if notification is None else notification.status,
            )
            return
        if notification.channel == Channel.EMAIL:
            outcome = _email_send(notification)
        elif notification.channel == Channel.SMS:
            outcome = _sms_send(notification)
        else:
            return
        retry = _outcome_record(notification, outcome)
    if retry:
        raise TemporaryDeliveryError(
            f"notification {notification_id} of {current_schema_name()}: temporary failure, will retry"
        )


def _outcome_record(notification: Notification, outcome: Outcome) -> bool:
    """Record the attempt; True when the job should raise to be retried."""
    if outcome.is_sent:
        notification_sent_record(
            notification=notification,
            provider_message_id=outcome.provider_message_id,
            detail=outcome.detail,
        )
        return False
    if outcome.is_temporary and notification.attempts + 1 < MAX_ATTEMPTS:
        notification_temporary_failure_record(notification=notification, detail=outcome.detail)
        return True
    detail = outcome.detail if not outcome.is_temporary else {**outcome.detail, "gave_up": True}
    notification_failure_record(notification=notification, detail=detail, count_attempt=True)
    return False


def tracking_urls(notification: Notification) -> tuple[str, str]:
    """(tracked link, open pixel) on the municipality's own host."""
    base = municipality_base_url(current_tenant())
    kwargs = {"notification_token": notification.token}
    return (
        f"{base}{reverse('notifications:link', kwargs=kwargs)}",
        f"{base}{reverse('notifications:pixel', kwargs=kwargs)}",
    )


def _link_rewrite(text: str, link_url: str, tracked_url: str) -> str:
    return text.replace(link_url, tracked_url) if link_url else text


def _html_paragraphs(text: str, tracked_url: str) -> list[SafeString]:
    anchor = f'<a href="{escape(tracked_url)}">{escape(tracked_url)}</a>'
    paragraphs = []
    for block in text.split("\n\n"):
        html = str(escape(block.strip()))
        if tracked_url:
            html = html.replace(escape(tracked_url), anchor)
        paragraphs.append(mark_safe(html.replace("\n", "<br>\n")))  # noqa: S308 - escaped above
    return [paragraph for paragraph in paragraphs if paragraph]


def email_message_build(notification: Notification) -> EmailMultiAlternatives:
    """Plain text and HTML, both with the tracked link; the HTML with the open pixel."""
    municipality = current_tenant()
    tracked_url, pixel_url = tracking_urls(notification)
    if not notification.link_url:
        tracked_url = ""
    text = _link_rewrite(notification.body, notification.link_url, tracked_url)
    html = render_to_string(
        "notifications/email.html",
        {
            "subject": notification.subject,
            "paragraphs": _html_paragraphs(text, tracked_url),
            "button_url": tracked_url if tracked_url and tracked_url not in text else "",
            "pixel_url": pixel_url,
            "municipality_name": municipality.display_name,
            "primary_color": municipality.primary_color,
        },
    )
    message_id = f"<{notification.token}@{municipality_primary_hostname(municipality)}>"
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        headers={
            "Message-ID": message_id,
            TOKEN_HEADER: notification.token,
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    for item in notification.attachments or []:
        message.attach(item["filename"], item["content"], item["content_type"])
    return message


def _email_send(notification: Notification) -> Outcome:
    message = email_message_build(notification)
    try:
        message.connection = get_connection(fail_silently=False)
        message.send()
    except Exception as error:  # classified below; anything unknown is raised again
        return _email_error_outcome(error)
    status = getattr(message, "anymail_status", None)
    provider_id = str(getattr(status, "message_id", "") or "") or str(message.extra_headers["Message-ID"])
    return Outcome(is_sent=True, provider_message_id=provider_id)


def _email_error_outcome(error: Exception) -> Outcome:
    """SMTP 5xx for the recipient or the message is permanent; 4xx and connection problems are not."""
    detail: dict[str, Any] = {"error": type(error).__name__, "message": str(error)[:500]}
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [int(code) for code, _reply in error.recipients.values()]
        replies = [
            reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
            for _c, reply in error.recipients.values()
        ]
        detail.update(code=max(codes, default=0), message=" ".join(replies)[:500])
        return Outcome(is_sent=False, is_temporary=not codes or min(codes) < 500, detail=detail)
    if isinstance(error, smtplib.SMTPDataError):
        reply = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        detail.update(code=error.smtp_code, message=reply[:500])
        return Outcome(is_sent=False, is_temporary=error.smtp_code < 500, detail=detail)
    if isinstance(error, smtplib.SMTPException | OSError):
        # Sender refused, authentication, disconnects, refused connections: our side or the
        # server's, never the recipient's address; retry (and alert through the failed job).
        detail["code"] = getattr(error, "smtp_code", 0)
        return Outcome(is_sent=False, is_temporary=True, detail=detail)
    try:
        from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused
    except ImportError:  # pragma: no cover - anymail is a dependency
        raise error from None
    if isinstance(error, AnymailRecipientsRefused | AnymailInvalidAddress):
        return Outcome(is_sent=False, is_temporary=False, detail=detail)
    if isinstance(error, AnymailAPIError):
        cause = error.__cause__
        is_client_error = cause is not None and hasattr(cause, "response")
        temporary = aws_error_is_temporary(cause) if is_client_error else True
        if is_client_error:
            detail["code"] = str(getattr(cause, "response", {}).get("Error", {}).get("Code", ""))
        return Outcome(is_sent=False, is_temporary=temporary, detail=detail)
    raise error


def _sms_send(notification: Notification) -> Outcome:
    tracked_url, _pixel_url = tracking_urls(notification)
    text = _link_rewrite(notification.body, notification.link_url, tracked_url)
    try:
        message_id = sms_sender().send(phone=notification.address, message=text)
    except InvalidPhoneNumber as error:
        return Outcome(
            is_sent=False, is_temporary=False, detail={"error": "invalid_phone", "message": error.message}
        )
    except SmsError as error:
        return Outcome(
            is_sent=False,
            is_temporary=error.is_temporary,
            detail={"error": type(error).__name__, "code": error.code, "message": str(error)[:500]},
        )
    return Outcome(is_sent=True, provider_message_id=message_id)
