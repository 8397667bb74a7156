"""Writes of the payments module: the city's Pix settings, fee guides (DAM) and their payment.

Guides are numbered per city and year without gaps (one UPSERT on `GuideCounter` inside the
issuing transaction: a rolled-back issue gives its number back). A guide is paid by the bank's
notice (`webhook_receive`) or by staff with a reason (`guide_mark_paid`); either way the
purpose's handler runs in a job after commit (`tasks.guide_paid_task`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import string
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from paco.encryption import decrypt, encrypt
from paco.errors import ApplicationError
from paco.jobs import enqueue_on_commit
from tenant_apps.accounts.models import User

from . import purposes
from .brcode import MAX_TXID, BrCodeError, amount_text, brcode_build
from .enums import GuideEventKind, GuideStatus, WebhookOutcome
from .models import GuideEvent, PaymentGuide, PixSettings, WebhookEvent
from .provider import pix_provider
from .validators import document_digits, pix_key_normalize

logger = logging.getLogger(__name__)

MAX_AMOUNT = Decimal("9999999999.99")
PROVIDER_TXID_LENGTH = 32  # the Pix API's txid: 26 to 35 letters and digits
SIGNATURE_HEADER = "X-Paco-Signature"
SIGNATURE_PREFIX = "sha256="
_ALPHABET = string.ascii_letters + string.digits


class PaymentError(ApplicationError):
    """A payment rule refused the operation (message in Portuguese)."""


class WebhookRefused(ApplicationError):
    """The notice is not from the city's provider (bad or missing signature): nothing recorded."""


class WebhookMalformed(ApplicationError):
    """The notice is not in the Pix API's shape: nothing recorded."""


def _field_error(message: str, name: str) -> PaymentError:
    return PaymentError(message, extra={"field": name})


# ------------------------------------------------------------------------------ Pix settings


@transaction.atomic
def pix_settings_save(*, key_type: str, key: str, merchant_name: str, merchant_city: str) -> PixSettings:
    """The city's Pix key and the name and city the payer's bank shows (ASCII, 25 and 15 chars)."""
    try:
        normalized = pix_key_normalize(key_type=key_type, key=key)
    except ValidationError as error:
        raise _field_error(error.messages[0], "key") from None
    name = " ".join(merchant_name.split())
    city = " ".join(merchant_city.split())
    if not name or len(name) > 25:
        raise _field_error(_("O nome do recebedor tem de 1 a 25 caracteres."), "merchant_name")
    if not city or len(city) > 15:
        raise _field_error(_("A cidade do recebedor tem de 1 a 15 caracteres."), "merchant_city")
    row = PixSettings.objects.select_for_update().order_by("id").first() or PixSettings()
    row.key_type = key_type
    row.key = normalized
    row.merchant_name = name
    row.merchant_city = city
    if not row.webhook_secret_encrypted:
        row.webhook_secret_encrypted = encrypt(secrets.token_urlsafe(32))
    row.save()
    return row


@transaction.atomic
def pix_webhook_secret_rotate() -> str:
    """A new webhook secret for the city; returned once (to give the provider), stored encrypted."""
    row = PixSettings.objects.select_for_update().order_by("id").first()
    if row is None:
        raise PaymentError(_("Cadastre a chave Pix da prefeitura antes de gerar o segredo do webhook."))
    secret = secrets.token_urlsafe(32)
    row.webhook_secret_encrypted = encrypt(secret)
    row.save(update_fields=["webhook_secret_encrypted", "updated_at"])
    return secret


