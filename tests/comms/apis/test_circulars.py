"""Circulars over REST: only managers send, recipients acknowledge, the sender unit follows receipts."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenant_apps.comms.fanout import circular_fanout
from tenant_apps.comms.models import Circular, CircularReceipt, CircularReminder
from tenant_apps.comms.services import circular_send
from tenant_apps.documents.models import Document
from tenant_apps.org.models import OrgUnit
from tests.api.conftest import local_iso, staff_create

EMSURB = {"acronym": "EMSURB", "name": "Empresa Municipal de Serviços Urbanos"}


def send(boss, **audience) -> Circular:
    circular = circular_send(
        author=boss,
        sender_unit=OrgUnit.objects.get(acronym="EMSURB"),
        subject="Recadastramento",
        body="Atualizem seus dados.",
        **(audience or {"unit_ids": [OrgUnit.objects.get(acronym="SEMA").pk]}),
    )
    circular_fanout(circular_id=circular.pk)
    circular.refresh_from_db()
    return circular


def detail_json(circular: Circular, *, is_sender: bool, receipt: CircularReceipt | None) -> dict:
    return {
        "id": circular.pk,
        "number": circular.document.number,
        "subject": circular.subject,
        "sender_unit": {"acronym": circular.sender_unit.acronym, "name": circular.sender_unit.name},
        "created_at": local_iso(circular.created_at),
        "acknowledge_by": circular.acknowledge_by.isoformat() if circular.acknowledge_by else None,
        "body": circular.body,
        "author_name": circular.author.full_name,
        "recipient_count": circular.recipient_count,
        "is_sender": is_sender,
        "receipt": None
        if receipt is None
        else {
            "opened_at": local_iso(receipt.opened_at),
            "acknowledged_at": local_iso(receipt.acknowledged_at),
        },
    }


def test_a_manager_sends_a_circular(api, boss, reader):
    deadline = timezone.localdate() + dt.timedelta(days=5)

    response = api["boss"].post(
        "/api/v1/circulars/",
        {
            "subject": "Recadastramento",
            "body": "Atualizem seus dados.",
            "units": ["SEMA"],
            "include_subunits": True,
            "roles": ["staff"],
            "acknowledge_by": deadline.isoformat(),
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    circular = Circular.objects.get()
    assert circular.audience == {
        "units": [OrgUnit.objects.get(acronym="SEMA").pk],
        "include_subunits": True,
        "roles": ["staff"],
        "everyone": False,
        "users": [],
    }
    assert circular.document.number.startswith("CIRC ")
    assert response.json() == detail_json(circular, is_sender=True, receipt=None)
    assert response.json()["acknowledge_by"] == deadline.isoformat()


def test_staff_who_is_not_a_manager_cannot_send_a_circular(api, writer):
    documents = Document.objects.count()

    response = api["writer"].post(
        "/api/v1/circulars/",
        {"subject": "Recadastramento", "body": "Atualizem.", "units": ["SEMA"]},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Só o gestor da unidade pode enviar circulares em nome dela."}
    assert Circular.objects.count() == 0
    assert Document.objects.count() == documents


def test_circular_field_errors_are_in_portuguese(api, boss):
    def post(payload: dict):
        return api["boss"].post("/api/v1/circulars/", payload, content_type="application/json")

    base = {"subject": "Assunto", "body": "Texto"}

    assert post({**base, "units": ["XYZ"]}).json() == {"units": ["Unidade não encontrada ou inativa: XYZ."]}
    assert post({**base, "units": ["SEMA"], "acknowledge_by": "2001-01-01"}).json() == {
        "acknowledge_by": ["O prazo para ciência já passou."]
    }
    assert post({**base, "roles": ["chefe"]}).json() == {
        "roles": {"0": ['"chefe" não é uma escolha válida.']}
    }
    assert post({**base, "units": ["SEMA"], "sender_unit": "SEMA"}).json() == {
        "sender_unit": ["Você não pode agir por esta unidade."]
    }
    assert Circular.objects.count() == 0


def test_the_boxes_and_the_recipient_opening_it(api, boss, reader):
    circular = send(boss)

    received = api["reader"].get("/api/v1/circulars/").json()
    sent = api["boss"].get("/api/v1/circulars/?caixa=enviados").json()
    detail = api["reader"].get(f"/api/v1/circulars/{circular.pk}/")

    summary = {
        key: value
        for key, value in detail_json(circular, is_sender=False, receipt=None).items()
        if key not in {"body", "author_name", "is_sender", "receipt", "recipient_count"}
    }
    assert received == {
        "results": [
            {
                **summary,
                "recipient_count": None,
                "acknowledged_count": None,
                "receipt": {"opened_at": None, "acknowledged_at": None},
            }
        ],
        "next": None,
    }
    assert sent == {
        "results": [
            {**summary, "recipient_count": circular.recipient_count, "acknowledged_count": 0, "receipt": None}
        ],
        "next": None,
    }
    receipt = CircularReceipt.objects.get(circular=circular, user=reader)
    assert receipt.opened_at is not None
    assert receipt.acknowledged_at is None
    assert detail.json() == detail_json(circular, is_sender=False, receipt=receipt)


def test_only_a_recipient_acknowledges(api, boss, reader, outsider):
    circular = send(boss)
    path = f"/api/v1/circulars/{circular.pk}/acknowledge/"

    by_sender = api["boss"].post(path)
    by_outsider = api["outsider"].post(path)
    by_citizen = api["citizen"].post(path)
    assert CircularReceipt.objects.filter(circular=circular, acknowledged_at__isnull=False).count() == 0

    first = api["reader"].post(path)
    receipt = CircularReceipt.objects.get(circular=circular, user=reader)
    again = api["reader"].post(path)

    assert (by_sender.status_code, by_outsider.status_code, by_citizen.status_code) == (403, 404, 403)
    assert by_sender.json() == {"detail": "Esta circular não foi enviada a você."}
    assert first.status_code == 200
    assert receipt.acknowledged_at is not None
    assert receipt.opened_at == receipt.acknowledged_at
    assert first.json() == detail_json(circular, is_sender=False, receipt=receipt)
    assert again.json() == first.json()


def receipt_row(receipt: CircularReceipt, state: str) -> dict:
    return {
        "name": receipt.user.full_name,
        "email": receipt.user.email,
        "state": state,
        "opened_at": local_iso(receipt.opened_at),
        "acknowledged_at": local_iso(receipt.acknowledged_at),
        "reminded_at": local_iso(receipt.reminded_at),
        "reminder_count": receipt.reminder_count,
    }


def test_the_sender_unit_follows_the_receipts(api, boss, reader, outsider, writer):
    circular = send(boss, unit_ids=[], user_ids=[reader.pk, outsider.pk, writer.pk])
    api["reader"].post(f"/api/v1/circulars/{circular.pk}/acknowledge/")
    api["outsider"].get(f"/api/v1/circulars/{circular.pk}/")
    receipts = {
        r.user_id: r for r in CircularReceipt.objects.select_related("user").filter(circular=circular)
    }

    everything = api["writer"].get(f"/api/v1/circulars/{circular.pk}/receipts/")  # staff of the sender unit
    pending = api["boss"].get(f"/api/v1/circulars/{circular.pk}/receipts/?estado=pendente")
    first = api["boss"].get(f"/api/v1/circulars/{circular.pk}/receipts/?limit=1").json()
    second = (
        api["boss"]
        .get(f"/api/v1/circulars/{circular.pk}/receipts/", {"limit": 1, "cursor": first["next"]})
        .json()
    )

    counts = {"total": 3, "acknowledged": 1, "opened": 1, "pending": 1}
    # by name: Edna, Otávio, Sandro
    assert everything.json() == {
        "counts": counts,
        "results": [
            receipt_row(receipts[writer.pk], "pendente"),
            receipt_row(receipts[outsider.pk], "aberta"),
            receipt_row(receipts[reader.pk], "ciente"),
        ],
        "next": None,
    }
    assert pending.json() == {
        "counts": counts,
        "results": [receipt_row(receipts[writer.pk], "pendente")],
        "next": None,
    }
    assert first["results"] == [receipt_row(receipts[writer.pk], "pendente")]
    assert second["results"] == [receipt_row(receipts[outsider.pk], "aberta")]
    assert second["next"]
    # a recipient outside the sender unit sees the circular but not who acknowledged it
    assert api["reader"].get(f"/api/v1/circulars/{circular.pk}/receipts/").status_code == 403
    assert api["citizen"].get(f"/api/v1/circulars/{circular.pk}/receipts/").status_code == 403


def test_staff_of_an_unrelated_unit_gets_404(api, boss):
    circular = send(boss)

    for path in ("", "receipts/"):
        assert api["outsider"].get(f"/api/v1/circulars/{circular.pk}/{path}").status_code == 404
    assert api["outsider"].post(f"/api/v1/circulars/{circular.pk}/remind/", {"token": "x"}).status_code == 404
    assert CircularReminder.objects.count() == 0


def test_the_manager_reminds_once_per_token(api, boss, reader, writer):
    circular = send(boss, unit_ids=[], user_ids=[reader.pk, writer.pk])
    api["reader"].post(f"/api/v1/circulars/{circular.pk}/acknowledge/")
    token = uuid.uuid4().hex
    path = f"/api/v1/circulars/{circular.pk}/remind/"

    by_staff = api["writer"].post(path, {"token": token}, content_type="application/json")
    empty = api["boss"].post(path, {}, content_type="application/json")
    first = api["boss"].post(path, {"token": token}, content_type="application/json")
    again = api["boss"].post(path, {"token": token}, content_type="application/json")

    reminder = CircularReminder.objects.get()
    assert by_staff.status_code == 403
    assert empty.json() == {"token": ["Este campo é obrigatório."]}
    assert first.status_code == 200
    assert first.json() == {"recipient_count": 1, "created_at": local_iso(reminder.created_at)}
    assert again.json() == first.json()
    assert CircularReceipt.objects.get(circular=circular, user=writer).reminder_count == 1
    assert CircularReceipt.objects.get(circular=circular, user=reader).reminder_count == 0


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return sum(1 for query in queries.captured_queries if not query["sql"].startswith("SET search_path"))


@pytest.mark.parametrize("path", ["receipts/", "receipts/?estado=pendente&limit=100"])
def test_the_receipts_cost_the_same_queries_for_3_or_30_recipients(api, boss, reader, writer, outsider, path):
    few = send(boss, unit_ids=[], user_ids=[reader.pk, writer.pk, outsider.pk])
    people = [staff_create(f"pessoa{n}@aracaju.se.gov.br", f"Pessoa {n:02}", "SEFAZ") for n in range(30)]
    many = send(boss, unit_ids=[], user_ids=[person.pk for person in people])
    client = api["boss"]
    client.get(f"/api/v1/circulars/{few.pk}/{path}")  # warm the host -> city cache

    few_queries = _queries(client, f"/api/v1/circulars/{few.pk}/{path}")
    many_queries = _queries(client, f"/api/v1/circulars/{many.pk}/{path}")

    assert len(client.get(f"/api/v1/circulars/{many.pk}/{path}").json()["results"]) == 30
    assert many_queries == few_queries


@pytest.mark.parametrize(("role", "box"), [("reader", "recebidos"), ("boss", "enviados")])
def test_a_circular_box_costs_the_same_queries_for_3_or_30_circulars(api, boss, reader, role, box):
    client = api[role]
    path = f"/api/v1/circulars/?caixa={box}"
    for _ in range(3):
        send(boss, unit_ids=[], user_ids=[reader.pk])
    client.get(path)  # warm the host -> city cache
    few = _queries(client, path)
    for _ in range(27):
        send(boss, unit_ids=[], user_ids=[reader.pk])

    many = _queries(client, path)

    assert len(client.get(path).json()["results"]) == 30
    assert many == few
