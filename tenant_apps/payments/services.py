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
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from paco.encryption import decrypt, encrypt
from paco.errors import ApplicationError
from paco.jobs import enqueue_on_commit
from paco.text import brl
from tenant_apps.accounts.models import User

from . import purposes
from .brcode import MAX_TXID, BrCodeError, amount_text, brcode_build
from .enums import (
    REFUND_COUNTING,
    REFUND_STATUS_FROM_PSP,
    GuideEventKind,
    GuideStatus,
    RefundStatus,
    WebhookOutcome,
)
from .models import GuideEvent, PaymentGuide, PixSettings, PspCredentials, Refund, WebhookEvent
from .provider import PixProviderError, pem_pair_check, pix_provider, provider_config, tokens_forget
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


def _amount_clean(amount: Decimal | str) -> Decimal:
    """An amount in reais as a Pix charge can carry it (above zero, at most two decimals)."""
    try:
        value = Decimal(amount)
        amount_text(value)
    except (BrCodeError, InvalidOperation):
        raise _field_error(
            _("Valor inválido: maior que zero, com no máximo duas casas decimais."), "amount"
        ) from None
    return value


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


def _in_callers_transaction() -> bool:
    """Whether a caller's transaction is open around us (the test suite's own wrapper does not
    count): then our writes commit only with the caller's, so the PSP is called after that commit."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


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

    The number is taken and the guide inserted in one short transaction; the year's counter row is
    locked only for that (gapless numbers: a refused guide gives its number back). Without a PSP
    the BR Code is built here (static, with the guide's txid in field 62-05). With one (the city's
    own, else the deployment's) the charge is created at the PSP (`PUT /v2/cob/{txid}`) AFTER that
    commit, holding no lock: the guide waits with an empty BR Code meanwhile, and if the PSP refuses
    or does not answer, the guide is cancelled with the bank's answer as the reason (its number stays
    accounted for) and the PaymentError is raised. Called inside a caller's transaction (a permit
    request), the charge is created by a job once that transaction commits
    (`tasks.guide_charge_task`). One pending guide per purpose and reference.
    `owner` is the citizen account that sees and pays it on its page.
    """
    guide = _guide_insert(
        purpose=purpose,
        reference=reference,
        payer_name=payer_name,
        payer_document=payer_document,
        amount=amount,
        description=description,
        due_date=due_date,
        owner=owner,
    )
    if guide.br_code:
        return guide
    if _in_callers_transaction():
        from .tasks import guide_charge_task

        enqueue_on_commit(guide_charge_task, guide_id=guide.pk)
        return guide
    return guide_charge_register(guide_id=guide.pk, give_up=True)


@transaction.atomic
def _guide_insert(
    *,
    purpose: str,
    reference: str,
    payer_name: str,
    payer_document: str,
    amount: Decimal,
    description: str,
    due_date: dt.date | None,
    owner: User | None,
) -> PaymentGuide:
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
    amount = _amount_clean(amount)
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
    if provider_config() is None:
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
        br_code = ""  # the PSP's dynamic code, once the charge is created (guide_charge_register)
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
            )
    except IntegrityError:
        raise PaymentError(_("Já existe uma guia aguardando pagamento para esta solicitação.")) from None
    _event(guide, GuideEventKind.ISSUED, amount=amount)
    return guide


def guide_charge_register(*, guide_id: int, give_up: bool) -> PaymentGuide:
    """Create a waiting guide's charge at the PSP, with no lock held during the call, then store
    its BR Code. On a refusal (or, with `give_up`, any failure) the guide is cancelled with the
    bank's answer as the reason and the PixProviderError raised; without `give_up` a PSP that did
    not answer raises for the job to retry later."""
    guide = PaymentGuide.objects.get(pk=guide_id)
    if guide.br_code or guide.status != GuideStatus.PENDING:
        return guide
    provider = pix_provider()
    pix = PixSettings.objects.order_by("id").first()
    if provider is None or pix is None:
        return _charge_store_local(guide_id)
    try:
        charge = provider.charge_create(
            txid=guide.txid,
            key=pix.key,
            amount=guide.amount,
            payer_name=guide.payer_name,
            payer_document=guide.payer_document,
            description=f"DAM {guide.display_number} - {guide.description}",
            expires_in_seconds=_expires_in_seconds(guide.due_date),
        )
    except PixProviderError as error:
        if error.retryable and not give_up:
            raise
        _charge_refused(guide_id, error.message)
        raise PaymentError(error.message) from None
    with transaction.atomic():
        guide = _guide_locked(guide)
        if not guide.br_code:
            guide.br_code = charge.br_code
            guide.provider_location = charge.location[:200]
            guide.save(update_fields=["br_code", "provider_location", "updated_at"])
    return guide


