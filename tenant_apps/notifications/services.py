"""One place that records messages to people; delivery happens in jobs after commit (tasks.py).

Delivery state only moves forward: queued -> sent -> delivered -> opened -> clicked, or to a
failure. Opens and clicks count once (the first). Provider events carry the provider's id and
are applied at most once (`NotificationEvent.provider_event_id` is unique), so a replayed
webhook changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from paco.jobs import enqueue_on_commit
from paco.schemas import current_tenant
from paco.usage import usage_record
from tenant_apps.accounts.models import User
from tenant_apps.org.selectors import municipal_admins

from .defaults import DEFAULT_TEMPLATES
from .enums import Channel, DeliveryStatus, EventKind, SubjectKind
from .models import DigestRun, Notification, NotificationEvent, NotificationTemplate

_engine = Engine(autoescape=False, libraries={}, builtins=["django.template.defaultfilters"])

# Tags that could reach files or dump the whole context into a message to a citizen.
_FORBIDDEN_TAGS = re.compile(r"{%-?\s*(load|include|extends|debug|ssi|templatetag)\b")
_PENDING_DELIVERY = (DeliveryStatus.QUEUED, DeliveryStatus.TEMPORARY_FAILURE)
_BEFORE_DELIVERED = (DeliveryStatus.QUEUED, DeliveryStatus.SENT, DeliveryStatus.TEMPORARY_FAILURE)
# Billable messages (usage metric per channel); a notification is billed once, when first sent.
_METERED_CHANNELS: dict[str, str] = {Channel.EMAIL: "emails", Channel.SMS: "sms"}


@dataclass(frozen=True)
class EmailAttachment:
    """A text file sent with an e-mail (e.g. a calendar invitation, `text/calendar; method=REQUEST`)."""

    filename: str
    content_type: str
    content: str

    def as_json(self) -> dict[str, str]:
        return {"filename": self.filename, "content_type": self.content_type, "content": self.content}


def template_texts(*, key: str) -> dict[str, str]:
    """The municipality's edited texts for `key`, or the defaults."""
    edited = NotificationTemplate.objects.filter(key=key).first()
    if edited is not None:
        return {"subject": edited.subject, "email_body": edited.email_body, "sms_body": edited.sms_body}
    if key not in DEFAULT_TEMPLATES:
        raise ApplicationError(_("Modelo de notificação desconhecido: %(key)s.") % {"key": key})
    return DEFAULT_TEMPLATES[key]


def render_text(*, source: str, context: dict[str, Any]) -> str:
    return _engine.from_string(source).render(Context(context)).strip()


def token_new() -> str:
    return secrets.token_urlsafe(18)[:24]


@transaction.atomic
def event_record(
    *,
    notification: Notification,
    kind: str,
    detail: dict[str, Any] | None = None,
    provider_event_id: str | None = None,
    occurred_at: dt.datetime | None = None,
) -> NotificationEvent:
    return NotificationEvent.objects.create(
        notification=notification,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        detail=detail or {},
        provider_event_id=provider_event_id,
    )


@dataclass(frozen=True)
class Recipient:
    """Who a notification goes to: an account, and/or the addresses to use instead of its own.

    An anonymous ombudsman filer has no account, only the e-mail or phone they gave.
    """

    user: User | None = None
    email: str = ""
    phone: str = ""


def _consent_refusals(*, user_ids: list[int], template_key: str) -> frozenset[tuple[int, str]]:
    """(user id, channel) pairs the people withdrew consent for (LGPD art. 8 § 5º), from the
    function named in settings NOTIFICATION_CONSENT_REFUSALS (the privacy module's), in one query."""
    hook = getattr(settings, "NOTIFICATION_CONSENT_REFUSALS", "")
    if not hook or not user_ids:
        return frozenset()
    return frozenset(import_string(hook)(user_ids=user_ids, template_key=template_key))


def _recipient(person: User | Recipient) -> Recipient:
    return person if isinstance(person, Recipient) else Recipient(user=person)


