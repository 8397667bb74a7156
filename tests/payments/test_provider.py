"""The PSP adapter (Pix API shape of the Banco Central) against a local HTTP server that checks
exactly what we send: the client-credentials token request, then PUT/PATCH /v2/cob/{txid},
PUT /v2/pix/{e2eid}/devolucao/{id} and PUT /v2/webhook/{chave} with the bearer token and the JSON
body. The city's own credentials (admin page, encrypted) win over the deployment's settings."""

from __future__ import annotations

import base64
import datetime as dt
import io
import ipaddress
import json
import re
import ssl
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from paco.encryption import decrypt
from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.payments import tasks
from tenant_apps.payments.brcode import brcode_build
from tenant_apps.payments.models import GuideCounter, GuideEvent, PaymentGuide, PixSettings, PspCredentials
from tenant_apps.payments.provider import PixProviderError, provider_config, tokens_forget
from tenant_apps.payments.services import (
    guide_cancel,
    guide_charge_register,
    psp_credentials_save,
    psp_webhook_register,
    refund_available,
    refund_request,
    webhook_receive,
)
from tests.certificates import certificate, certificate_pem, key_pem
from tests.comms.test_fanout_job import _in_thread

from .conftest import CPF, TEST_PURPOSE, issue, notice, pix

CLIENT_ID = "paco-aracaju"
CLIENT_SECRET = "segredo-do-psp"  # noqa: S105 - the local test server's credential
LOCATION = "pix.psp.example/qr/v2/cobv/9d36b84fc70b478fb95c12729b90ca25"