@transaction.atomic
def _charge_store_local(guide_id: int) -> PaymentGuide:
    """The PSP was switched off meanwhile: the guide keeps its txid in a BR Code built here."""
    guide = PaymentGuide.objects.select_for_update().get(pk=guide_id)
    pix = PixSettings.objects.order_by("id").first()
    if not guide.br_code and pix is not None:
        guide.br_code = brcode_build(
            key=pix.key,
            merchant_name=pix.merchant_name,
            merchant_city=pix.merchant_city,
            amount=guide.amount,
            txid=guide.txid[:MAX_TXID],
            description=f"DAM {guide.display_number}",
        )
        guide.save(update_fields=["br_code", "updated_at"])
    return guide


@transaction.atomic
def _charge_refused(guide_id: int, message: str) -> None:
    guide = PaymentGuide.objects.select_for_update().get(pk=guide_id)
    if guide.status != GuideStatus.PENDING or guide.br_code:
        return
    reason = _("Cobrança não criada no banco: %(answer)s") % {"answer": message}
    guide.status = GuideStatus.CANCELLED
    guide.cancel_reason = reason[:300]
    guide.save(update_fields=["status", "cancel_reason", "updated_at"])
    _event(guide, GuideEventKind.PSP_REFUSED, reason=reason)


def _guide_locked(guide: PaymentGuide) -> PaymentGuide:
    return PaymentGuide.objects.select_for_update().get(pk=guide.pk)


def guide_cancel(*, guide: PaymentGuide, reason: str, actor: User | None = None) -> PaymentGuide:
    """Cancel a guide that is not paid (a paid one is refunded, not cancelled).

    The guide is cancelled under its row lock in one short transaction; its charge is withdrawn at
    the PSP (`PATCH /v2/cob/{txid}`) AFTER that commit, holding no lock, so a payment notice or
    staff's page never waits for the bank (a Pix that arrives meanwhile is recorded as paid after
    cancellation and not applied). The outcome is recorded: if the PSP refuses, the guide stays
    cancelled and the bank's answer goes to its history; if it does not answer, the removal is
    retried by `tasks.guide_charge_remove_task`. Inside a caller's transaction the removal is made
    by that job once the transaction commits."""
    guide, remove = _guide_cancel_locked(guide=guide, reason=reason, actor=actor)
    if not remove:
        return guide
    from .tasks import guide_charge_remove_task

    if _in_callers_transaction():
        enqueue_on_commit(guide_charge_remove_task, guide_id=guide.pk)
        return guide
    try:
        guide_charge_remove(guide_id=guide.pk, give_up=False)
    except PixProviderError:
        guide_charge_remove_task.send(guide_id=guide.pk)  # the PSP did not answer: try again later
    return guide


@transaction.atomic
def _guide_cancel_locked(
    *, guide: PaymentGuide, reason: str, actor: User | None
) -> tuple[PaymentGuide, bool]:
    """The state change, under the guide's row lock: (the guide, whether a charge is at the PSP)."""
    reason = " ".join(reason.split())
    if not reason:
        raise _field_error(_("Informe o motivo do cancelamento."), "reason")
    guide = _guide_locked(guide)
    if guide.status == GuideStatus.PAID:
        raise PaymentError(_("Esta guia já foi paga e não pode ser cancelada."))
    if guide.status == GuideStatus.CANCELLED:
        return guide, False
    guide.status = GuideStatus.CANCELLED
    guide.cancel_reason = reason[:300]
    guide.save(update_fields=["status", "cancel_reason", "updated_at"])
    _event(guide, GuideEventKind.CANCELLED, actor=actor, reason=reason)
    return guide, bool(guide.provider_location) and pix_provider() is not None