def _notification_rows(
    *,
    texts: dict[str, str],
    recipient: Recipient,
    channels: tuple[str, ...],
    context: dict[str, Any],
    common: dict[str, Any],
    attachments: list[dict[str, str]] | None = None,
    refused: frozenset[tuple[int, str]] = frozenset(),
) -> list[Notification]:
    """The unsaved notifications of one person, one per channel that has an address (and that the
    person has not refused: `refused` holds (user id, channel) pairs from the consent hook)."""
    user = recipient.user
    email = recipient.email or (user.email if user is not None else "")
    if email.endswith(".invalid"):  # RFC 2606: a placeholder (e.g. a requester served at the counter)
        email = ""
    phone = recipient.phone or (user.phone if user is not None else "")
    link_url = common["link_url"]
    full_context = {
        "recipient_name": user.first_name if user is not None else "",
        "link": link_url,
        **context,
    }
    subject = render_text(source=texts["subject"], context=full_context)[:300]
    addresses: dict[str, str] = {Channel.EMAIL: email, Channel.SMS: phone, Channel.INBOX: ""}
    rows: list[Notification] = []
    for channel in channels:
        address = addresses.get(channel, "")
        if channel == Channel.INBOX and user is None:
            continue
        if channel in (Channel.EMAIL, Channel.SMS) and not address:
            continue
        if user is not None and (user.pk, channel) in refused:
            continue
        body_source = texts["sms_body"] if channel == Channel.SMS else texts["email_body"]
        has_fallback = (
            channel == Channel.EMAIL
            and bool(phone)
            and Channel.SMS not in channels
            and (user is None or (user.pk, Channel.SMS) not in refused)
        )
        rows.append(
            Notification(
                recipient=user,
                channel=channel,
                address=address,
                subject=subject,
                body=render_text(source=body_source, context=full_context),
                token=token_new(),
                status=DeliveryStatus.DELIVERED if channel == Channel.INBOX else DeliveryStatus.QUEUED,
                fallback_address=phone[:20] if has_fallback else "",
                fallback_body=render_text(source=texts["sms_body"], context=full_context)
                if has_fallback
                else "",
                attachments=list(attachments or []) if channel == Channel.EMAIL else [],
                **common,
            )
        )
    return rows


@transaction.atomic
def notification_queue_bulk(
    *,
    template_key: str,
    context: dict[str, Any],
    recipients: Sequence[User | Recipient],
    channels: Iterable[str] = (Channel.EMAIL,),
    link_url: str = "",
    subject_kind: str = "",
    subject_id: int | None = None,
    attachments: Sequence[EmailAttachment] = (),
) -> list[Notification]:
    """Record one notification per person and channel that has an address, in a few queries, and
    deliver them after commit. `attachments` go with the e-mails only.

    `context` feeds the (editable) template; `link_url` is the page the person should open
    (tracked through a redirect). An inbox notification needs an account. An e-mail to someone
    with a phone (and no SMS in `channels`) keeps the SMS text ready, so that a permanently failed
    e-mail falls back to SMS. A circular to 5,000 people is a handful of INSERTs.
    """
    texts = template_texts(key=template_key)
    unique_channels = tuple(dict.fromkeys(channels))
    common = {
        "template_key": template_key,
        "link_url": link_url,
        "subject_kind": subject_kind,
        "subject_id": subject_id,
    }
    people = [_recipient(person) for person in recipients]
    refused = _consent_refusals(
        user_ids=[person.user.pk for person in people if person.user is not None], template_key=template_key
    )
    rows = [
        row
        for person in people
        for row in _notification_rows(
            texts=texts,
            recipient=person,
            channels=unique_channels,
            context=context,
            common=common,
            attachments=[item.as_json() for item in attachments],
            refused=refused,
        )
    ]
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    now = timezone.now()
    NotificationEvent.objects.bulk_create(
        [NotificationEvent(notification=row, kind=EventKind.QUEUED, occurred_at=now) for row in created],
        batch_size=1000,
    )
    for row in created:
        if row.channel != Channel.INBOX:
            _deliver_on_commit(row)
    return created


