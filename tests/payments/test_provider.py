"""The PSP adapter (Pix API shape of the Banco Central) against a local HTTP server that checks
exactly what we send: the client-credentials token request, then PUT/PATCH /v2/cob/{txid} with
the bearer token and the JSON body."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from paco.errors import ApplicationError
from tenant_apps.payments.brcode import brcode_build
from tenant_apps.payments.models import PaymentGuide, PixSettings
from tenant_apps.payments.provider import tokens_forget
from tenant_apps.payments.services import guide_cancel

from .conftest import CPF, TEST_PURPOSE, issue

CLIENT_ID = "paco-aracaju"
CLIENT_SECRET = "segredo-do-psp"  # noqa: S105 - the local test server's credential
LOCATION = "pix.psp.example/qr/v2/cobv/9d36b84fc70b478fb95c12729b90ca25"


class _Psp(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]]
    tokens_issued: int
    expire_first_token: bool
    refuse_charge: bool

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
        basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = parse_qs(entry["body"].decode())
        if (
            self.path != "/oauth/token"
            or self.headers.get("Authorization") != basic
            or self.headers.get("Content-Type") != "application/x-www-form-urlencoded"
            or form != {"grant_type": ["client_credentials"], "scope": ["cob.write cob.read"]}
        ):
            self._answer(401, {"error": "invalid_client"})
            return
        cls.tokens_issued += 1
        self._answer(
            200, {"access_token": f"token-{cls.tokens_issued}", "token_type": "Bearer", "expires_in": 3600}
        )

    def _authorized(self) -> bool:
        cls = type(self)
        token = self.headers.get("Authorization", "")
        if cls.expire_first_token and token == "Bearer token-1":
            return False
        return token == f"Bearer token-{cls.tokens_issued}"

    def do_PUT(self) -> None:  # noqa: N802
        entry = self._record()
        if not self._authorized():
            self._answer(401, {"title": "Não autorizado"})
            return
        if type(self).refuse_charge:
            self._answer(400, {"title": "Cobrança inválida", "detail": "A chave não pertence ao recebedor."})
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
        if not self._authorized():
            self._answer(401, {"title": "Não autorizado"})
            return
        self._answer(200, {**json.loads(entry["body"]), "txid": self.path.rsplit("/", 1)[1]})


@pytest.fixture
def psp(settings) -> Iterator[type[_Psp]]:
    handler = type(
        "Psp", (_Psp,), {"seen": [], "tokens_issued": 0, "expire_first_token": False, "refuse_charge": False}
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


def test_a_refusal_by_the_psp_saves_nothing_and_gives_the_number_back(in_aracaju, psp) -> None:
    psp.refuse_charge = True
    before = PaymentGuide.objects.count()
    with pytest.raises(
        ApplicationError, match=re.escape("recusou a cobrança (HTTP 400). A chave não pertence")
    ):
        issue("R-X")
    assert PaymentGuide.objects.count() == before
    psp.refuse_charge = False
    guide = issue("R-X")
    assert guide.number == (PaymentGuide.objects.exclude(pk=guide.pk).order_by("-number").first().number + 1)


def test_cancel_removes_the_charge_at_the_psp(in_aracaju, psp) -> None:
    guide = issue("R-C")
    guide_cancel(guide=guide, reason="Pedido retirado")
    removal = psp.seen[-1]
    assert (removal["method"], removal["path"]) == ("PATCH", f"/v2/cob/{guide.txid}")
    assert json.loads(removal["body"]) == {"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"}


def test_wrong_credentials_are_a_clear_error(in_aracaju, psp, settings) -> None:
    settings.PAYMENTS_PIX_CLIENT_SECRET = "errado"  # noqa: S105
    with pytest.raises(ApplicationError, match="recusou as credenciais"):
        issue("R-E")
    assert not PaymentGuide.objects.filter(purpose=TEST_PURPOSE, reference="R-E").exists()


def test_an_unreachable_psp_is_a_clear_error(in_aracaju, settings) -> None:
    settings.PAYMENTS_PIX_API_URL = "http://127.0.0.1:9"
    settings.PAYMENTS_PIX_TIMEOUT_SECONDS = 2
    tokens_forget()
    with pytest.raises(ApplicationError, match="não respondeu"):
        issue("R-U", amount=str(Decimal("1.00")))