def guide_charge_remove(*, guide_id: int, give_up: bool) -> None:
    """Withdraw a cancelled guide's charge at the PSP, holding no lock during the call. A refusal is
    recorded in the guide's history (the bank's answer); a PSP that did not answer is recorded too
    and, without `give_up`, raises for the job to retry."""
    guide = PaymentGuide.objects.get(pk=guide_id)
    provider = pix_provider()
    if provider is None or guide.status != GuideStatus.CANCELLED or not guide.provider_location:
        return
    try:
        provider.charge_remove(txid=guide.txid)
    except PixProviderError as error:
        with transaction.atomic():
            _event(
                _guide_locked(guide),
                GuideEventKind.PSP_REFUSED,
                reason=_("O banco não retirou a cobrança: %(answer)s") % {"answer": error.message},
            )
        if error.retryable and not give_up:
            raise


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
    refunds: int = 0
    unknown_txids: list[str] = field(default_factory=list)


def _webhook_secret() -> str:
    row = PixSettings.objects.order_by("id").first()
    return decrypt(row.webhook_secret_encrypted) if row else ""


def _amount_valid(value: Any) -> bool:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return False
    return amount.is_finite() and 0 < amount <= MAX_AMOUNT


def _refunds_valid(refunds: Any) -> bool:
    """`devolucoes` of the Pix API: [{"id", "rtrId", "valor", "horario": {...}, "status"}]."""
    if not isinstance(refunds, list) or len(refunds) > 100:
        return False
    for refund in refunds:
        if not isinstance(refund, dict) or not isinstance(refund.get("id"), str):
            return False
        if not 1 <= len(refund["id"]) <= 35 or not refund["id"].isalnum():
            return False
        if refund.get("status") not in REFUND_STATUS_FROM_PSP or not _amount_valid(refund.get("valor")):
            return False
    return True


def _pix_items(body: bytes, *, allow_empty: bool = False) -> list[dict[str, Any]]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookMalformed(_("Corpo inválido: esperado JSON no formato da API Pix.")) from None
    items = data.get("pix") if isinstance(data, dict) else None
    if not isinstance(items, list) or (not items and not allow_empty) or len(items) > 1000:
        raise WebhookMalformed(_('Corpo inválido: esperado {"pix": [...]}.'))
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("endToEndId"), str):
            raise WebhookMalformed(_("Cada Pix precisa de endToEndId."))
        if not 1 <= len(item["endToEndId"]) <= 60:
            raise WebhookMalformed(_("endToEndId inválido."))
        if not _amount_valid(item.get("valor")):
            raise WebhookMalformed(_("valor inválido em %(id)s.") % {"id": item["endToEndId"]})
        if "devolucoes" in item and not _refunds_valid(item["devolucoes"]):
            raise WebhookMalformed(_("devolucoes inválidas em %(id)s.") % {"id": item["endToEndId"]})
    return items


def _notice_apply(items: list[dict[str, Any]]) -> WebhookResult:
    result = WebhookResult()
    for item in items:
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
        if item.get("devolucoes"):
            # a PSP sends the same Pix again when one of its devoluções changes: applied by refund id
            result.refunds += _refunds_apply(item["endToEndId"], item["devolucoes"])
    return result


def webhook_receive(*, body: bytes, signature: str) -> WebhookResult:
    """A notice in the Pix API's shape (`{"pix": [{"endToEndId", "txid", "valor", "horario",
    ...}]}`), signed with the city's secret (HMAC-SHA256 of the body in the X-Paco-Signature
    header, compared in constant time): the demo bank's path, and PSPs that sign their notices.

    Each Pix is recorded once by its endToEndId (a repeated notice is counted, not applied again);
    a Pix whose amount differs from the guide's is recorded and not applied; a Pix for a txid we
    never issued is recorded and reported (the view answers 404). Each Pix is its own transaction.
    """
    secret = _webhook_secret()
    expected = webhook_signature(secret=secret, body=body) if secret else ""
    if not secret or not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise WebhookRefused(_("Assinatura do aviso inválida."))
    return _notice_apply(_pix_items(body))


def subject_normalize(*, subject: str) -> tuple[str, ...]:
    """A certificate's subject DN as a sorted tuple of `attr=value`, whichever way the proxy writes
    it (RFC 2253 `CN=a,O=b` or OpenSSL's legacy `/O=b/CN=a`), attribute names upper-cased."""
    text = subject.strip().replace("\\,", "\x00")
    parts = text.split("/") if text.startswith("/") else text.split(",")
    normalized = []
    for part in parts:
        name, sep, value = part.strip().partition("=")
        if sep:
            normalized.append(f"{name.strip().upper()}={value.strip().replace(chr(0), ',')}")
    return tuple(sorted(normalized))