@transaction.atomic
def notification_queue(
    *,
    template_key: str,
    context: dict[str, Any],
    recipient: User | None = None,
    channels: Iterable[str] = (Channel.EMAIL,),
    email: str = "",
    phone: str = "",
    link_url: str = "",
    subject_kind: str = "",
    subject_id: int | None = None,
    attachments: Sequence[EmailAttachment] = (),
) -> list[Notification]:
    """`notification_queue_bulk` for one person (an account, or just an e-mail and/or a phone).

    `attachments` go with the e-mail only (SMS and inbox carry the text)."""
    return notification_queue_bulk(
        template_key=template_key,
        context=context,
        recipients=[Recipient(user=recipient, email=email, phone=phone)],
        channels=channels,
        link_url=link_url,
        subject_kind=subject_kind,
        subject_id=subject_id,
        attachments=attachments,
    )


def _deliver_on_commit(notification: Notification) -> None:
    from .tasks import notification_deliver_task

    enqueue_on_commit(notification_deliver_task, notification_id=notification.pk)


def _locked(notification: Notification) -> Notification:
    return (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient")
        .get(pk=notification.pk)
    )


def _already_applied(provider_event_id: str | None) -> bool:
    return (
        bool(provider_event_id)
        and NotificationEvent.objects.filter(provider_event_id=provider_event_id).exists()
    )


def _provider_event_record(
    *,
    notification: Notification,
    kind: str,
    detail: dict[str, Any] | None,
    provider_event_id: str | None,
    occurred_at: dt.datetime | None,
) -> NotificationEvent | None:
    """The event, unless a concurrent delivery of the same provider event got there first."""
    try:
        with transaction.atomic():
            return event_record(
                notification=notification,
                kind=kind,
                detail=detail,
                provider_event_id=provider_event_id,
                occurred_at=occurred_at,
            )
    except IntegrityError:
        if provider_event_id and _already_applied(provider_event_id):
            return None
        raise


# Delivery attempts (called by delivery.py, inside its transaction holding the row lock).


@transaction.atomic
def notification_sent_record(
    *, notification: Notification, provider_message_id: str, detail: dict[str, Any] | None = None
) -> Notification:
    now = timezone.now()
    notification.status = DeliveryStatus.SENT
    notification.sent_at = now
    notification.provider_message_id = provider_message_id[:200]
    notification.attempts += 1
    notification.save(update_fields=["status", "sent_at", "provider_message_id", "attempts", "updated_at"])
    event_record(notification=notification, kind=EventKind.SENT, detail=detail, occurred_at=now)
    if notification.channel in _METERED_CHANNELS:
        usage_record(
            metric=_METERED_CHANNELS[notification.channel],
            key=f"notification:{notification.pk}",
            occurred_at=now,
        )
    return notification


@transaction.atomic
def notification_temporary_failure_record(
    *, notification: Notification, detail: dict[str, Any], count_attempt: bool = True
) -> Notification:
    if count_attempt:
        notification.attempts += 1
    if notification.status in _PENDING_DELIVERY + (DeliveryStatus.SENT,):
        notification.status = DeliveryStatus.TEMPORARY_FAILURE
    notification.save(update_fields=["status", "attempts", "updated_at"])
    event_record(notification=notification, kind=EventKind.TEMPORARY_FAILURE, detail=detail)
    return notification


@transaction.atomic
def notification_failure_record(
    *,
    notification: Notification,
    detail: dict[str, Any],
    kind: str = EventKind.FAILED,
    count_attempt: bool = False,
    provider_event_id: str | None = None,
    occurred_at: dt.datetime | None = None,
) -> Notification | None:
    """Mark the notification failed for good and, for an e-mail, fall back to SMS.

    Returns the fallback SMS notification, if one was queued.
    """
    if count_attempt:
        notification.attempts += 1
    notification.status = DeliveryStatus.FAILED
    notification.save(update_fields=["status", "attempts", "updated_at"])
    event = _provider_event_record(
        notification=notification,
        kind=kind,
        detail=detail,
        provider_event_id=provider_event_id,
        occurred_at=occurred_at,
    )
    if event is None:
        return None
    return notification_fallback_queue(notification=notification)


