"""Guides (DAM): issue, numbering, cancel, manual payment, the webhook's rules and the paid job."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import dramatiq
import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from dramatiq.brokers.stub import StubBroker

from paco.errors import ApplicationError
from paco_demo.cities import DEMO_STAFF
from tenant_apps.accounts.models import User
from tenant_apps.payments import tasks
from tenant_apps.payments.brcode import brcode_read
from tenant_apps.payments.enums import GuideEventKind, GuideStatus, WebhookOutcome
from tenant_apps.payments.models import GuideEvent, PaymentGuide, PixSettings, WebhookEvent
from tenant_apps.payments.selectors import guide_for, pix_webhook_secret
from tenant_apps.payments.services import (
    WebhookMalformed,
    WebhookRefused,
    guide_cancel,
    guide_mark_paid,
    guides_expire,
    pix_settings_save,
    webhook_receive,
    webhook_signature,
)

from .conftest import CPF, TEST_PURPOSE, issue, notice, pix

pytestmark = pytest.mark.usefixtures("in_aracaju")


def test_issue_numbers_guides_per_year_and_builds_a_br_code_for_the_citys_key() -> None:
    # given
    first = issue("R-1")
    second = issue("R-2", amount="10.5")
    # then
    assert second.year == first.year == timezone.localdate().year
    assert second.number == first.number + 1
    assert second.amount == Decimal("10.50")
    assert second.due_date == timezone.localdate() + dt.timedelta(days=30)
    assert second.status == GuideStatus.PENDING
    assert second.payer_document == CPF
    payload = brcode_read(second.br_code)
    key = PixSettings.objects.get().key
    assert (payload.key, payload.amount, payload.txid) == (key, Decimal("10.50"), second.txid)
    assert payload.description == f"DAM {second.display_number}"
    assert payload.merchant_name == "PREFEITURA DE ARACAJU"
    assert len(second.txid) == 25
    assert list(GuideEvent.objects.filter(guide=second).values_list("kind", flat=True)) == [
        GuideEventKind.ISSUED
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"payer_document": "11111111111"}, "payer_document", "CPF ou CNPJ do pagador inválido"),
        ({"amount": Decimal("0")}, "amount", "Valor inválido"),
        ({"amount": Decimal("1.001")}, "amount", "Valor inválido"),
        ({"description": " "}, "description", "descrição"),
        ({"due_date": dt.date(2020, 1, 1)}, "due_date", "passado"),
    ],
)
def test_bad_input_is_refused_in_portuguese_and_nothing_is_saved(changes, field, message) -> None:
    with pytest.raises(ApplicationError, match=message) as error:
        issue(**changes)
    assert error.value.extra == {"field": field}
    assert not PaymentGuide.objects.filter(purpose=TEST_PURPOSE).exists()


def test_an_unknown_purpose_or_a_second_pending_guide_is_refused() -> None:
    with pytest.raises(ApplicationError, match="Finalidade de pagamento desconhecida"):
        issue(purpose="nao-registrada")
    issue("R-1")
    with pytest.raises(ApplicationError, match="Já existe uma guia aguardando pagamento"):
        issue("R-1")
    assert PaymentGuide.objects.filter(purpose=TEST_PURPOSE, reference="R-1").count() == 1


def test_without_the_citys_pix_key_no_guide_is_issued() -> None:
    PixSettings.objects.all().delete()
    with pytest.raises(ApplicationError, match="ainda não cadastrou sua chave Pix"):
        issue()
    assert not PaymentGuide.objects.filter(purpose=TEST_PURPOSE).exists()


@pytest.mark.parametrize(
    ("key_type", "key", "stored"),
    [
        ("cpf", "529.982.247-25", "52998224725"),
        ("cnpj", "11.222.333/0001-81", "11222333000181"),
        ("email", "Pix@Aracaju.SE.gov.br", "pix@aracaju.se.gov.br"),
        ("telefone", "(79) 99999-0000", "+5579999990000"),
        ("aleatoria", "123E4567E12B12D1A456426655440000", "123e4567-e12b-12d1-a456-426655440000"),
    ],
)
def test_pix_keys_are_stored_as_the_dict_keeps_them(key_type, key, stored) -> None:
    row = pix_settings_save(key_type=key_type, key=key, merchant_name="Prefeitura", merchant_city="Aracaju")
    assert row.key == stored


@pytest.mark.parametrize(
    ("key_type", "key", "message"),
    [
        ("cpf", "529.982.247-24", "CPF inválido"),
        ("cnpj", "11.222.333/0001-80", "CNPJ inválido"),
        ("email", "pix@", "E-mail inválido"),
        ("telefone", "(79) 3333-0000", "Telefone inválido"),
        ("aleatoria", "123e4567", "Chave aleatória inválida"),
    ],
)
def test_bad_pix_keys_are_refused(key_type, key, message) -> None:
    before = PixSettings.objects.get().key
    with pytest.raises(ApplicationError, match=message):
        pix_settings_save(key_type=key_type, key=key, merchant_name="Prefeitura", merchant_city="Aracaju")
    assert PixSettings.objects.get().key == before


def test_cancel_needs_a_reason_and_a_paid_guide_cannot_be_cancelled() -> None:
    guide = issue()
    with pytest.raises(ApplicationError, match="motivo"):
        guide_cancel(guide=guide, reason="  ")
    guide = guide_cancel(guide=guide, reason="Pedido desistido")
    assert (guide.status, guide.cancel_reason) == (GuideStatus.CANCELLED, "Pedido desistido")
    paid = issue("R-2")
    body, signature = notice(pix(paid))
    webhook_receive(body=body, signature=signature)
    with pytest.raises(ApplicationError, match="já foi paga"):
        guide_cancel(guide=paid, reason="tarde demais")


def test_guide_for_prefers_the_paid_then_the_pending_guide() -> None:
    assert guide_for(purpose=TEST_PURPOSE, reference="R-9") is None
    cancelled = guide_cancel(guide=issue("R-9"), reason="errada")
    assert guide_for(purpose=TEST_PURPOSE, reference="R-9") == cancelled
    pending = issue("R-9")
    assert guide_for(purpose=TEST_PURPOSE, reference="R-9") == pending


def test_staff_mark_a_guide_paid_with_a_reason_and_it_is_audited(django_capture_on_commit_callbacks) -> None:
    guide = issue()
    staff = User.objects.get(email=DEMO_STAFF["aracaju"]["email"])
    with pytest.raises(ApplicationError, match="motivo da baixa"):
        guide_mark_paid(guide=guide, actor=staff, reason="pago")
    with django_capture_on_commit_callbacks() as callbacks:
        guide = guide_mark_paid(guide=guide, actor=staff, reason="Comprovante apresentado no balcão")
    assert guide.status == GuideStatus.PAID
    assert guide.paid_amount == guide.amount
    event = GuideEvent.objects.get(guide=guide, kind=GuideEventKind.PAID_MANUAL)
    assert (event.actor, event.reason) == (staff, "Comprovante apresentado no balcão")
    assert len(callbacks) == 1


def test_webhook_pays_once_and_a_repeated_notice_is_not_applied_again(
    django_capture_on_commit_callbacks,
) -> None:
    guide = issue()
    body, signature = notice(pix(guide))
    with django_capture_on_commit_callbacks() as callbacks:
        first = webhook_receive(body=body, signature=signature)
    again = webhook_receive(body=body, signature=signature)
    guide.refresh_from_db()
    assert (first.received, first.applied, first.duplicates) == (1, 1, 0)
    assert (again.received, again.applied, again.duplicates) == (1, 0, 1)
    assert guide.status == GuideStatus.PAID
    assert guide.provider_reference == "E1234567820260101000000000001"
    assert guide.paid_at == dt.datetime(2026, 12, 6, 13, 0, tzinfo=dt.UTC)
    assert WebhookEvent.objects.filter(guide=guide).count() == 1
    assert GuideEvent.objects.filter(guide=guide, kind=GuideEventKind.PAID_WEBHOOK).count() == 1
    assert len(callbacks) == 1


def test_a_wrong_amount_is_recorded_and_not_applied() -> None:
    guide = issue(amount="150.00")
    body, signature = notice(pix(guide, valor="15.00"))
    result = webhook_receive(body=body, signature=signature)
    guide.refresh_from_db()
    assert (result.applied, result.not_applied) == (0, 1)
    assert guide.status == GuideStatus.PENDING
    assert WebhookEvent.objects.get(guide=guide).outcome == WebhookOutcome.AMOUNT_MISMATCH
    event = GuideEvent.objects.get(guide=guide, kind=GuideEventKind.AMOUNT_MISMATCH)
    assert event.amount == Decimal("15.00")


def test_a_pix_for_a_cancelled_guide_is_recorded_for_refund_not_applied() -> None:
    guide = guide_cancel(guide=issue(), reason="desistência")
    body, signature = notice(pix(guide))
    webhook_receive(body=body, signature=signature)
    guide.refresh_from_db()
    assert guide.status == GuideStatus.CANCELLED
    assert WebhookEvent.objects.get(guide=guide).outcome == WebhookOutcome.GUIDE_CANCELLED
    assert GuideEvent.objects.filter(guide=guide, kind=GuideEventKind.PAID_AFTER_CANCEL).count() == 1


def test_a_bad_signature_records_nothing() -> None:
    guide = issue()
    body, signature = notice(pix(guide))
    for bad in ("", "sha256=" + "0" * 64, signature[:-1] + "x"):
        with pytest.raises(WebhookRefused):
            webhook_receive(body=body, signature=bad)
    with pytest.raises(WebhookRefused):
        webhook_receive(body=body + b" ", signature=signature)
    assert not WebhookEvent.objects.filter(txid=guide.txid).exists()
    guide.refresh_from_db()
    assert guide.status == GuideStatus.PENDING


def test_an_unknown_txid_is_recorded_and_reported() -> None:
    body, signature = notice({"endToEndId": "E9", "txid": "NAOEXISTE123", "valor": "10.00"})
    result = webhook_receive(body=body, signature=signature)
    assert result.unknown_txids == ["NAOEXISTE123"]
    assert WebhookEvent.objects.get(event_id="E9").outcome == WebhookOutcome.UNKNOWN_TXID


@pytest.mark.parametrize(
    "body",
    [
        b"nada",
        b"{}",
        b'{"pix": []}',
        b'{"pix": [{"txid": "x"}]}',
        b'{"pix": [{"endToEndId": "E1", "valor": "-1"}]}',
    ],
)
def test_a_malformed_notice_is_refused(body: bytes) -> None:
    before = WebhookEvent.objects.count()
    with pytest.raises(WebhookMalformed):
        webhook_receive(body=body, signature=webhook_signature(secret=pix_webhook_secret(), body=body))
    assert WebhookEvent.objects.count() == before


def test_the_paid_handler_runs_through_the_job_once(
    handled_guides, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    # given: the job's messages go to a broker of this test (with the project's middleware)
    broker = StubBroker(middleware=[import_string(path)() for path in settings.DRAMATIQ_BROKER["MIDDLEWARE"]])
    broker.declare_queue(tasks.guide_paid_task.queue_name)
    monkeypatch.setattr(tasks.guide_paid_task, "broker", broker)
    guide = issue()
    body, signature = notice(pix(guide))
    # when: the payment commits
    with django_capture_on_commit_callbacks(execute=True):
        webhook_receive(body=body, signature=signature)
    # then: one message for this guide, in this city's schema; nothing handled before the job runs
    message = dramatiq.Message.decode(broker.queues[tasks.guide_paid_task.queue_name].get_nowait())
    assert (message.actor_name, message.kwargs, message.options["schema_name"]) == (
        "guide_paid_task",
        {"guide_id": guide.pk},
        "aracaju",
    )
    assert handled_guides == []
    # when: the worker runs it, twice (a retried message)
    tasks.guide_paid_task(**message.kwargs)
    tasks.guide_paid_task(**message.kwargs)
    # then: the purpose's handler ran once, and the guide says when
    guide.refresh_from_db()
    assert handled_guides == [guide.pk]
    assert guide.handled_at is not None
    assert GuideEvent.objects.filter(guide=guide, kind=GuideEventKind.HANDLED).count() == 1


def test_unpaid_guides_past_their_due_date_expire_and_a_late_pix_is_still_accepted() -> None:
    guide = issue(due_date=timezone.localdate())
    assert guides_expire(today=timezone.localdate()) == 0
    assert guides_expire(today=timezone.localdate() + dt.timedelta(days=1)) == 1
    guide.refresh_from_db()
    assert guide.status == GuideStatus.EXPIRED
    body, signature = notice(pix(guide))
    assert webhook_receive(body=body, signature=signature).applied == 1
    guide.refresh_from_db()
    assert guide.status == GuideStatus.PAID
