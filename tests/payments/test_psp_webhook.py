"""The PSP's own webhook, as the Banco Central's Pix API sends it: `POST <registered url>/pix`,
authenticated by mutual TLS at the ingress, which passes the verification result and the client
certificate's subject in headers; the subject must be the one the city's admin set. Over HTTP on the
city's host: idempotent per endToEndId, wrong amounts recorded and not applied, `devolucoes` applied
by their id, and one city's PSP certificate opens nothing in another city."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.test import Client
from django_tenants.utils import tenant_context

from tenant_apps.payments.models import PaymentGuide, PspCredentials, Refund, WebhookEvent

from .conftest import issue, pix

HOST = "aracaju.localhost"
URL = "/api/v1/payments/psp/pix"
SUBJECT = "CN=webhook.psp.example,O=PSP Exemplo SA,C=BR"
E2E = "E12345678202612061000PSPWEBHK1"


def _subject(municipality: Any, subject: str) -> None:
    with tenant_context(municipality):
        row = PspCredentials.objects.order_by("id").first() or PspCredentials()
        row.webhook_client_subject = subject
        row.save()


def _post(body: dict[str, Any] | bytes, *, verify: str = "SUCCESS", subject: str = SUBJECT, host: str = HOST):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"HTTP_SSL_CLIENT_VERIFY": verify, "HTTP_SSL_CLIENT_SUBJECT_DN": subject} if verify else {}
    return Client().post(URL, raw, content_type="application/json", HTTP_HOST=host, **headers)


def _guide(aracaju: Any, reference: str, amount: str = "150.00") -> PaymentGuide:
    with tenant_context(aracaju):
        return issue(reference, amount=amount)


def test_the_psps_notice_pays_once_and_records_a_wrong_amount(aracaju) -> None:
    _subject(aracaju, SUBJECT)
    guide = _guide(aracaju, "W-1")
    first = _post({"pix": [pix(guide, event_id=E2E)]})
    again = _post({"pix": [pix(guide, event_id=E2E)]})
    expected = {"recebidos": 1, "aplicados": 1, "repetidos": 0, "nao_aplicados": 0, "devolucoes": 0}
    assert (first.status_code, first.json()) == (200, {**expected, "txid_desconhecido": 0})
    assert again.json()["repetidos"] == 1
    assert again.json()["aplicados"] == 0
    wrong = _guide(aracaju, "W-2", amount="80.00")
    answer = _post({"pix": [pix(wrong, event_id="E12345678202612061000PSPWRONG1", valor="8.00")]})
    assert answer.json()["nao_aplicados"] == 1
    # a Pix to the city's key with no charge of ours: recorded for checking, 200 so the PSP stops
    stray = _post(
        {
            "pix": [
                {"endToEndId": "E1234567820261206STRAY", "valor": "5.00", "horario": "2026-12-06T10:00:00Z"}
            ]
        }
    )
    assert (stray.status_code, stray.json()["txid_desconhecido"]) == (200, 1)
    with tenant_context(aracaju):
        guide.refresh_from_db()
        wrong.refresh_from_db()
        assert (guide.status, guide.provider_reference) == ("paga", E2E)
        assert wrong.status == "pendente"
        assert (
            WebhookEvent.objects.get(event_id="E12345678202612061000PSPWRONG1").outcome == "valor_divergente"
        )
        assert WebhookEvent.objects.get(event_id="E1234567820261206STRAY").outcome == "txid_desconhecido"
    # some PSPs test the registered URL with an empty list
    assert _post({"pix": []}).json()["recebidos"] == 0


def test_without_the_ingress_verification_or_with_another_subject_nothing_is_recorded(
    aracaju, gravatai
) -> None:
    _subject(aracaju, SUBJECT)
    _subject(gravatai, "CN=webhook.outro-psp.example,O=Outro PSP SA,C=BR")
    guide = _guide(aracaju, "W-3")
    body = {"pix": [pix(guide, event_id="E12345678202612061000PSPREFUSE")]}
    for answer in (
        _post(body, verify=""),  # no header: not through the mutual-TLS ingress
        _post(body, verify="FAILED:unable to verify the first certificate"),
        _post(body, subject="CN=intruso.example,O=Intruso,C=BR"),
        _post(body, subject="CN=webhook.outro-psp.example,O=Outro PSP SA,C=BR"),  # Gravataí's PSP
    ):
        assert answer.status_code == 401
        assert "Certificado do PSP" in answer.json()["detail"]
    with tenant_context(aracaju):
        assert not WebhookEvent.objects.filter(event_id="E12345678202612061000PSPREFUSE").exists()
    # the same subject written the legacy OpenSSL way (/C=../O=../CN=..) is the same certificate
    assert _post(body, subject="/C=BR/O=PSP Exemplo SA/CN=webhook.psp.example").json()["aplicados"] == 1


def test_a_city_with_no_psp_subject_set_accepts_no_psp_notice(aracaju) -> None:
    guide = _guide(aracaju, "W-4")
    with tenant_context(aracaju):
        PspCredentials.objects.all().delete()
    assert _post({"pix": [pix(guide, event_id="E12345678202612061000PSPNOSUBJ")]}).status_code == 401


def test_devolucoes_in_the_notice_are_applied_once_by_their_id(aracaju) -> None:
    _subject(aracaju, SUBJECT)
    guide = _guide(aracaju, "W-5")
    _post({"pix": [pix(guide, event_id=E2E)]})
    refund = {
        "id": "D20260000001abc",
        "rtrId": "D12345678202612061000REFUND01",
        "valor": "40.00",
        "horario": {"solicitacao": "2026-12-06T11:00:00Z", "liquidacao": "2026-12-06T11:00:05Z"},
        "status": "EM_PROCESSAMENTO",
    }
    item = {**pix(guide, event_id=E2E), "devolucoes": [refund]}
    assert _post({"pix": [item]}).json()["devolucoes"] == 1
    item["devolucoes"] = [{**refund, "status": "DEVOLVIDO"}]
    settled = _post({"pix": [item]}).json()
    assert (settled["repetidos"], settled["devolucoes"]) == (1, 1)
    assert _post({"pix": [item]}).json()["devolucoes"] == 0  # told again: nothing changes
    with tenant_context(aracaju):
        row = Refund.objects.get(end_to_end_id=E2E, refund_id="D20260000001abc")
        assert (row.status, row.amount, row.requested_by) == ("devolvida", Decimal("40.00"), None)
        assert row.settled_at is not None
        assert "fora do Paço" in row.reason
        guide.refresh_from_db()
        assert guide.refund_state == {
            "done": Decimal("40.00"),
            "in_progress": Decimal("0.00"),
            "whole": False,
        }
        kinds = list(guide.events.values_list("kind", flat=True))
        assert kinds.count("devolvida") == 1
    # malformed devoluções: 400, nothing recorded
    bad = {
        **pix(guide, event_id="E12345678202612061000PSPBADDEV"),
        "devolucoes": [{"id": "x y", "valor": "1"}],
    }
    assert _post({"pix": [bad]}).status_code == 400
    with tenant_context(aracaju):
        assert not WebhookEvent.objects.filter(event_id="E12345678202612061000PSPBADDEV").exists()
