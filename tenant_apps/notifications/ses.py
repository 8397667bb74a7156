"""Amazon SES events, as SNS delivers them, applied to our notifications.

Both SES formats are read: configuration-set event publishing (`eventType`: Send, Delivery,
Bounce, Complaint, Open, Click, Reject, Rendering Failure, DeliveryDelay) and identity
notifications (`notificationType`: Delivery, Bounce, Complaint). The e-mail is found by the SES
message id we stored when sending, or by our token header. Each SNS message is applied once
(its MessageId becomes the event's `provider_event_id`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.dateparse import parse_datetime

from .models import NotificationEvent
from .selectors import notification_get_for_ses_mail
from .services import (
    notification_bounce_record,
    notification_click_record,
    notification_complaint_record,
    notification_delivered_record,
    notification_open_record,
    notification_provider_failure_record,
)

_SECTIONS = {
    "Delivery": "delivery",
    "Bounce": "bounce",
    "Complaint": "complaint",
    "Open": "open",
    "Click": "click",
    "Reject": "reject",
    "Rendering Failure": "failure",
    "DeliveryDelay": "deliveryDelay",
}


def _timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def ses_event_apply(*, sns_message_id: str, ses_event: dict[str, Any]) -> NotificationEvent | None:
    """Apply one SES event; None when it is not ours, not tracked, or already applied."""
    event_type = str(ses_event.get("eventType") or ses_event.get("notificationType") or "")
    if event_type not in _SECTIONS:
        return None  # "Send", "Subscription", anything new: nothing to record
    notification = notification_get_for_ses_mail(mail=_dict(ses_event.get("mail")))
    if notification is None:
        return None
    section = _dict(ses_event.get(_SECTIONS[event_type]))
    common: dict[str, Any] = {
        "notification": notification,
        "provider_event_id": sns_message_id,
        "occurred_at": _timestamp(section.get("timestamp")),
    }
    if event_type == "Delivery":
        detail = {"provider": "ses", "smtp_response": str(section.get("smtpResponse", ""))[:300]}
        return notification_delivered_record(**common, detail=detail)
    if event_type == "Bounce":
        recipients = [_dict(item) for item in section.get("bouncedRecipients") or []]
        detail = {
            "provider": "ses",
            "bounce_type": str(section.get("bounceType", "")),
            "bounce_subtype": str(section.get("bounceSubType", "")),
            "diagnostic": str(recipients[0].get("diagnosticCode", ""))[:300] if recipients else "",
        }
        is_permanent = section.get("bounceType") == "Permanent"
        return notification_bounce_record(**common, is_permanent=is_permanent, detail=detail)
    if event_type == "DeliveryDelay":
        detail = {"provider": "ses", "delay_type": str(section.get("delayType", ""))}
        return notification_bounce_record(**common, is_permanent=False, detail=detail)
    if event_type == "Complaint":
        detail = {"provider": "ses", "feedback_type": str(section.get("complaintFeedbackType", ""))}
        return notification_complaint_record(**common, detail=detail)
    if event_type == "Open":
        return notification_open_record(**common, detail={"provider": "ses"})
    if event_type == "Click":
        return notification_click_record(**common, detail={"provider": "ses"})
    reason = str(section.get("reason") or section.get("errorMessage") or event_type)[:300]
    return notification_provider_failure_record(**common, detail={"provider": "ses", "reason": reason})
