"""Memos over REST: send, list, read with thread and signature, reply, forward, and the refusals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.comms.models import Memo
from tenant_apps.comms.services import memo_send
from tenant_apps.org.models import OrgUnit
from tests.api.conftest import local_iso
from tests.comms.conftest import memo_signed

EMSURB = {"acronym": "EMSURB", "name": "Empresa Municipal de Serviços Urbanos"}
SEMA = {"acronym": "SEMA", "name": "Secretaria Municipal do Meio Ambiente"}


def signature_json(memo: Memo) -> dict | None:
    """The author's signature, or None while its job has not signed yet ("em processamento")."""
    signature = memo.document.signatures.first()
    if signature is None:
        return None
    return {
        "signer": signature.signer_name,
        "signed_at": local_iso(signature.signed_at),
        "sha256": signature.body_sha256,
        "level": "simples",
    }


def item_json(memo: Memo, *, to_units: list[str], to_users: list[str]) -> dict:
    memo.refresh_from_db()
    return {
        "id": memo.pk,
        "number": memo.document.number,
        "kind": memo.kind,
        "subject": memo.subject,
        "sender_unit": {"acronym": memo.sender_unit.acronym, "name": memo.sender_unit.name},
        "author_name": memo.author.full_name,
        "created_at": local_iso(memo.created_at),
        "to_units": to_units,
        "to_users": to_users,
        "body": memo.body,
        "note": memo.note,
        "parent_id": memo.parent_id,
        "signatures": [signature_json(memo)] if memo.document.signatures.exists() else [],
        # every memo asks for its author's signature: made by a job after the send
        "signature_status": "assinado" if memo.document.signatures.exists() else "processando",
    }


def send(writer, **extra) -> Memo:
    return memo_send(
        author=writer,
        sender_unit=OrgUnit.objects.get(acronym="EMSURB"),
        subject="Poda na Av. Beira Mar",
        body="Pedimos vistoria ambiental.",
        to_units=[OrgUnit.objects.get(acronym="SEMA")],
        **extra,
    )