@transaction.atomic
def notification_fallback_queue(*, notification: Notification) -> Notification | None:
    """A failed e-mail is sent again as an SMS (once), when the person has a mobile number."""
    if notification.channel != Channel.EMAIL or not notification.fallback_address:
        return None
    if Notification.objects.filter(fallback_of=notification).exists():
        return None
    sms = Notification.objects.create(
        recipient=notification.recipient,
        channel=Channel.SMS,
        address=notification.fallback_address,
        template_key=notification.template_key,
        subject=notification.subject,
        body=notification.fallback_body or f"{notification.subject} {notification.link_url}".strip(),
        link_url=notification.link_url,
        subject_kind=notification.subject_kind,
        subject_id=notification.subject_id,
        token=token_new(),
        status=DeliveryStatus.QUEUED,
        fallback_of=notification,
    )
    event_record(notification=notification, kind=EventKind.FALLBACK, detail={"notification": sms.pk})
    event_record(notification=sms, kind=EventKind.QUEUED, detail={"fallback_of": notification.pk})
    _deliver_on_commit(sms)
    return sms


# Tracking (pixel, link) and provider events (SES through SNS).


class ProviderOutcome(StrEnum):
    """What a provider (or our own tracking pixel and link) says happened to a message."""

    DELIVERED = "delivered"
    OPENED = "opened"
    CLICKED = "clicked"
    BOUNCED = "bounced"  # permanent: the address does not take mail
    DELAYED = "delayed"  # transient bounce or delivery delay
    REJECTED = "rejected"  # the provider refused it after accepting it (SES Reject, Rendering Failure)
    COMPLAINED = "complained"  # the person marked it as spam


@dataclass(frozen=True)
class _OutcomeRule:
    event_kind: str
    # the timestamp the outcome sets, once: a later event of the same outcome changes nothing
    stamp: str = ""
    # the statuses it moves the notification to, from the statuses it may come from (empty: any)
    status: str = ""
    status_from: tuple[str, ...] = ()
    status_not_from: tuple[str, ...] = ()
    falls_back: bool = False  # a failed e-mail is sent again by SMS


_OUTCOME_RULES: dict[ProviderOutcome, _OutcomeRule] = {
    ProviderOutcome.DELIVERED: _OutcomeRule(
        EventKind.DELIVERED,
        stamp="delivered_at",
        status=DeliveryStatus.DELIVERED,
        status_from=_BEFORE_DELIVERED,
    ),
    # approximate: mail clients block images
    ProviderOutcome.OPENED: _OutcomeRule(
        EventKind.OPENED,
        stamp="opened_at",
        status=DeliveryStatus.OPENED,
        status_not_from=(DeliveryStatus.CLICKED,),
    ),
    ProviderOutcome.CLICKED: _OutcomeRule(
        EventKind.CLICKED, stamp="clicked_at", status=DeliveryStatus.CLICKED
    ),
    ProviderOutcome.BOUNCED: _OutcomeRule(EventKind.BOUNCED, status=DeliveryStatus.FAILED, falls_back=True),
    ProviderOutcome.DELAYED: _OutcomeRule(
        EventKind.TEMPORARY_FAILURE, status=DeliveryStatus.TEMPORARY_FAILURE, status_from=_BEFORE_DELIVERED
    ),
    ProviderOutcome.REJECTED: _OutcomeRule(EventKind.FAILED, status=DeliveryStatus.FAILED, falls_back=True),
    # recorded for staff; the delivery state stays
    ProviderOutcome.COMPLAINED: _OutcomeRule(EventKind.COMPLAINED),
}