def psp_webhook_receive(*, body: bytes, client_verify: str, client_subject: str) -> WebhookResult:
    """A notice from the city's PSP as the Pix API sends it (`POST <registered url>/pix`),
    authenticated by mutual TLS at the ingress: the proxy verified the PSP's client certificate
    against the PSP's CA and passes the result (`SUCCESS`) and the certificate's subject in headers
    it always overwrites (docs/operations.md). Here the subject must be the one the city's admin
    set for its PSP. Then as `webhook_receive`: idempotent per endToEndId, wrong amounts recorded
    and not applied, `devolucoes` applied by their id. An empty `pix` list is accepted (some PSPs
    test the URL with one)."""
    row = PspCredentials.objects.order_by("id").first()
    expected = (
        subject_normalize(subject=row.webhook_client_subject) if row and row.webhook_client_subject else ()
    )
    if (
        client_verify.strip() != "SUCCESS"
        or not expected
        or subject_normalize(subject=client_subject) != expected
    ):
        raise WebhookRefused(_("Certificado do PSP ausente ou não reconhecido por esta prefeitura."))
    return _notice_apply(_pix_items(body, allow_empty=True))


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
            % {"id": event_id, "paid": brl(amount), "due": brl(guide.amount)},
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


# ------------------------------------------------------------------------------ the city's PSP


def _psp_url_check(url: str, name: str) -> str:
    url = url.strip().rstrip("/")
    if not url:
        return ""
    parsed = urlsplit(url)
    loopback = parsed.scheme == "http" and parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if parsed.scheme != "https" and not loopback:
        raise _field_error(_("O endereço do PSP precisa começar com https://."), name)
    if not parsed.hostname or parsed.query or parsed.fragment:
        raise _field_error(_("Endereço inválido."), name)
    return url


@transaction.atomic
def psp_credentials_save(
    *,
    actor: User,
    enabled: bool,
    api_url: str,
    token_url: str = "",
    scope: str = "",
    client_id: str = "",
    client_secret: str = "",
    certificate_pem: str = "",
    private_key_pem: str = "",
    webhook_client_subject: str = "",
) -> PspCredentials:
    """The city's own PSP. An empty `client_secret`, `certificate_pem` or `private_key_pem` keeps the
    stored one (secrets are never shown back); the certificate and key must load together (mutual
    TLS). Enabled, it replaces the deployment's PAYMENTS_PIX_* settings for this city."""
    row = PspCredentials.objects.select_for_update().order_by("id").first() or PspCredentials()
    row.api_url = _psp_url_check(api_url, "api_url")
    row.token_url = _psp_url_check(token_url, "token_url")
    row.scope = " ".join(scope.split())[:300]
    row.client_id = client_id.strip()[:200]
    row.webhook_client_subject = " ".join(webhook_client_subject.split())[:500]
    certificate_pem = certificate_pem.strip()
    private_key_pem = private_key_pem.strip()
    if certificate_pem and "BEGIN CERTIFICATE" not in certificate_pem:
        raise _field_error(_("Cole o certificado em PEM (-----BEGIN CERTIFICATE-----)."), "certificate_pem")
    if private_key_pem and "PRIVATE KEY" not in private_key_pem:
        raise _field_error(_("Cole a chave privada em PEM (-----BEGIN PRIVATE KEY-----)."), "private_key_pem")
    cert = certificate_pem or row.certificate_pem
    key = private_key_pem or decrypt(row.private_key_encrypted)
    if (certificate_pem or private_key_pem) and cert and key:
        try:
            pem_pair_check(cert, key)
        except PixProviderError as error:
            raise _field_error(error.message, "certificate_pem") from None
    if certificate_pem:
        row.certificate_pem = certificate_pem
    if private_key_pem:
        row.private_key_encrypted = encrypt(private_key_pem)
    if client_secret:
        row.client_secret_encrypted = encrypt(client_secret.strip())
    if enabled and not (row.api_url and row.client_id and row.client_secret_encrypted):
        raise PaymentError(
            _(
                "Para usar o PSP da prefeitura, informe o endereço da API, "
                "o identificador e o segredo do cliente."
            )
        )
    if enabled and bool(row.certificate_pem) != bool(row.private_key_encrypted):
        raise _field_error(_("Informe o certificado e a sua chave privada, os dois."), "private_key_pem")
    row.enabled = enabled
    row.changed_by = actor
    row.save()
    tokens_forget()
    return row