class _Psp(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]]
    tokens_issued: int
    expire_first_token: bool
    refuse_charge: bool
    client_id: str
    client_secret: str
    scope: str
    charge_started: threading.Event | None
    charge_release: threading.Event | None
    remove_started: threading.Event | None
    remove_release: threading.Event | None
    refuse_remove: bool
    refund_status: str

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test server
        return

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _record(self) -> dict[str, Any]:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        entry = {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": raw}
        type(self).seen.append(entry)
        return entry

    def do_POST(self) -> None:  # noqa: N802
        entry = self._record()
        cls = type(self)
        basic = "Basic " + base64.b64encode(f"{cls.client_id}:{cls.client_secret}".encode()).decode()
        form = parse_qs(entry["body"].decode())
        if (
            self.path != "/oauth/token"
            or self.headers.get("Authorization") != basic
            or self.headers.get("Content-Type") != "application/x-www-form-urlencoded"
            or form != {"grant_type": ["client_credentials"], "scope": [cls.scope]}
        ):
            self._answer(401, {"error": "invalid_client"})
            return
        cls.tokens_issued += 1
        self._answer(
            200, {"access_token": f"token-{cls.tokens_issued}", "token_type": "Bearer", "expires_in": 3600}
        )

    def _held_then_refused(
        self, started: threading.Event | None, release: threading.Event | None, *, refuse: bool, detail: str
    ) -> bool:
        """Hold the answer while a test looks at the caller mid-request (when it set both events),
        then refuse with 400 when it asked so; True when refused."""
        if started is not None and release is not None:
            started.set()
            release.wait(20)
        if refuse:
            self._answer(400, {"title": "Cobrança inválida", "detail": detail})
        return refuse

    def _authorized(self) -> bool:
        cls = type(self)
        token = self.headers.get("Authorization", "")
        if cls.expire_first_token and token == "Bearer token-1":
            return False
        return token == f"Bearer token-{cls.tokens_issued}"

    def do_PUT(self) -> None:  # noqa: N802
        entry = self._record()
        cls = type(self)
        if not self._authorized():
            self._answer(401, {"title": "Não autorizado"})
            return
        if self.path.startswith("/v2/webhook/"):
            assert json.loads(entry["body"]).keys() == {"webhookUrl"}
            self.send_response(204)
            self.end_headers()
            return
        refund = re.fullmatch(r"/v2/pix/(E\w+)/devolucao/(\w{1,35})", self.path)
        if refund:
            body = json.loads(entry["body"])
            self._answer(
                201,
                {
                    "id": refund.group(2),
                    "rtrId": "D12345678202612061000abcdefghijk",
                    "valor": body["valor"],
                    "horario": {"solicitacao": "2026-12-06T10:00:00.000Z"},
                    "status": cls.refund_status,
                },
            )
            return
        if self._held_then_refused(
            cls.charge_started, cls.charge_release, refuse=cls.refuse_charge,
            detail="A chave não pertence ao recebedor.",
        ):  # fmt: skip
            return
        body = json.loads(entry["body"])
        txid = self.path.rsplit("/", 1)[1]
        copy_paste = brcode_build(
            url=LOCATION, merchant_name="PREFEITURA DE ARACAJU", merchant_city="ARACAJU"
        )
        self._answer(
            201,
            {
                **body,
                "txid": txid,
                "revisao": 0,
                "status": "ATIVA",
                "loc": {"id": 7, "location": LOCATION, "tipoCob": "cob"},
                "location": LOCATION,
                "pixCopiaECola": copy_paste,
            },
        )

    def do_PATCH(self) -> None:  # noqa: N802
        entry = self._record()
        cls = type(self)
        if not self._authorized():
            self._answer(401, {"title": "Não autorizado"})
            return
        if self._held_then_refused(
            cls.remove_started, cls.remove_release, refuse=cls.refuse_remove,
            detail="A cobrança já foi concluída.",
        ):  # fmt: skip
            return
        self._answer(200, {**json.loads(entry["body"]), "txid": self.path.rsplit("/", 1)[1]})


@pytest.fixture
def psp(settings) -> Iterator[type[_Psp]]:
    handler = type(
        "Psp",
        (_Psp,),
        {
            "seen": [],
            "tokens_issued": 0,
            "expire_first_token": False,
            "refuse_charge": False,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": "cob.write cob.read",
            "charge_started": None,
            "charge_release": None,
            "remove_started": None,
            "remove_release": None,
            "refuse_remove": False,
            "refund_status": "EM_PROCESSAMENTO",
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PAYMENTS_PIX_API_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.PAYMENTS_PIX_CLIENT_ID = CLIENT_ID
    settings.PAYMENTS_PIX_CLIENT_SECRET = CLIENT_SECRET
    tokens_forget()
    try:
        yield handler
    finally:
        tokens_forget()
        server.shutdown()
        server.server_close()


def test_issue_creates_the_charge_at_the_psp_with_exactly_the_pix_api_shape(in_aracaju, psp) -> None:
    # when
    guide = issue("R-PSP", amount="257.30", due_date=timezone.localdate() + dt.timedelta(days=2))
    # then: one token, one charge
    token, charge = psp.seen
    assert (token["method"], token["path"]) == ("POST", "/oauth/token")
    assert (charge["method"], charge["path"]) == ("PUT", f"/v2/cob/{guide.txid}")
    assert charge["headers"]["Authorization"] == "Bearer token-1"
    assert charge["headers"]["Content-Type"] == "application/json"
    sent = json.loads(charge["body"])
    expiry = sent["calendario"].pop("expiracao")
    assert 2 * 86400 < expiry <= 3 * 86400
    assert sent == {
        "calendario": {},
        "devedor": {"cpf": CPF, "nome": "Maria da Silva Santos"},
        "valor": {"original": "257.30"},
        "chave": PixSettings.objects.get().key,
        "solicitacaoPagador": f"DAM {guide.display_number} - Taxa de teste",
    }
    assert len(guide.txid) == 32
    assert guide.txid.isalnum()
    assert guide.provider_location == LOCATION
    assert guide.br_code.startswith("00020101021226")  # the PSP's dynamic code, as it answered


def test_the_token_is_reused_and_renewed_once_when_refused(in_aracaju, psp) -> None:
    psp.expire_first_token = True
    issue("R-1")
    issue("R-2", payer_document="11.222.333/0001-81")
    paths = [(entry["method"], entry["path"]) for entry in psp.seen]
    # token-1 refused, renewed once (token-2) and sent again; R-2 reuses token-2
    assert [method for method, _path in paths] == ["POST", "PUT", "POST", "PUT", "PUT"]
    assert paths[0][1] == paths[2][1] == "/oauth/token"
    assert [entry["headers"]["Authorization"] for entry in psp.seen[1::2]] == [
        "Bearer token-1",
        "Bearer token-2",
    ]
    assert psp.seen[4]["headers"]["Authorization"] == "Bearer token-2"
    assert json.loads(psp.seen[4]["body"])["devedor"] == {
        "cnpj": "11222333000181",
        "nome": "Maria da Silva Santos",
    }


def test_a_refusal_by_the_psp_cancels_the_guide_with_the_banks_answer_and_keeps_its_number(
    in_aracaju, psp
) -> None:
    psp.refuse_charge = True
    year = timezone.localdate().year
    last = GuideCounter.objects.filter(year=year).values_list("last", flat=True).first() or 0
    with pytest.raises(
        ApplicationError, match=re.escape("recusou a cobrança (HTTP 400). A chave não pertence")
    ):
        issue("R-X")
    refused = PaymentGuide.objects.get(purpose=TEST_PURPOSE, reference="R-X")
    # the number is accounted for: a cancelled guide with the bank's answer, never a silent gap
    assert (refused.number, refused.status, refused.br_code) == (last + 1, "cancelada", "")
    assert "A chave não pertence ao recebedor" in refused.cancel_reason
    assert list(refused.events.values_list("kind", flat=True)) == ["emitida", "psp_recusou"]
    psp.refuse_charge = False
    again = issue("R-X")  # the same request can have a guide again
    assert (again.number, again.status) == (last + 2, "pendente")


def test_cancel_removes_the_charge_at_the_psp(in_aracaju, psp) -> None:
    guide = issue("R-C")
    guide_cancel(guide=guide, reason="Pedido retirado")
    removal = psp.seen[-1]
    assert (removal["method"], removal["path"]) == ("PATCH", f"/v2/cob/{guide.txid}")
    assert json.loads(removal["body"]) == {"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"}


def test_a_removal_refused_by_the_psp_keeps_the_guide_cancelled_with_the_banks_answer(
    in_aracaju, psp
) -> None:
    psp.refuse_remove = True
    guide = guide_cancel(guide=issue("R-CR"), reason="Pedido retirado")
    guide.refresh_from_db()
    assert guide.status == "cancelada"
    assert list(guide.events.values_list("kind", flat=True)) == ["emitida", "cancelada", "psp_recusou"]
    assert "A cobrança já foi concluída" in guide.events.get(kind="psp_recusou").reason


def test_the_guides_row_lock_is_not_held_during_the_psp_removal(aracaju, psp) -> None:
    """Real commits on threads of their own: while the PSP holds the removal of A's charge, A is
    already cancelled for everyone and its row can be locked at once (a payment notice waits for
    nobody); the removal then completes."""

    def issue_committed() -> PaymentGuide:
        with tenant_context(aracaju):
            return issue("LOCK-C")

    guide = _in_thread(issue_committed)
    assert guide.provider_location  # the charge is at the PSP
    psp.remove_started, psp.remove_release = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def cancel_in_thread() -> None:
        try:
            with tenant_context(aracaju):
                results["A"] = guide_cancel(guide=guide, reason="Pedido retirado")
        except BaseException as error:  # noqa: BLE001 - reported on the test thread
            results["A"] = error
        finally:
            connections.close_all()

    def lock_in_thread() -> None:
        try:
            with tenant_context(aracaju), transaction.atomic():
                locked = PaymentGuide.objects.select_for_update(nowait=True).get(pk=guide.pk)
                results["B"] = locked.status
        except BaseException as error:  # noqa: BLE001 - reported on the test thread
            results["B"] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=cancel_in_thread)
    try:
        first.start()
        assert psp.remove_started.wait(15)
        second = threading.Thread(target=lock_in_thread)
        second.start()
        second.join(15)
        assert results["B"] == "cancelada", results  # committed, and not locked during the PSP call
        assert first.is_alive()  # A is still at the PSP
        psp.remove_release.set()
        first.join(15)
        assert isinstance(results["A"], PaymentGuide), results
        assert psp.seen[-1]["method"] == "PATCH"
    finally:
        psp.remove_release.set()

        def cleanup() -> None:
            with tenant_context(aracaju):
                guides = PaymentGuide.objects.filter(reference="LOCK-C")
                GuideEvent.objects.filter(guide__in=guides).delete()
                guides.delete()

        _in_thread(cleanup)


def test_wrong_credentials_are_a_clear_error(in_aracaju, psp, settings) -> None:
    settings.PAYMENTS_PIX_CLIENT_SECRET = "errado"  # noqa: S105
    with pytest.raises(ApplicationError, match="recusou as credenciais"):
        issue("R-E")
    assert PaymentGuide.objects.get(purpose=TEST_PURPOSE, reference="R-E").status == "cancelada"


def test_an_unreachable_psp_is_a_clear_error(in_aracaju, settings) -> None:
    settings.PAYMENTS_PIX_API_URL = "http://127.0.0.1:9"
    settings.PAYMENTS_PIX_TIMEOUT_SECONDS = 2
    tokens_forget()
    with pytest.raises(ApplicationError, match="não respondeu"):
        issue("R-U", amount=str(Decimal("1.00")))


def _paid_by_pix(reference: str, event_id: str) -> PaymentGuide:
    guide = issue(reference)
    body, signature = notice(pix(guide, event_id=event_id))
    webhook_receive(body=body, signature=signature)
    guide.refresh_from_db()
    assert guide.status == "paga"
    return guide


def test_the_citys_own_credentials_win_over_the_deployments_and_are_stored_encrypted(
    in_aracaju, psp, caplog
) -> None:
    admin = User.objects.filter(kind="staff").order_by("id").first()
    psp.client_id, psp.client_secret, psp.scope = (
        "aracaju-proprio",
        "segredo-da-cidade",
        "cob.write pix.write",
    )
    row = psp_credentials_save(
        actor=admin,
        enabled=True,
        api_url=settings.PAYMENTS_PIX_API_URL,
        scope="cob.write pix.write",
        client_id="aracaju-proprio",
        client_secret="segredo-da-cidade",
    )
    assert row.client_secret_encrypted
    assert "segredo-da-cidade" not in row.client_secret_encrypted
    assert decrypt(row.client_secret_encrypted) == "segredo-da-cidade"
    assert "segredo-da-cidade" not in repr(provider_config())
    guide = issue("R-CIDADE")
    assert guide.br_code
    assert psp.seen[0]["path"] == "/oauth/token"
    basic = base64.b64encode(b"aracaju-proprio:segredo-da-cidade").decode()
    assert psp.seen[0]["headers"]["Authorization"] == f"Basic {basic}"
    assert "segredo-da-cidade" not in caplog.text
    # an empty secret keeps the stored one; switched off, the deployment's settings are used again
    psp_credentials_save(actor=admin, enabled=False, api_url=settings.PAYMENTS_PIX_API_URL, client_id="x")
    assert decrypt(PspCredentials.objects.get().client_secret_encrypted) == "segredo-da-cidade"
    psp.client_id, psp.client_secret, psp.scope = CLIENT_ID, CLIENT_SECRET, "cob.write cob.read"
    issue("R-INSTALACAO")
    assert (
        psp.seen[-2]["headers"]["Authorization"]
        == "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    )


def test_bad_psp_credentials_are_refused_with_a_message_and_nothing_saved(in_aracaju) -> None:
    PspCredentials.objects.all().delete()  # the demo's switched-off sandbox PSP
    admin = User.objects.filter(kind="staff").order_by("id").first()
    with pytest.raises(ApplicationError, match="https://") as plain:
        psp_credentials_save(actor=admin, enabled=True, api_url="http://psp.example/api", client_id="a")
    assert plain.value.extra["field"] == "api_url"
    with pytest.raises(ApplicationError, match="segredo do cliente"):
        psp_credentials_save(actor=admin, enabled=True, api_url="https://psp.example/api", client_id="a")
    with pytest.raises(ApplicationError, match="inválidos") as pair:
        psp_credentials_save(
            actor=admin,
            enabled=False,
            api_url="https://psp.example/api",
            certificate_pem="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            private_key_pem="-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        )
    assert pair.value.extra["field"] == "certificate_pem"
    assert not PspCredentials.objects.exists()


def test_refund_goes_to_the_psp_with_exactly_the_pix_api_shape(in_aracaju, psp) -> None:
    manager = User.objects.filter(kind="staff").order_by("id").first()
    guide = _paid_by_pix("R-DEV", "E12345678202612061000DEVOLVE01")
    refund = refund_request(
        guide=guide, actor=manager, amount=Decimal("50.00"), reason="Cobrança em duplicidade"
    )
    call = psp.seen[-1]
    assert (call["method"], call["path"]) == (
        "PUT",
        f"/v2/pix/E12345678202612061000DEVOLVE01/devolucao/{refund.refund_id}",
    )
    assert json.loads(call["body"]) == {"valor": "50.00", "descricao": "Cobrança em duplicidade"}
    assert refund.refund_id.isalnum()
    assert len(refund.refund_id) <= 35
    assert (refund.status, refund.rtr_id) == ("em_processamento", "D12345678202612061000abcdefghijk")
    guide.refresh_from_db()
    assert guide.refund_state == {"done": Decimal("0.00"), "in_progress": Decimal("50.00"), "whole": False}
    # more than what is left: refused before any call, nothing recorded
    calls = len(psp.seen)
    with pytest.raises(ApplicationError, match="R\\$ 100,00") as too_much:
        refund_request(guide=guide, actor=manager, amount=Decimal("100.01"), reason="Devolver o resto")
    assert too_much.value.extra["field"] == "amount"
    assert (len(psp.seen), guide.refunds.count()) == (calls, 1)
    # the PSP refuses: recorded as refused, the amount free again
    psp.refund_status = "NAO_REALIZADO"
    last = refund_request(guide=guide, actor=manager, amount=Decimal("100.00"), reason="Devolver o resto")
    assert last.status == "nao_realizada"
    assert refund_available(guide=guide) == Decimal("100.00")
    kinds = list(guide.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["devolucao_pedida", "devolucao_pedida", "devolucao_falhou"]


def test_webhook_registration_at_the_psp(in_aracaju, psp, settings) -> None:
    url = "https://aracaju.paco.example/api/v1/payments/psp"
    row = psp_webhook_register(url=url)
    call = psp.seen[-1]
    key = PixSettings.objects.get().key
    assert (call["method"], call["path"]) == ("PUT", f"/v2/webhook/{key}")
    assert json.loads(call["body"]) == {"webhookUrl": url}
    assert call["headers"]["Authorization"].startswith("Bearer token-")
    assert row.webhook_url == url
    assert row.webhook_registered_at is not None
    # the command does the same, with the mutual-TLS host of PAYMENTS_PSP_WEBHOOK_URL
    settings.PAYMENTS_PSP_WEBHOOK_URL = "https://{slug}.pix.paco.example/api/v1/payments/psp"
    out = io.StringIO()
    call_command("pix_webhook_register", "--schema", "aracaju", stdout=out)
    assert out.getvalue().strip() == "https://aracaju.pix.paco.example/api/v1/payments/psp/pix"
    assert json.loads(psp.seen[-1]["body"]) == {
        "webhookUrl": "https://aracaju.pix.paco.example/api/v1/payments/psp"
    }


def test_inside_a_callers_transaction_the_charge_is_created_by_the_job_after_commit(
    in_aracaju, psp, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        guide = issue("R-JOB")
        assert psp.seen == []  # no PSP call inside the caller's transaction
    assert guide.br_code == ""
    assert len(callbacks) == 1
    registered = guide_charge_register(guide_id=guide.pk, give_up=False)
    assert registered.br_code.startswith("000201")
    assert registered.provider_location == LOCATION
    assert guide_charge_register(guide_id=guide.pk, give_up=False).br_code == registered.br_code  # once
    assert [entry["method"] for entry in psp.seen].count("PUT") == 1


def test_the_job_retries_while_the_psp_is_silent_and_cancels_when_it_refuses(
    in_aracaju, psp, settings
) -> None:
    with transaction.atomic():
        guide = issue("R-JOB2")
    psp.refuse_charge = True
    tasks.guide_charge_task.fn(guide_id=guide.pk)  # refused: the guide is cancelled, no retry
    guide.refresh_from_db()
    assert (guide.status, guide.br_code) == ("cancelada", "")
    with transaction.atomic():
        other = issue("R-JOB3")
    settings.PAYMENTS_PIX_API_URL = "http://127.0.0.1:9"
    settings.PAYMENTS_PIX_TIMEOUT_SECONDS = 1
    with pytest.raises(PixProviderError):
        tasks.guide_charge_task.fn(guide_id=other.pk)  # silent: raised, so dramatiq retries
    other.refresh_from_db()
    assert (other.status, other.br_code) == ("pendente", "")


def test_the_years_numbering_lock_is_not_held_during_the_psp_call(aracaju, psp) -> None:
    """Real commits on threads of their own: while the PSP holds guide A's charge, guide B is issued
    (taking the next number) without waiting for A."""
    psp.charge_started, psp.charge_release = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def issue_in_thread(name: str) -> None:
        try:
            with tenant_context(aracaju):
                results[name] = issue(f"LOCK-{name}")
        except BaseException as error:  # noqa: BLE001 - reported on the test thread
            results[name] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=issue_in_thread, args=("A",))
    second = threading.Thread(target=issue_in_thread, args=("B",))
    try:
        first.start()
        assert psp.charge_started.wait(15)
        psp.charge_started, psp.charge_release, release = None, None, psp.charge_release
        second.start()
        second.join(15)
        assert not second.is_alive(), "B waited for A's PSP call: the numbering lock was held"
        assert first.is_alive()  # A is still at the PSP
        release.set()
        first.join(15)
        a, b = results["A"], results["B"]
        assert isinstance(a, PaymentGuide), results
        assert isinstance(b, PaymentGuide), results
        assert b.number == a.number + 1
        assert a.br_code
        assert b.br_code
    finally:
        if psp.charge_release is not None:
            psp.charge_release.set()

        def cleanup() -> None:
            with tenant_context(aracaju):
                guides = PaymentGuide.objects.filter(reference__in=["LOCK-A", "LOCK-B"])
                GuideEvent.objects.filter(guide__in=guides).delete()
                guides.delete()

        _in_thread(cleanup)


def _tls_material(folder: Path) -> dict[str, str]:
    """A test CA, a server certificate for 127.0.0.1 and the city's client certificate it signed."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate(
        common_name="CA de teste do PSP",
        key=ca_key,
        extensions=((x509.BasicConstraints(ca=True, path_length=0), True),),
    )
    signed_by_ca = {"issuer": ca.subject, "signer": ca_key}
    server_key = ec.generate_private_key(ec.SECP256R1())
    san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    server = certificate(common_name="127.0.0.1", key=server_key, extensions=((san, False),), **signed_by_ca)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = certificate(common_name="prefeitura-aracaju", key=client_key, **signed_by_ca)
    files = {"ca": certificate_pem(ca), "server": certificate_pem(server), "server_key": key_pem(server_key)}
    for name, text in files.items():
        (folder / f"{name}.pem").write_text(text)
    return {**files, "client": certificate_pem(client), "client_key": key_pem(client_key)}


def test_mutual_tls_presents_the_citys_certificate_held_encrypted_in_the_database(
    in_aracaju, psp, tmp_path, monkeypatch
) -> None:
    """A local HTTPS PSP that refuses any client without a certificate from its CA: the city's
    certificate and key, pasted on the admin page and stored (the key encrypted), are presented."""
    material = _tls_material(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server_key.pem")
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(tmp_path / "ca.pem")
    peers: list[Any] = []

    class TlsPsp(psp):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            super().setup()
            peers.append(self.connection.getpeercert())

    server = ThreadingHTTPServer(("127.0.0.1", 0), TlsPsp)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # the client trusts the test CA
    admin = User.objects.filter(kind="staff").order_by("id").first()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}"
        psp_credentials_save(
            actor=admin,
            enabled=True,
            api_url=url,
            scope="cob.write cob.read",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            certificate_pem=material["client"],
            private_key_pem=material["client_key"],
        )
        assert "PRIVATE KEY" not in PspCredentials.objects.get().private_key_encrypted
        guide = issue("R-TLS")
        assert guide.br_code
        assert [entry["path"] for entry in psp.seen] == ["/oauth/token", f"/v2/cob/{guide.txid}"]
        subjects = {dict(part[0] for part in peer["subject"])["commonName"] for peer in peers}
        assert subjects == {"prefeitura-aracaju"}
        # without the certificate the PSP closes the handshake: a clear error, nothing created there
        PspCredentials.objects.update(certificate_pem="", private_key_encrypted="")
        tokens_forget()
        before = len(psp.seen)
        with pytest.raises(ApplicationError, match="não respondeu"):
            issue("R-TLS-2")
        assert len(psp.seen) == before
    finally:
        server.shutdown()
        server.server_close()
