"""Reads of the payments module."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from paco.encryption import decrypt
from paco.viewer import Viewer

from .enums import GuideStatus
from .models import GuideEvent, PaymentGuide, PixSettings, PspCredentials, Refund, WebhookEvent


def pix_settings_get() -> PixSettings | None:
    return PixSettings.objects.order_by("id").first()


def pix_webhook_secret() -> str:
    """The city's webhook secret in clear (the demo bank signs with it; never shown or logged)."""
    row = pix_settings_get()
    return decrypt(row.webhook_secret_encrypted) if row else ""


def guide_for(*, purpose: str, reference: str) -> PaymentGuide | None:
    """The guide that settles `purpose`/`reference`: the paid one if any, else the pending one,
    else the most recent (cancelled or expired); None when none was issued."""
    guides = list(
        PaymentGuide.objects.filter(purpose=purpose, reference=str(reference)).order_by("-created_at", "-id")
    )
    for status in (GuideStatus.PAID, GuideStatus.PENDING):
        for guide in guides:
            if guide.status == status:
                return guide
    return guides[0] if guides else None


def guide_by_number(*, year: int, number: int) -> PaymentGuide | None:
    return PaymentGuide.objects.select_related("owner").filter(year=year, number=number).first()


def guide_of_owner(*, user: Viewer, year: int, number: int) -> PaymentGuide | None:
    """A guide as its owner sees it; None for anyone else (a 404, never someone else's guide)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return PaymentGuide.objects.filter(year=year, number=number, owner_id=user.pk).first()


def guides_of_owner(*, user: Viewer) -> QuerySet[PaymentGuide]:
    return PaymentGuide.objects.filter(owner_id=user.pk).order_by("-year", "-number")


def guide_list(
    *,
    status: str = "",
    purpose: str = "",
    year: int | None = None,
    search: str = "",
    due_from: dt.date | None = None,
    due_until: dt.date | None = None,
) -> QuerySet[PaymentGuide]:
    """Guides for staff, newest first, filtered."""
    guides = PaymentGuide.objects.all()
    if status:
        guides = guides.filter(status=status)
    if purpose:
        guides = guides.filter(purpose=purpose)
    if year:
        guides = guides.filter(year=year)
    if due_from:
        guides = guides.filter(due_date__gte=due_from)
    if due_until:
        guides = guides.filter(due_date__lte=due_until)
    search = search.strip()
    if search:
        number, _sep, year_text = search.partition("/")
        if number.isdigit():
            guides = guides.filter(number=int(number))
            if year_text.isdigit():
                guides = guides.filter(year=int(year_text))
        else:
            guides = guides.filter(reference=search) | guides.filter(payer_name__icontains=search)
    return guides.order_by("-year", "-number")


def guide_events(*, guide: PaymentGuide) -> QuerySet[GuideEvent]:
    return guide.events.select_related("actor").order_by("created_at", "id")


def guide_webhook_events(*, guide: PaymentGuide) -> QuerySet[WebhookEvent]:
    return guide.webhook_events.order_by("created_at", "id")


def guide_refunds(*, guide: PaymentGuide) -> QuerySet[Refund]:
    return guide.refunds.select_related("requested_by").order_by("created_at", "id")


def psp_credentials_get() -> PspCredentials | None:
    """The city's PSP row (its secrets stay encrypted: only provider.provider_config decrypts them)."""
    return PspCredentials.objects.order_by("id").first()


def psp_certificate_summary(*, pem: str) -> dict[str, Any] | None:
    """Who the stored client certificate names and until when it is valid (public facts only)."""
    if not pem:
        return None
    from cryptography import x509

    try:
        certificate = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        return None
    return {"subject": certificate.subject.rfc4514_string(), "not_after": certificate.not_valid_after_utc}
