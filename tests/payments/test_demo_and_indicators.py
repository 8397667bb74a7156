"""The demo stand-in bank, the daily aggregate of amounts collected and its open dataset."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from paco_demo.bank_views import bank_notice
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.insights.aggregation import days_recompute
from tenant_apps.payments.brcode import brcode_read
from tenant_apps.payments.enums import GuideStatus
from tenant_apps.payments.indicators import collected_by_month, datasets
from tenant_apps.payments.models import CollectionDay, PaymentGuide
from tenant_apps.payments.purposes import GENERIC_FEE
from tenant_apps.payments.services import SIGNATURE_HEADER, refund_request, webhook_receive

from .conftest import issue, notice, pix

HOST = "aracaju.localhost"


def test_the_demo_bank_is_off_outside_the_demo(aracaju) -> None:
    assert Client().get("/demo-banco/", HTTP_HOST=HOST).status_code == 404


def test_the_demo_bank_reads_a_guide_and_its_notice_pays_it_through_the_webhook(aracaju, settings) -> None:
    settings.PAYMENTS_DEMO_BANK = True
    with tenant_context(aracaju):
        guide = issue(amount="45.90")
    page = Client().get("/demo-banco/", {"codigo": guide.br_code}, HTTP_HOST=HOST)
    html = page.content.decode()
    assert page.status_code == 200
    assert "DEMONSTRAÇÃO" in html
    assert "R$ 45,90" in html
    assert guide.txid in html
    wrong_crc = guide.br_code[:-1] + ("1" if guide.br_code.endswith("0") else "0")  # never the right one
    bad = Client().get("/demo-banco/", {"codigo": wrong_crc}, HTTP_HOST=HOST)
    assert bad.status_code == 400
    assert "CRC" in bad.content.decode()
    # what the bank sends on "Pagar com Pix", delivered to the city's webhook
    with tenant_context(aracaju):
        body, headers = bank_notice(payload=brcode_read(guide.br_code), txid=guide.txid, amount=guide.amount)
    answer = Client().post(
        "/api/v1/payments/webhook/",
        body,
        content_type=headers["Content-Type"],
        HTTP_HOST=HOST,
        HTTP_X_PACO_SIGNATURE=headers[SIGNATURE_HEADER],
    )
    assert answer.json()["aplicados"] == 1
    with tenant_context(aracaju):
        guide.refresh_from_db()
        assert guide.status == GuideStatus.PAID


def test_amount_collected_per_day_month_and_purpose(in_aracaju) -> None:
    today = timezone.localdate()
    for reference, amount in (("I-1", "100.00"), ("I-2", "23.45")):
        guide = issue(reference, amount=amount)
        body, signature = notice(pix(guide, event_id=f"E-{reference}"))
        webhook_receive(body=body, signature=signature)
    issue("I-3", amount="999.00")  # not paid: not collected
    # a refund given back today is taken off today's collection (the money left the account)
    staff = User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("pk").first()
    refund_request(guide=guide, actor=staff, amount=Decimal("3.45"), reason="Cobrado a maior")
    days_recompute(first=today, last=today)
    row = CollectionDay.objects.get(day=today, purpose="teste-pagamento")
    assert (row.paid, row.amount) == (2, Decimal("120.00"))
    months = [entry for entry in collected_by_month(year=today.year) if entry["purpose"] == "teste-pagamento"]
    assert [(entry["paid"], entry["amount"]) for entry in months] == [(2, Decimal("120.00"))]
    [dataset] = datasets()
    rows = [row for row in dataset.rows(today.year) if row[1] == "Teste"]
    assert rows == [[f"{today:%Y-%m}", "Teste", 2, 120.0]]
    # the demo's paid guide is there too, under its purpose's label
    assert PaymentGuide.objects.filter(purpose=GENERIC_FEE, status=GuideStatus.PAID).exists()


def test_both_demo_cities_show_a_refund_a_one_off_guide_and_a_filled_in_psp_switched_off(
    aracaju, gravatai
) -> None:
    from tenant_apps.payments.models import PspCredentials, Refund
    from tenant_apps.payments.provider import provider_config
    from tenant_apps.payments.purposes import ONE_OFF

    for city, whole in ((aracaju, True), (gravatai, False)):
        with tenant_context(city):
            refund = Refund.objects.select_related("guide").get()
            assert refund.status == "devolvida"
            assert refund.requested_by is not None
            assert refund.guide.refund_state["whole"] is whole
            one_off = PaymentGuide.objects.get(purpose=ONE_OFF)
            assert one_off.status == "pendente"
            assert one_off.owner is not None
            assert one_off.events.get(kind="emitida").actor is not None
            psp = PspCredentials.objects.get()
            assert not psp.enabled
            assert psp.client_secret_encrypted
            assert psp.webhook_client_subject.startswith("CN=")
            assert provider_config() is None  # the demo never calls out
