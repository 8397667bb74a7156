"""Tracking (open pixel, tracked link), the SES webhook, the staff inbox, the editable texts."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.decorators import staff_required
from paco.errors import ApplicationError
from tenant_apps.accounts.types import account
from tenant_apps.org.selectors import user_is_municipal_admin

from .forms import NotificationTemplateForm
from .selectors import (
    INBOX_PAGE_SIZE,
    notification_get_by_token,
    notification_get_inbox_item,
    notification_inbox_unread_count,
    notification_list_inbox,
    notification_template_get,
    notification_template_list,
)
from .services import (
    ProviderOutcome,
    notification_mark_read,
    notification_outcome_record,
    notification_template_reset,
    notification_template_save,
)
from .ses import ses_event_apply
from .sns import SnsMessageInvalid, sns_message_parse, sns_signature_verify, sns_subscription_confirm

logger = logging.getLogger(__name__)

# A transparent 1x1 GIF.
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@require_GET
@never_cache
def notification_pixel(request: HttpRequest, notification_token: str) -> HttpResponse:
    """The e-mail's open pixel: the first load marks it "aberta (aproximado)"."""
    notification = notification_get_by_token(token=notification_token)
    if notification is None:
        raise Http404
    notification_outcome_record(
        notification=notification, outcome=ProviderOutcome.OPENED, detail={"source": "pixel"}
    )
    return HttpResponse(PIXEL_GIF, content_type="image/gif")


@require_GET
@never_cache
def notification_link(request: HttpRequest, notification_token: str) -> HttpResponse:
    """The tracked link: records the first click and goes to the notification's own link, only."""
    notification = notification_get_by_token(token=notification_token)
    if notification is None:
        raise Http404
    notification_outcome_record(
        notification=notification, outcome=ProviderOutcome.CLICKED, detail={"source": "link"}
    )
    target = notification.link_url
    if not target or urlsplit(target).scheme not in ("http", "https"):
        target = reverse("portal:home")
    return HttpResponseRedirect(target)


@csrf_exempt
@require_POST
def ses_webhook(request: HttpRequest) -> HttpResponse:
    """Amazon SES events through an SNS HTTP(S) subscription; only genuine SNS messages count."""
    try:
        message = sns_message_parse(request.body)
        sns_signature_verify(message)
        if message["Type"] == "SubscriptionConfirmation":
            sns_subscription_confirm(message)
            logger.info("SES webhook: subscription to %s confirmed", message.get("TopicArn"))
            return HttpResponse(status=200)
    except SnsMessageInvalid as error:
        logger.warning("SES webhook: message refused (%s)", error)
        return HttpResponseBadRequest(_("Mensagem SNS inválida."), content_type="text/plain; charset=utf-8")
    if message["Type"] == "Notification":
        try:
            ses_event = json.loads(message["Message"])
        except ValueError:
            ses_event = None
        if isinstance(ses_event, dict):
            ses_event_apply(sns_message_id=str(message["MessageId"]), ses_event=ses_event)
    return HttpResponse(status=200)


@require_GET
@staff_required
def staff_inbox(request: HttpRequest) -> HttpResponse:
    user_id = int(request.user.pk or 0)
    return render(
        request,
        "notifications/staff_inbox.html",
        {
            "title": _("Notificações"),
            "notifications": notification_list_inbox(user_id=user_id)[:INBOX_PAGE_SIZE],
            "unread_count": notification_inbox_unread_count(user_id=user_id),
        },
    )


@require_POST
@staff_required
def staff_inbox_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Opening a notification marks it read and goes to what it is about (on this host)."""
    notification = notification_get_inbox_item(
        user_id=int(request.user.pk or 0), notification_id=notification_id
    )
    if notification is None:
        raise Http404
    notification_mark_read(notification=notification, user=account(request.user))
    parts = urlsplit(notification.link_url)
    if parts.path.startswith("/") and not parts.path.startswith("//"):
        return HttpResponseRedirect(urlunsplit(("", "", parts.path, parts.query, parts.fragment)))
    return redirect("notifications:staff_inbox")


def _require_municipal_admin(request: HttpRequest) -> None:
    if not user_is_municipal_admin(user_id=int(request.user.pk or 0)):
        raise Http404


@require_GET
@staff_required
def template_list(request: HttpRequest) -> HttpResponse:
    _require_municipal_admin(request)
    return render(
        request,
        "notifications/template_list.html",
        {"title": _("Modelos de notificação"), "templates": notification_template_list()},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def template_edit(request: HttpRequest, template_key: str) -> HttpResponse:
    _require_municipal_admin(request)
    row = notification_template_get(key=template_key)
    if row is None:
        raise Http404
    initial = {"subject": row.subject, "email_body": row.email_body, "sms_body": row.sms_body}
    form = NotificationTemplateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                notification_template_save(key=template_key, **form.cleaned_data)
            except ApplicationError as error:
                field: Any = error.extra.get("field")
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, _("Modelo “%(label)s” salvo.") % {"label": row.label})
                return redirect("notifications:template_list")
    return render(
        request,
        "notifications/template_edit.html",
        {"title": row.label, "row": row, "form": form, "defaults": _defaults(template_key)},
        status=400 if request.method == "POST" else 200,
    )


def _defaults(key: str) -> dict[str, str]:
    from .defaults import DEFAULT_TEMPLATES

    return DEFAULT_TEMPLATES[key]


@require_POST
@staff_required
def template_reset(request: HttpRequest, template_key: str) -> HttpResponse:
    _require_municipal_admin(request)
    row = notification_template_get(key=template_key)
    if row is None:
        raise Http404
    notification_template_reset(key=template_key)
    messages.success(request, _("Modelo “%(label)s” voltou ao texto padrão.") % {"label": row.label})
    return redirect("notifications:template_list")