PSP_WEBHOOK_PATH = "/api/v1/payments/psp"


def psp_webhook_url(*, slug: str, base_url: str) -> str:
    """Where a city's PSP is told to send its notices (it POSTs to this + "/pix"):
    PAYMENTS_PSP_WEBHOOK_URL with the city's slug, else the city's own base URL."""
    template = str(settings.PAYMENTS_PSP_WEBHOOK_URL)
    if template:
        return template.replace("{slug}", slug)
    return base_url.rstrip("/") + PSP_WEBHOOK_PATH


def psp_webhook_register(*, url: str) -> PspCredentials:
    """Tell the PSP where to send its notices (`PUT /v2/webhook/{chave}`; it POSTs to `<url>/pix`),
    through the adapter, holding no lock during the call; the registered URL is kept."""
    provider = pix_provider()
    pix = PixSettings.objects.order_by("id").first()
    if provider is None:
        raise PaymentError(_("Nenhum PSP configurado para esta prefeitura: não há onde cadastrar o webhook."))
    if pix is None:
        raise PaymentError(_("Cadastre a chave Pix da prefeitura antes de cadastrar o webhook."))
    provider.webhook_register(key=pix.key, url=url)
    with transaction.atomic():
        row = PspCredentials.objects.select_for_update().order_by("id").first() or PspCredentials()
        row.webhook_url = url[:300]
        row.webhook_registered_at = timezone.now()
        row.save()
    return row


# ------------------------------------------------------------------------------ one-off guides


def guide_issue_one_off(
    *,
    actor: User,
    payer_name: str,
    payer_document: str,
    amount: Decimal,
    description: str,
    due_date: dt.date,
) -> PaymentGuide:
    """Staff issue a guide tied to no permit (purpose `avulsa`, a fresh reference). The citizen
    account with that CPF, if there is one, sees and pays it on its page."""
    try:
        document = document_digits(payer_document)
    except ValidationError as error:
        raise _field_error(error.messages[0], "payer_document") from None
    owner = None
    if len(document) == 11:
        owner = User.objects.filter(kind="citizen", cpf=document, is_active=True).first()
    guide = guide_issue(
        purpose=purposes.ONE_OFF,
        reference=f"{timezone.localdate():%Y%m%d}-{secrets.token_hex(6)}",
        payer_name=payer_name,
        payer_document=document,
        amount=amount,
        description=description,
        due_date=due_date,
        owner=owner,
    )
    GuideEvent.objects.filter(guide=guide, kind=GuideEventKind.ISSUED).update(actor=actor)
    return guide


# ------------------------------------------------------------------------------ refunds (devoluções)


def _refund_id(guide: PaymentGuide) -> str:
    prefix = f"D{guide.year}{guide.number:07d}"
    return prefix + "".join(secrets.choice(_ALPHABET) for _i in range(24 - len(prefix)))


def refund_available(*, guide: PaymentGuide) -> Decimal:
    """What is left to give back of a paid guide (paid less the devoluções asked, on their way or done)."""
    if guide.status != GuideStatus.PAID or guide.paid_amount is None:
        return Decimal("0.00")
    held = sum(
        (refund.amount for refund in guide.refunds.filter(status__in=REFUND_COUNTING)), Decimal("0.00")
    )
    return max(guide.paid_amount - held, Decimal("0.00"))


@transaction.atomic
def _refund_reserve(*, guide: PaymentGuide, actor: User, amount: Decimal, reason: str) -> Refund:
    guide = _guide_locked(guide)
    if guide.status != GuideStatus.PAID:
        raise PaymentError(_("Só uma guia paga pode ter o pagamento devolvido."))
    available = refund_available(guide=guide)
    if amount > available:
        raise _field_error(
            _("O valor passa do que ainda pode ser devolvido (R$ %(available)s).")
            % {"available": brl(available)},
            "amount",
        )
    refund = Refund.objects.create(
        guide=guide,
        refund_id=_refund_id(guide),
        end_to_end_id=guide.provider_reference or f"MANUAL{guide.year}{guide.number:07d}",
        amount=amount,
        reason=reason,
        status=RefundStatus.REQUESTED,
        requested_by=actor,
    )
    _event(guide, GuideEventKind.REFUND_REQUESTED, actor=actor, reason=reason, amount=amount)
    return refund