def test_staff_sends_a_memo_and_gets_it_signed_with_its_thread(api, writer, reader):
    response = api["writer"].post(
        "/api/v1/memos/",
        {
            "subject": "Poda na Av. Beira Mar",
            "body": "Pedimos vistoria ambiental.",
            "to_units": ["sema"],
            "to_users": [reader.email.upper()],
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    memo = Memo.objects.get(subject="Poda na Av. Beira Mar")
    item = item_json(memo, to_units=["SEMA"], to_users=[reader.email])
    assert memo.document.number.startswith("MEMO ")
    # sent at once: the signature is made by a job after commit
    assert response.json() == {**item, "signature": None, "thread": [item]}
    assert (item["signatures"], item["signature_status"]) == ([], "processando")

    memo_signed(memo)

    signed = item_json(memo, to_units=["SEMA"], to_users=[reader.email])
    detail = api["writer"].get(f"/api/v1/memos/{memo.pk}/").json()
    assert detail == {**signed, "signature": signature_json(memo), "thread": [signed]}
    assert detail["signature"]["signer"] == writer.full_name
    assert detail["signature_status"] == "assinado"


def test_the_received_and_sent_boxes(api, writer, reader):
    memo = send(writer)
    summary = {
        key: value
        for key, value in item_json(memo, to_units=["SEMA"], to_users=[]).items()
        if key not in {"body", "note", "parent_id", "signatures", "signature_status"}
    }

    received = api["reader"].get("/api/v1/memos/", {"caixa": "recebidos"})
    sent = api["writer"].get("/api/v1/memos/", {"caixa": "enviados"})

    assert received.json() == {"results": [summary], "next": None}
    assert sent.json() == {"results": [summary], "next": None}
    assert api["writer"].get("/api/v1/memos/").json() == {"results": [], "next": None}
    assert api["outsider"].get("/api/v1/memos/?caixa=enviados").json() == {"results": [], "next": None}
    assert api["reader"].get("/api/v1/memos/?caixa=recebidos&unidade=EMSURB").status_code == 404


def test_the_list_pages_with_a_cursor(api, writer):
    memos = [send(writer) for _ in range(3)]

    first = api["writer"].get("/api/v1/memos/?caixa=enviados&limit=2").json()
    second = api["writer"].get("/api/v1/memos/", {"caixa": "enviados", "limit": 2, "cursor": first["next"]})
    # a memo sent meanwhile is on the first page, not repeated on the second
    send(writer)
    again = api["writer"].get("/api/v1/memos/", {"caixa": "enviados", "limit": 2, "cursor": first["next"]})

    assert [row["id"] for row in first["results"]] == [memos[2].pk, memos[1].pk]
    assert first["next"]
    assert [row["id"] for row in second.json()["results"]] == [memos[0].pk]
    assert second.json()["next"] is None
    assert again.json() == second.json()


def test_the_recipient_replies_in_the_same_thread(api, writer, reader):
    memo = send(writer)

    response = api["reader"].post(
        f"/api/v1/memos/{memo.pk}/reply/", {"body": "Vistoria marcada."}, content_type="application/json"
    )

    assert response.status_code == 201
    reply = Memo.objects.get(parent=memo)
    original = item_json(memo, to_units=["SEMA"], to_users=[])
    answer = item_json(reply, to_units=["EMSURB"], to_users=[])
    assert answer["subject"] == "Re: Poda na Av. Beira Mar"
    assert answer["kind"] == "resposta"
    assert answer["sender_unit"] == SEMA
    assert response.json() == {**answer, "signature": signature_json(reply), "thread": [original, answer]}
    detail = api["writer"].get(f"/api/v1/memos/{memo.pk}/").json()
    assert detail["thread"] == [original, answer]


def test_the_sender_cannot_reply_to_its_own_memo(api, writer):
    memo = send(writer)

    response = api["writer"].post(
        f"/api/v1/memos/{memo.pk}/reply/", {"body": "Eu mesmo."}, content_type="application/json"
    )

    assert response.status_code == 403
    assert Memo.objects.count() == 1


def test_the_recipient_forwards_with_a_note(api, writer, reader, outsider):
    memo = send(writer)

    response = api["reader"].post(
        f"/api/v1/memos/{memo.pk}/forward/",
        {"note": "Para conhecimento.", "to_users": [outsider.email]},
        content_type="application/json",
    )

    assert response.status_code == 201
    forward = Memo.objects.get(parent=memo)
    assert response.json()["id"] == forward.pk
    assert response.json()["kind"] == "encaminhamento"
    assert response.json()["note"] == "Para conhecimento."
    assert response.json()["to_users"] == [outsider.email]
    # the forward brings the forwarded memo along
    assert api["outsider"].get(f"/api/v1/memos/{memo.pk}/").status_code == 200


def test_field_errors_are_in_portuguese_and_nothing_is_sent(api, writer):
    def post(payload: dict):
        return api["writer"].post("/api/v1/memos/", payload, content_type="application/json")

    base = {"subject": "Assunto", "body": "Texto"}

    assert post({}).json() == {
        "subject": ["Este campo é obrigatório."],
        "body": ["Este campo é obrigatório."],
    }
    assert post({**base, "to_units": ["XYZ"]}).json() == {
        "to_units": ["Unidade não encontrada ou inativa: XYZ."]
    }
    assert post({**base, "to_users": ["ninguem@exemplo.com.br"]}).json() == {
        "to_users": ["Não há servidor ativo com o e-mail: ninguem@exemplo.com.br."]
    }
    no_one = post(base)
    assert no_one.status_code == 400
    assert no_one.json() == {"to_units": ["Escolha ao menos um destinatário (unidade ou pessoa)."]}
    assert Memo.objects.count() == 0


def test_staff_of_two_units_names_the_sender_unit(aracaju, in_aracaju, reader):
    from paco_demo import cities as demo
    from tenant_apps.accounts.models import User
    from tests.api.conftest import session_client

    clerk = User.objects.get(email=demo.DEMO_STAFF["aracaju"]["email"])  # SEPLOG-PROT and EMSURB
    client = session_client(clerk, aracaju)
    payload = {"subject": "Assunto", "body": "Texto", "to_units": ["SEMA"]}

    missing = client.post("/api/v1/memos/", payload, content_type="application/json")
    foreign = client.post(
        "/api/v1/memos/", {**payload, "sender_unit": "SEMA"}, content_type="application/json"
    )
    sent = client.post(
        "/api/v1/memos/", {**payload, "sender_unit": "emsurb"}, content_type="application/json"
    )

    assert missing.json() == {
        "sender_unit": ["Informe a sigla da unidade remetente: você atua em mais de uma."]
    }
    assert foreign.json() == {"sender_unit": ["Você não pode agir por esta unidade."]}
    assert sent.status_code == 201
    assert sent.json()["sender_unit"] == EMSURB
    assert Memo.objects.count() == 1


def test_a_citizen_is_refused_and_staff_of_an_unrelated_unit_sees_nothing(api, writer):
    memo = send(writer)

    assert api["citizen"].get("/api/v1/memos/").status_code == 403
    assert api["citizen"].get(f"/api/v1/memos/{memo.pk}/").status_code == 403
    assert (
        api["citizen"]
        .post(
            "/api/v1/memos/",
            {"subject": "a", "body": "b", "to_units": ["SEMA"]},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert api["outsider"].get(f"/api/v1/memos/{memo.pk}/").status_code == 404
    for action, payload in (("reply", {"body": "Oi"}), ("forward", {"note": "Oi", "to_units": ["SEFAZ"]})):
        response = api["outsider"].post(
            f"/api/v1/memos/{memo.pk}/{action}/", payload, content_type="application/json"
        )
        assert response.status_code == 404
    assert api["writer"].get("/api/v1/memos/999999/").status_code == 404
    assert Memo.objects.count() == 1


def test_staff_without_the_second_factor_is_refused(aracaju, writer):
    from tests.api.conftest import session_client

    client = session_client(writer, aracaju, verified=False)

    assert client.get("/api/v1/memos/").status_code == 403


@pytest.mark.parametrize("box", ["recebidos", "enviados"])
def test_a_box_costs_the_same_queries_for_3_or_10_memos(api, writer, reader, box):
    # 10, not 30: every memo is now a PAdES-signed PDF (rendered and signed when sent)
    client = api["reader"] if box == "recebidos" else api["writer"]
    path = f"/api/v1/memos/?caixa={box}"
    for _ in range(3):
        send(writer, to_users=[reader])
    client.get(path)  # warm the host -> city cache
    few = _queries(client, path)
    for _ in range(7):
        send(writer, to_users=[reader])

    many = _queries(client, path)

    assert len(client.get(path).json()["results"]) == 10
    assert many == few


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return sum(1 for query in queries.captured_queries if not query["sql"].startswith("SET search_path"))
