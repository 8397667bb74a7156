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
from .services import ProviderOutcome, notification_outcome_record

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
    outcome, detail = _outcome(event_type, section)
    return notification_outcome_record(**common, outcome=outcome, detail=detail)


def _outcome(event_type: str, section: dict[str, Any]) -> tuple[ProviderOutcome, dict[str, Any]]:
    """What an SES event means for the e-mail, and what is kept of it for staff."""
    if event_type == "Delivery":
        return ProviderOutcome.DELIVERED, {
            "provider": "ses",
            "smtp_response": str(section.get("smtpResponse", ""))[:300],
        }
    if event_type == "Bounce":
        recipients = [_dict(item) for item in section.get("bouncedRecipients") or []]
        is_permanent = section.get("bounceType") == "Permanent"
        return ProviderOutcome.BOUNCED if is_permanent else ProviderOutcome.DELAYED, {
            "permanent": is_permanent,
            "provider": "ses",
            "bounce_type": str(section.get("bounceType", "")),
            "bounce_subtype": str(section.get("bounceSubType", "")),
            "diagnostic": str(recipients[0].get("diagnosticCode", ""))[:300] if recipients else "",
        }
    if event_type == "DeliveryDelay":
        return ProviderOutcome.DELAYED, {
            "permanent": False,
            "provider": "ses",
            "delay_type": str(section.get("delayType", "")),
        }
    if event_type == "Complaint":
        return ProviderOutcome.COMPLAINED, {
            "provider": "ses",
            "feedback_type": str(section.get("complaintFeedbackType", "")),
        }
    if event_type == "Open":
        return ProviderOutcome.OPENED, {"provider": "ses"}
    if event_type == "Click":
        return ProviderOutcome.CLICKED, {"provider": "ses"}
    reason = str(section.get("reason") or section.get("errorMessage") or event_type)[:300]
    return ProviderOutcome.REJECTED, {"provider": "ses", "reason": reason}