@transaction.atomic
def notification_outcome_record(
    *,
    notification: Notification,
    outcome: ProviderOutcome,
    provider_event_id: str | None = None,
    occurred_at: dt.datetime | None = None,
    detail: dict[str, Any] | None = None,
) -> NotificationEvent | None:
    """Apply what the provider (or our tracking) reports, at most once per provider event.

    The row is locked; a replayed provider event, or a second open/click/delivery, changes nothing
    and returns None. Delivery state only moves forward (see `_OUTCOME_RULES`); a permanent failure
    of an e-mail falls back to SMS.
    """
    rule = _OUTCOME_RULES[outcome]
    notification = _locked(notification)
    if _already_applied(provider_event_id):
        return None
    if rule.stamp and getattr(notification, rule.stamp) is not None:
        return None
    when = occurred_at or timezone.now()
    changed: list[str] = []
    if rule.stamp:
        setattr(notification, rule.stamp, when)
        changed.append(rule.stamp)
    current = notification.status
    if (
        rule.status
        and (not rule.status_from or current in rule.status_from)
        and current not in rule.status_not_from
    ):
        notification.status = rule.status
        changed.append("status")
    if changed:
        notification.save(update_fields=[*changed, "updated_at"])
    event = _provider_event_record(
        notification=notification,
        kind=rule.event_kind,
        detail=detail,
        provider_event_id=provider_event_id,
        occurred_at=when,
    )
    if event is not None and rule.falls_back:
        notification_fallback_queue(notification=notification)
    return event


# Staff inbox.