def webhook_signature(*, secret: str, body: bytes) -> str:
    """The value of the X-Paco-Signature header for `body` (HMAC-SHA256, hex)."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# ------------------------------------------------------------------------------ guides


def _next_number(year: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO payments_guidecounter (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = payments_guidecounter.last + 1 RETURNING last",
            [year],
        )
        return int(cursor.fetchone()[0])


def _txid(*, year: int, number: int, length: int) -> str:
    prefix = f"DAM{year}{number:07d}"
    return prefix + "".join(secrets.choice(_ALPHABET) for _i in range(length - len(prefix)))


def _expires_in_seconds(due_date: dt.date) -> int:
    end = dt.datetime.combine(due_date + dt.timedelta(days=1), dt.time.min, timezone.get_current_timezone())
    return max(int((end - timezone.now()).total_seconds()), 60)


def _event(
    guide: PaymentGuide,
    kind: str,
    *,
    actor: User | None = None,
    reason: str = "",
    amount: Decimal | None = None,
) -> None:
    GuideEvent.objects.create(guide=guide, kind=kind, actor=actor, reason=reason[:300], amount=amount)


@transaction.atomic
def guide_issue(
    *,
    purpose: str,
    reference: str,
    payer_name: str,
    payer_document: str,
    amount: Decimal,
    description: str,
    due_date: dt.date | None = None,
    owner: User | None = None,
) -> PaymentGuide:
    """Issue a guide (DAM) for `amount` payable by Pix to the city's key.

    With a provider configured (PAYMENTS_PIX_API_URL) the charge is created at the PSP
    (`PUT /v2/cob/{txid}`) inside this transaction: a refusal rolls the guide and its number back.
    Without one, the BR Code is built here (static, with the guide's txid in field 62-05).
    One pending guide per purpose and reference: cancel it before issuing another.
    `owner` is the citizen account that sees and pays it on its page.
    """
    if not purposes.is_registered(purpose):
        raise PaymentError(_("Finalidade de pagamento desconhecida: %(purpose)s.") % {"purpose": purpose})
    reference = str(reference).strip()
    if not reference or len(reference) > 100:
        raise _field_error(_("A referência da guia tem de 1 a 100 caracteres."), "reference")
    payer_name = " ".join(payer_name.split())
    if not payer_name or len(payer_name) > 200:
        raise _field_error(_("Informe o nome do pagador (até 200 caracteres)."), "payer_name")
    try:
        document = document_digits(payer_document)
    except ValidationError as error:
        raise _field_error(error.messages[0], "payer_document") from None
    try:
        amount = Decimal(amount)
        amount_text(amount)
    except (BrCodeError, InvalidOperation):
        raise _field_error(
            _("Valor inválido: maior que zero, com no máximo duas casas decimais."), "amount"
        ) from None
    if amount > MAX_AMOUNT:
        raise _field_error(_("Valor alto demais para uma guia."), "amount")
    description = " ".join(description.split())
    if not description or len(description) > 200:
        raise _field_error(_("A descrição da guia tem de 1 a 200 caracteres."), "description")
    today = timezone.localdate()
    due_date = due_date or today + dt.timedelta(days=settings.PAYMENTS_GUIDE_DUE_DAYS)
    if due_date < today:
        raise _field_error(_("O vencimento não pode ser no passado."), "due_date")
    pix = PixSettings.objects.order_by("id").first()
    if pix is None:
        raise PaymentError(_("A prefeitura ainda não cadastrou sua chave Pix: não é possível emitir a guia."))
    if PaymentGuide.objects.filter(purpose=purpose, reference=reference, status=GuideStatus.PENDING).exists():
        raise PaymentError(_("Já existe uma guia aguardando pagamento para esta solicitação."))

    year = today.year
    number = _next_number(year)
    provider = pix_provider()
    location = ""
    if provider is None:
        txid = _txid(year=year, number=number, length=MAX_TXID)
        br_code = brcode_build(
            key=pix.key,
            merchant_name=pix.merchant_name,
            merchant_city=pix.merchant_city,
            amount=amount,
            txid=txid,
            description=f"DAM {number:06d}/{year}",
        )
    else:
        txid = _txid(year=year, number=number, length=PROVIDER_TXID_LENGTH)
        charge = provider.charge_create(
            txid=txid,
            key=pix.key,
            amount=amount,
            payer_name=payer_name,
            payer_document=document,
            description=f"DAM {number:06d}/{year} - {description}",
            expires_in_seconds=_expires_in_seconds(due_date),
        )
        br_code, location = charge.br_code, charge.location
    try:
        with transaction.atomic():
            guide = PaymentGuide.objects.create(
                year=year,
                number=number,
                purpose=purpose,
                reference=reference,
                owner=owner,
                payer_name=payer_name,
                payer_document=document,
                amount=amount,
                description=description,
                due_date=due_date,
                txid=txid,
                br_code=br_code,
                provider_location=location,
            )
    except IntegrityError:
        raise PaymentError(_("Já existe uma guia aguardando pagamento para esta solicitação.")) from None
    _event(guide, GuideEventKind.ISSUED, amount=amount)
    return guide


def _guide_locked(guide: PaymentGuide) -> PaymentGuide:
    return PaymentGuide.objects.select_for_update().get(pk=guide.pk)


@transaction.atomic
def guide_cancel(*, guide: PaymentGuide, reason: str, actor: User | None = None) -> PaymentGuide:
    """Cancel a guide that is not paid (a paid one is refunded outside Paço, not cancelled)."""
    reason = " ".join(reason.split())
    if not reason:
        raise _field_error(_("Informe o motivo do cancelamento."), "reason")
    guide = _guide_locked(guide)
    if guide.status == GuideStatus.PAID:
        raise PaymentError(_("Esta guia já foi paga e não pode ser cancelada."))
    if guide.status == GuideStatus.CANCELLED:
        return guide
    provider = pix_provider()
    if provider is not None and guide.provider_location:
        provider.charge_remove(txid=guide.txid)
    guide.status = GuideStatus.CANCELLED
    guide.cancel_reason = reason[:300]
    guide.save(update_fields=["status", "cancel_reason", "updated_at"])
    _event(guide, GuideEventKind.CANCELLED, actor=actor, reason=reason)
    return guide


def _paid_apply(
    guide: PaymentGuide,
    *,
    paid_at: dt.datetime,
    amount: Decimal,
    reference: str,
    kind: str,
    actor: User | None,
    reason: str,
) -> None:
    guide.status = GuideStatus.PAID
    guide.paid_at = paid_at
    guide.paid_amount = amount
    guide.provider_reference = reference[:60]
    guide.save(update_fields=["status", "paid_at", "paid_amount", "provider_reference", "updated_at"])
    _event(guide, kind, actor=actor, reason=reason, amount=amount)
    from .tasks import guide_paid_task

    enqueue_on_commit(guide_paid_task, guide_id=guide.pk)


@transaction.atomic
def guide_mark_paid(
    *, guide: PaymentGuide, actor: User, reason: str, paid_at: dt.datetime | None = None
) -> PaymentGuide:
    """Staff record a payment the bank did not notify (baixa manual), with the reason; audited in
    the guide's history with the person who did it. The purpose's handler then runs as usual."""
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise _field_error(_("Explique o motivo da baixa manual (pelo menos 10 caracteres)."), "reason")
    guide = _guide_locked(guide)
    if guide.status == GuideStatus.PAID:
        raise PaymentError(_("Esta guia já está paga."))
    if guide.status == GuideStatus.CANCELLED:
        raise PaymentError(_("Esta guia foi cancelada: emita outra."))
    when = paid_at or timezone.now()
    if when > timezone.now():
        raise _field_error(_("A data do pagamento não pode estar no futuro."), "paid_at")
    _paid_apply(
        guide,
        paid_at=when,
        amount=guide.amount,
        reference="",
        kind=GuideEventKind.PAID_MANUAL,
        actor=actor,
        reason=reason,
    )
    return guide


@transaction.atomic
def guide_paid_handle(*, guide_id: int) -> None:
    """Run the purpose's handler for a paid guide, once (the guide is locked while it runs)."""
    guide = PaymentGuide.objects.select_for_update().filter(pk=guide_id).first()
    if guide is None or guide.status != GuideStatus.PAID or guide.handled_at is not None:
        return
    handler = purposes.handler_for(guide.purpose)
    if handler is None:
        logger.error("guide %s paid for purpose %r, which has no handler", guide.pk, guide.purpose)
        return
    handler(guide)
    guide.handled_at = timezone.now()
    guide.save(update_fields=["handled_at", "updated_at"])
    _event(guide, GuideEventKind.HANDLED)


@transaction.atomic
def guides_expire(*, today: dt.date | None = None) -> int:
    """Mark pending guides whose due date has passed as expired (a late payment is still accepted)."""
    today = today or timezone.localdate()
    expired = list(
        PaymentGuide.objects.select_for_update(skip_locked=True).filter(
            status=GuideStatus.PENDING, due_date__lt=today
        )
    )
    for guide in expired:
        guide.status = GuideStatus.EXPIRED
        guide.save(update_fields=["status", "updated_at"])
        _event(guide, GuideEventKind.EXPIRED)
    return len(expired)


# ------------------------------------------------------------------------------ webhook


@dataclass
class WebhookResult:
    received: int = 0
    applied: int = 0
    duplicates: int = 0
    not_applied: int = 0
    unknown_txids: list[str] = field(default_factory=list)


def _webhook_secret() -> str:
    row = PixSettings.objects.order_by("id").first()
    return decrypt(row.webhook_secret_encrypted) if row else ""


def _pix_items(body: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookMalformed(_("Corpo inválido: esperado JSON no formato da API Pix.")) from None
    items = data.get("pix") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items or len(items) > 1000:
        raise WebhookMalformed(_('Corpo inválido: esperado {"pix": [...]}.'))
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("endToEndId"), str):
            raise WebhookMalformed(_("Cada Pix precisa de endToEndId."))
        if not 1 <= len(item["endToEndId"]) <= 60:
            raise WebhookMalformed(_("endToEndId inválido."))
        try:
            value = Decimal(str(item.get("valor")))
        except InvalidOperation:
            raise WebhookMalformed(_("valor inválido em %(id)s.") % {"id": item["endToEndId"]}) from None
        if not value.is_finite() or value <= 0 or value > MAX_AMOUNT:
            raise WebhookMalformed(_("valor inválido em %(id)s.") % {"id": item["endToEndId"]})
    return items


def webhook_receive(*, body: bytes, signature: str) -> WebhookResult:
    """A notice from the city's PSP in the Pix API's shape (`{"pix": [{"endToEndId", "txid",
    "valor", "horario", ...}]}`), signed with the city's secret (HMAC-SHA256 of the body in the
    X-Paco-Signature header, compared in constant time).

    Each Pix is recorded once by its endToEndId (a repeated notice is counted, not applied again);
    a Pix whose amount differs from the guide's is recorded and not applied; a Pix for a txid we
    never issued is recorded and reported (the view answers 404). Each Pix is its own transaction.
    """
    secret = _webhook_secret()
    expected = webhook_signature(secret=secret, body=body) if secret else ""
    if not secret or not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise WebhookRefused(_("Assinatura do aviso inválida."))
    result = WebhookResult()
    for item in _pix_items(body):
        result.received += 1
        outcome = _pix_apply(item)
        if outcome is None:
            result.duplicates += 1
        elif outcome == WebhookOutcome.APPLIED:
            result.applied += 1
        elif outcome == WebhookOutcome.UNKNOWN_TXID:
            result.unknown_txids.append(str(item.get("txid", "")))
        else:
            result.not_applied += 1
    return result


@transaction.atomic
def _pix_apply(item: dict[str, Any]) -> str | None:
    """One Pix of a notice; None when this endToEndId was already recorded."""
    event_id = item["endToEndId"]
    txid = str(item.get("txid") or "")[:35]
    amount = Decimal(str(item["valor"]))
    paid_at = parse_datetime(str(item.get("horario") or "")) or timezone.now()
    if timezone.is_naive(paid_at):
        paid_at = timezone.make_aware(paid_at)
    guide = PaymentGuide.objects.select_for_update().filter(txid=txid).first() if txid else None
    if WebhookEvent.objects.filter(event_id=event_id).exists():
        return None
    if guide is None:
        outcome = WebhookOutcome.UNKNOWN_TXID
    elif guide.status == GuideStatus.PAID:
        outcome = WebhookOutcome.ALREADY_PAID
    elif guide.status == GuideStatus.CANCELLED:
        outcome = WebhookOutcome.GUIDE_CANCELLED
    elif amount != guide.amount:
        outcome = WebhookOutcome.AMOUNT_MISMATCH
    else:
        outcome = WebhookOutcome.APPLIED
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(
                event_id=event_id,
                txid=txid,
                amount=amount,
                paid_at=paid_at,
                guide=guide,
                outcome=outcome,
                payload=item,
            )
    except IntegrityError:
        return None  # the same notice, delivered twice at once: the other delivery recorded it
    if guide is None:
        return outcome
    if outcome == WebhookOutcome.APPLIED:
        _paid_apply(
            guide,
            paid_at=paid_at,
            amount=amount,
            reference=event_id,
            kind=GuideEventKind.PAID_WEBHOOK,
            actor=None,
            reason="",
        )
    elif outcome == WebhookOutcome.AMOUNT_MISMATCH:
        _event(
            guide,
            GuideEventKind.AMOUNT_MISMATCH,
            amount=amount,
            reason=_("Pix %(id)s de R$ %(paid)s para uma guia de R$ %(due)s: não aplicado.")
            % {"id": event_id, "paid": amount, "due": guide.amount},
        )
    elif outcome in (WebhookOutcome.GUIDE_CANCELLED, WebhookOutcome.ALREADY_PAID):
        _event(
            guide,
            GuideEventKind.PAID_AFTER_CANCEL
            if outcome == WebhookOutcome.GUIDE_CANCELLED
            else GuideEventKind.PAID_TWICE,
            amount=amount,
            reason=_("Pix %(id)s recebido para uma guia %(status)s: devolver ao pagador.")
            % {"id": event_id, "status": guide.get_status_display().lower()},
        )
    return outcome