@transaction.atomic
def _refund_settle(
    *, refund_pk: int, status: str, rtr_id: str = "", error: str = "", when: dt.datetime | None = None
) -> Refund:
    """Move a devolução to `status` (once per change), with an event in the guide's history."""
    refund = Refund.objects.select_for_update().select_related("guide").get(pk=refund_pk)
    if refund.status == status or refund.status in (
        RefundStatus.DONE,
        RefundStatus.NOT_DONE,
        RefundStatus.FAILED,
    ):
        if rtr_id and not refund.rtr_id:
            refund.rtr_id = rtr_id[:60]
            refund.save(update_fields=["rtr_id", "updated_at"])
        return refund
    refund.status = status
    refund.rtr_id = rtr_id[:60] or refund.rtr_id
    refund.error = error[:300]
    if status == RefundStatus.DONE:
        refund.settled_at = when or timezone.now()
    refund.save(update_fields=["status", "rtr_id", "error", "settled_at", "updated_at"])
    if status == RefundStatus.DONE:
        _event(refund.guide, GuideEventKind.REFUND_DONE, reason=refund.reason, amount=refund.amount)
    elif status in (RefundStatus.NOT_DONE, RefundStatus.FAILED):
        _event(
            refund.guide,
            GuideEventKind.REFUND_FAILED,
            reason=error or _("O banco não realizou a devolução."),
            amount=refund.amount,
        )
    return refund


def refund_request(*, guide: PaymentGuide, actor: User, amount: Decimal, reason: str) -> Refund:
    """Give back all or part of a paid guide's Pix, with the reason (audited in the guide's history).

    The amount is reserved under the guide's lock (two refunds at once cannot exceed what was paid),
    then asked of the PSP (`PUT /v2/pix/{e2eid}/devolucao/{id}`) with no lock held; the PSP's
    webhook (`devolucoes`) later says whether it was made. A guide paid with no Pix at a PSP (no
    PSP configured, or a manual payment) is refunded at the bank by hand: it is recorded as done.
    A refusal by the PSP is recorded (`recusada`) and raised; the amount is free again.
    """
    reason = " ".join(reason.split())
    if not 5 <= len(reason) <= 140:
        raise _field_error(_("Explique o motivo da devolução (de 5 a 140 caracteres)."), "reason")
    amount = _amount_clean(amount)
    refund = _refund_reserve(guide=guide, actor=actor, amount=amount, reason=reason)
    provider = pix_provider()
    if provider is None or not guide.provider_reference:
        return _refund_settle(refund_pk=refund.pk, status=RefundStatus.DONE)
    try:
        answer = provider.refund_request(
            end_to_end_id=refund.end_to_end_id, refund_id=refund.refund_id, amount=amount, description=reason
        )
    except PixProviderError as error:
        _refund_settle(refund_pk=refund.pk, status=RefundStatus.FAILED, error=error.message)
        raise PaymentError(error.message) from None
    return _refund_settle(
        refund_pk=refund.pk, status=REFUND_STATUS_FROM_PSP[answer.status], rtr_id=answer.rtr_id
    )


def _refunds_apply(event_id: str, refunds: list[dict[str, Any]]) -> int:
    """The `devolucoes` of a Pix in the PSP's notice: each one's status applied once (by its id);
    one made at the bank outside Paço is recorded too. Returns how many changed."""
    guide = PaymentGuide.objects.filter(provider_reference=event_id).first()
    if guide is None:
        event = WebhookEvent.objects.filter(event_id=event_id).select_related("guide").first()
        guide = event.guide if event else None
    if guide is None:
        return 0
    changed = 0
    for item in refunds:
        status = REFUND_STATUS_FROM_PSP[item["status"]]
        horario = item.get("horario") if isinstance(item.get("horario"), dict) else {}
        when = parse_datetime(str(horario.get("liquidacao") or "")) if horario else None
        with transaction.atomic():
            refund, created = Refund.objects.get_or_create(
                end_to_end_id=event_id,
                refund_id=item["id"],
                defaults={
                    "guide": guide,
                    "amount": Decimal(str(item["valor"])),
                    "reason": _("Devolução feita no banco, fora do Paço (aviso do banco)."),
                    "status": RefundStatus.REQUESTED,
                },
            )
        before = refund.status
        refund = _refund_settle(
            refund_pk=refund.pk, status=status, rtr_id=str(item.get("rtrId") or ""), when=when
        )
        changed += int(created or refund.status != before)
    return changed