@transaction.atomic
def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    """Only the recipient's own inbox notifications; the first reading time stays."""
    if notification.channel != Channel.INBOX or notification.recipient_id != user.pk:
        raise ApplicationError(_("Esta notificação não é sua."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


# Editable texts (municipal admin).


def _template_source_check(field: str, label: str, source: str) -> None:
    forbidden = _FORBIDDEN_TAGS.search(source)
    if forbidden:
        raise ApplicationError(
            _("%(label)s: a tag “%(tag)s” não é permitida nos modelos de notificação.")
            % {"label": label, "tag": forbidden.group(1)},
            extra={"field": field},
        )
    try:
        _engine.from_string(source)
    except TemplateSyntaxError as error:
        raise ApplicationError(
            _("%(label)s: erro de sintaxe no modelo (%(error)s). Confira as marcações {{ }} e {%% %%}.")
            % {"label": label, "error": error},
            extra={"field": field},
        ) from error


@transaction.atomic
def notification_template_save(
    *, key: str, subject: str, email_body: str, sms_body: str
) -> NotificationTemplate:
    """Save the municipality's own texts for `key`; nothing is saved if any of them does not compile."""
    if key not in DEFAULT_TEMPLATES:
        raise ApplicationError(_("Modelo de notificação desconhecido: %(key)s.") % {"key": key})
    texts = {"subject": subject.strip(), "email_body": email_body.strip(), "sms_body": sms_body.strip()}
    labels = {"subject": _("Assunto"), "email_body": _("Texto do e-mail"), "sms_body": _("Texto do SMS")}
    for field, source in texts.items():
        if not source:
            raise ApplicationError(
                _("%(label)s: preencha este campo.") % {"label": labels[field]}, extra={"field": field}
            )
        _template_source_check(field, labels[field], source)
    if len(texts["subject"]) > 200:
        raise ApplicationError(_("Assunto: use no máximo 200 caracteres."), extra={"field": "subject"})
    if len(texts["sms_body"]) > 320:
        raise ApplicationError(_("Texto do SMS: use no máximo 320 caracteres."), extra={"field": "sms_body"})
    template, _created = NotificationTemplate.objects.update_or_create(key=key, defaults=texts)
    return template


@transaction.atomic
def notification_template_reset(*, key: str) -> None:
    """Back to the default texts (deletes the municipality's copy)."""
    if key not in DEFAULT_TEMPLATES:
        raise ApplicationError(_("Modelo de notificação desconhecido: %(key)s.") % {"key": key})
    NotificationTemplate.objects.filter(key=key).delete()


# Staff e-mail digest.


@transaction.atomic
def staff_digest_send(
    *, user: User, period: dt.date, link_url: str, now: dt.datetime | None = None
) -> DigestRun | None:
    """One e-mail per staff member and period with their unread inbox since the last digest.

    Idempotent per period (`DigestRun` is unique per user and period): a second run sends nothing.
    Nothing unread and new: no e-mail and no run, so a later run in the period may still send.
    """
    if DigestRun.objects.filter(user=user, period=period).exists():
        return None
    now = now or timezone.now()
    last = DigestRun.objects.filter(user=user).order_by("-covers_until").first()
    items = Notification.objects.filter(
        recipient=user, channel=Channel.INBOX, read_at__isnull=True, created_at__lte=now
    )
    if last is not None:
        items = items.filter(created_at__gt=last.covers_until)
    item_list = list(items.order_by("created_at", "id"))
    if not item_list:
        return None
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(
                user=user, period=period, covers_until=now, item_count=len(item_list)
            )
    except IntegrityError:
        return None  # a concurrent run of the same period won
    queued = notification_queue(
        template_key="staff_digest",
        context={"count": len(item_list), "items": item_list},
        recipient=user,
        channels=(Channel.EMAIL,),
        link_url=link_url,
        subject_kind=SubjectKind.DIGEST,
        subject_id=run.pk,
    )
    if queued:
        run.notification = queued[0]
        run.save(update_fields=["notification", "updated_at"])
    return run


def staff_digests_send(*, period: dt.date | None = None, now: dt.datetime | None = None) -> list[DigestRun]:
    """The digest of every active staff member of the current municipality with unread inbox items.

    Each person is their own transaction: one failure does not hold back everyone else's digest.
    """
    from django.urls import reverse

    from paco.schemas import current_tenant
    from tenant_apps.accounts.enums import UserKind
    from tenant_apps.accounts.models import User
    from tenants.selectors import municipality_base_url

    period = period or timezone.localdate()
    link_url = f"{municipality_base_url(current_tenant())}{reverse('notifications:staff_inbox')}"
    people = (
        User.objects.filter(
            kind=UserKind.STAFF,
            is_active=True,
            notifications__channel=Channel.INBOX,
            notifications__read_at__isnull=True,
        )
        .distinct()
        .order_by("pk")
    )
    runs = []
    for user in people:
        run = staff_digest_send(user=user, period=period, link_url=link_url, now=now)
        if run is not None:
            runs.append(run)
    return runs


def notifications_requeue_stale(*, now: dt.datetime | None = None) -> int:
    """The outbox sweep (issue 10): send again what waits too long; returns how many.

    The notification row is the outbox: it is committed with the action, and its delivery job is
    sent after the commit. If the process dies in between (or the broker loses the message), the row
    stays `queued`; this sweep enqueues it again. Idempotent with delivery: `notification_deliver`
    locks the row and sends only what is still waiting, so a duplicate job is a no-op. Rows being
    sent right now (locked) are skipped; each row swept is touched so the next sweep waits again.
    """
    from django.conf import settings
    from django.db.models import Q

    from .tasks import notification_deliver_task

    now = now or timezone.now()
    queued_before = now - dt.timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER_SECONDS)
    failed_before = now - dt.timedelta(seconds=settings.NOTIFICATION_TEMPORARY_REQUEUE_AFTER_SECONDS)
    with transaction.atomic():
        stale = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=DeliveryStatus.QUEUED, updated_at__lte=queued_before)
                | Q(status=DeliveryStatus.TEMPORARY_FAILURE, updated_at__lte=failed_before)
            )
            .exclude(channel=Channel.INBOX)
            .order_by("pk")
            .values_list("pk", flat=True)[: settings.NOTIFICATION_REQUEUE_BATCH]
        )
        Notification.objects.filter(pk__in=stale).update(updated_at=now)
        for notification_id in stale:
            enqueue_on_commit(notification_deliver_task, notification_id=notification_id)
    return len(stale)


def custom_domain_verified_notify(
    *, hostname: str, verified_at: dt.datetime, link_url: str
) -> list[Notification]:
    """Tell the current city's municipal admins (e-mail and inbox, the editable text
    "custom_domain_verified") that their own domain passed the DNS check (issue 18). Called by
    `tenants.services` through the setting CUSTOM_DOMAIN_VERIFIED_NOTIFY, in the city's schema and in
    the transaction that records the verification (so once per domain)."""
    tenant = current_tenant()
    return notification_queue_bulk(
        template_key="custom_domain_verified",
        context={
            "hostname": hostname,
            "verified_at": verified_at,
            "municipality_name": getattr(tenant, "display_name", ""),
        },
        recipients=list(municipal_admins()),
        channels=(Channel.EMAIL, Channel.INBOX),
        link_url=link_url,
        subject_kind=SubjectKind.CUSTOM_DOMAIN,
    )
