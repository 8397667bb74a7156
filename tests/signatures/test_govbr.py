"""The gov.br assinatura adapter against a local HTTP server that checks exactly what we send and
answers like the service (a PKCS#7 made with a test certificate over the hash it received)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from paco.errors import ApplicationError
from tenant_apps.signatures import demo_pki, pades, pki
from tenant_apps.signatures.govbr import GovBrLevelError, GovBrSignClient, govbr_enabled, govbr_pdf_sign
from tenant_apps.signatures.models import Signature
from tenant_apps.signatures.selectors import signatures_verified
from tenant_apps.signatures.services import signing_block_create
from tests.conftest import client_for

from .conftest import CLERK_CPF

CLIENT_ID = "paco-teste"
CLIENT_SECRET = "segredo-de-teste"
REDIRECT = "https://aracaju.localhost/staff/assinaturas/govbr/retorno/"
GOOD_TOKEN = "token-prata"
BRONZE_TOKEN = "token-bronze"


class _GovBr(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, dict[str, str], bytes]]
    redirect: str = REDIRECT
    authorize_code: str = "codigo-prata"
    signer: Any
    certificate_der: bytes

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).seen.append(("POST", self.path, dict(self.headers), body))
        if self.path == "/oauth2.0/token":
            form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
            expected = {
                "code": form.get("code", ""),
                "client_id": CLIENT_ID,
                "grant_type": "authorization_code",
                "client_secret": CLIENT_SECRET,
                "redirect_uri": type(self).redirect,
            }
            if form != expected or form["code"] not in ("codigo-prata", "codigo-bronze"):
                self._answer(400, b'{"error": "invalid_request"}', "application/json")
                return
            token = GOOD_TOKEN if form["code"] == "codigo-prata" else BRONZE_TOKEN
            self._answer(
                200, json.dumps({"access_token": token, "token_type": "Bearer"}).encode(), "application/json"
            )
            return
        if self.path == "/externo/v2/assinarPKCS7":
            if self.headers.get("Authorization") == f"Bearer {BRONZE_TOKEN}":
                self._answer(
                    403, "Conta de nível bronze não pode assinar".encode(), "text/plain; charset=utf-8"
                )
                return
            payload = json.loads(body)
            if self.headers.get("Authorization") != f"Bearer {GOOD_TOKEN}" or set(payload) != {"hashBase64"}:
                self._answer(400, b"bad request", "text/plain")
                return
            digest = base64.b64decode(payload["hashBase64"])
            signed = asyncio.run(type(self).signer.async_sign(digest, "sha256", use_pades=True))
            self._answer(200, signed.dump(), "application/octet-stream")
            return
        self._answer(404, b"", "text/plain")

    def do_GET(self) -> None:  # noqa: N802
        type(self).seen.append(("GET", self.path, dict(self.headers), b""))
        if self.path.startswith("/oauth2.0/authorize?"):
            # the person "authorises" at once (the browser test): back to our callback with a code
            query = {key: values[0] for key, values in parse_qs(urlparse(self.path).query).items()}
            type(self).redirect = query["redirect_uri"]
            back = urlencode({"code": type(self).authorize_code, "state": query["state"]})
            self.send_response(302)
            self.send_header("Location", f"{query['redirect_uri']}?{back}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if (
            self.path == "/externo/v2/certificadoPublico"
            and self.headers.get("Authorization") == f"Bearer {GOOD_TOKEN}"
        ):
            self._answer(200, type(self).certificate_der, "application/x-x509-cert")
            return
        self._answer(403, "nível bronze".encode(), "text/plain; charset=utf-8")

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def govbr_server(test_pki: Any) -> Iterator[tuple[str, type[_GovBr]]]:
    chain = test_pki.chain
    pfx, certificate = demo_pki.person_a1_new(
        chain=chain, full_name="Sérgio gov.br", cpf=CLERK_CPF, password="x"
    )
    key, _cert, _extra = pkcs12.load_key_and_certificates(pfx, b"x")
    handler = type("GovBr", (_GovBr,), {})
    handler.seen = []
    handler.certificate_der = certificate.public_bytes(serialization.Encoding.DER)
    handler.signer = signers.SimpleSigner(
        signing_cert=pki.to_asn1(certificate),
        signing_key=pades.private_key_info(key),
        cert_registry=SimpleCertificateStore.from_certs(
            [pki.to_asn1(certificate), pki.to_asn1(chain.intermediate)]
        ),
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()


def _client(base: str) -> GovBrSignClient:
    return GovBrSignClient(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        oauth_url=f"{base}/oauth2.0",
        api_url=f"{base}/externo/v2",
    )


def test_off_unless_configured(settings: Any) -> None:
    settings.GOVBR_SIGN_CLIENT_ID = ""
    assert govbr_enabled() is False
    with pytest.raises(ApplicationError, match="não está configurada"):
        GovBrSignClient.from_settings()


def test_authorize_url_asks_one_hash_or_a_session() -> None:
    client = _client("https://cas.example")
    one = urlparse(client.authorize_url(redirect_uri=REDIRECT, state="abc"))
    assert (one.path, parse_qs(one.query)) == (
        "/oauth2.0/authorize",
        {
            "response_type": ["code"],
            "client_id": [CLIENT_ID],
            "scope": ["sign"],
            "redirect_uri": [REDIRECT],
            "state": ["abc"],
        },
    )
    session = parse_qs(urlparse(client.authorize_url(redirect_uri=REDIRECT, state="abc", session=True)).query)
    assert session["scope"] == ["signature_session"]


def test_token_certificate_and_signature_are_embedded_as_a_valid_pades_signature(
    govbr_server: Any, unit: Any, clerk: Any, test_pki: Any
) -> None:
    from tenant_apps.documents.services import document_create, document_pdf_read

    base, handler = govbr_server
    handler.seen.clear()
    client = _client(base)
    token = client.token(code="codigo-prata", redirect_uri=REDIRECT)
    document = document_create(kind="OFIC", unit=unit, title="Ofício gov.br", body="Texto.", author=clerk)
    pdf = document_pdf_read(version=document.versions.get())
    signed = govbr_pdf_sign(
        pdf=pdf,
        client=client,
        access_token=token,
        signer_name="Cidadã gov.br",
        reason="gov.br",
        field_name="Assinatura1",
    )
    # exactly what we sent: the token exchange, the certificate, one hash
    assert [(method, path) for method, path, _headers, _body in handler.seen] == [
        ("POST", "/oauth2.0/token"),
        ("GET", "/externo/v2/certificadoPublico"),
        ("POST", "/externo/v2/assinarPKCS7"),
    ]
    sent = json.loads(handler.seen[2][3])
    assert len(base64.b64decode(sent["hashBase64"])) == 32
    assert handler.seen[2][2]["Content-Type"] == "application/json"
    reports = pades.pdf_validate(pdf=signed, trust_roots=[pki.to_asn1(test_pki.chain.root)])
    assert [(report.intact, report.valid, report.trusted) for report in reports] == [(True, True, True)]
    assert len(PdfFileReader(io.BytesIO(signed)).embedded_signatures) == 1


def test_a_bronze_account_is_refused_with_how_to_raise_it(govbr_server: Any) -> None:
    base, _handler = govbr_server
    client = _client(base)
    token = client.token(code="codigo-bronze", redirect_uri=REDIRECT)
    with pytest.raises(GovBrLevelError, match="nível bronze.*prata ou ouro"):
        client.sign_hash(access_token=token, sha256=b"\x00" * 32)


# --- the pages: "assinar com gov.br" -> authorisation -> back, signed -----------------------------------


@pytest.fixture
def govbr_on(settings: Any, govbr_server: Any) -> Any:
    base, handler = govbr_server
    settings.GOVBR_SIGN_CLIENT_ID = CLIENT_ID
    settings.GOVBR_SIGN_CLIENT_SECRET = CLIENT_SECRET
    settings.GOVBR_SIGN_OAUTH_URL = f"{base}/oauth2.0"
    settings.GOVBR_SIGN_API_URL = f"{base}/externo/v2"
    handler.seen.clear()
    return base, handler


def _authorize(response: Any, handler: Any) -> dict[str, str]:
    """The authorize URL we sent the person to; the fake server expects its redirect_uri back."""
    assert response.status_code == 302
    url = urlparse(response["Location"])
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    handler.redirect = query["redirect_uri"]
    return {"path": url.path, **query}


def _callback(client: Any, query: dict[str, str], code: str) -> Any:
    return client.get("/staff/assinaturas/govbr/retorno/", {"code": code, "state": query["state"]})


def test_the_pages_are_off_unless_configured(aracaju: Any, unit: Any, clerk: Any) -> None:
    from tenant_apps.documents.services import document_create

    document = document_create(kind="OFIC", unit=unit, title="Ofício", body="Texto.", author=clerk)
    staff = client_for("staff", aracaju)
    assert "Assinar com gov.br" not in staff.get(f"/staff/documentos/{document.pk}/assinar/").content.decode()
    response = staff.post(f"/staff/documentos/{document.pk}/assinar/govbr/", {"expected_version": 1})
    assert response.status_code == 404


def test_a_document_signed_with_govbr_one_hash(aracaju: Any, unit: Any, clerk: Any, govbr_on: Any) -> None:
    from tenant_apps.documents.services import document_create

    _base, handler = govbr_on
    document = document_create(kind="OFIC", unit=unit, title="Ofício gov.br", body="Texto.", author=clerk)
    staff = client_for("staff", aracaju)
    page = staff.get(f"/staff/documentos/{document.pk}/assinar/").content.decode()
    assert "Assinar com gov.br" in page

    query = _authorize(
        staff.post(f"/staff/documentos/{document.pk}/assinar/govbr/", {"expected_version": 1}), handler
    )
    assert (query["path"], query["scope"], query["client_id"]) == ("/oauth2.0/authorize", "sign", CLIENT_ID)
    assert query["redirect_uri"].endswith("/staff/assinaturas/govbr/retorno/")
    # a forged state signs nothing
    forged = staff.get("/staff/assinaturas/govbr/retorno/", {"code": "codigo-prata", "state": "outro"})
    assert forged.status_code == 302
    assert not Signature.objects.filter(document=document).exists()
    query = _authorize(
        staff.post(f"/staff/documentos/{document.pk}/assinar/govbr/", {"expected_version": 1}), handler
    )
    handler.seen.clear()

    back = _callback(staff, query, "codigo-prata")

    assert back.status_code == 302
    assert back["Location"] == f"/staff/documentos/{document.pk}/assinar/"
    assert [(method, path) for method, path, _headers, _body in handler.seen] == [
        ("POST", "/oauth2.0/token"),
        ("GET", "/externo/v2/certificadoPublico"),
        ("POST", "/externo/v2/assinarPKCS7"),
    ]
    signature = Signature.objects.get(document=document)
    assert (signature.level, signature.signer, signature.is_certification) == ("avancada", clerk, True)
    assert "Sérgio gov.br" in signature.certificate_subject
    again = staff.get(f"/staff/documentos/{document.pk}/assinar/").content.decode()
    assert "Você já assinou a versão 1 deste documento." in again
    assert "Assinar com gov.br" not in again
    verified, intact = signatures_verified(document=document)
    assert intact
    assert [row.is_valid for row in verified] == [True]


def test_a_block_is_signed_with_one_signature_session(
    aracaju: Any, unit: Any, clerk: Any, manager: Any, govbr_on: Any
) -> None:
    from tenant_apps.documents.services import document_create

    _base, handler = govbr_on
    documents = [
        document_create(kind="OFIC", unit=unit, title=f"Ofício {n}", body=f"Texto {n}.", author=manager)
        for n in (1, 2, 3)
    ]
    block = signing_block_create(
        title="Ofícios da semana", author=manager, documents=documents, signers=[clerk], level="avancada"
    )
    staff = client_for("staff", aracaju)
    assert "Assinar os marcados com gov.br" in staff.get("/staff/assinaturas/").content.decode()
    query = _authorize(staff.post("/staff/assinaturas/govbr/", {"blocks": [block.pk]}), handler)
    assert query["scope"] == "signature_session"
    handler.seen.clear()

    back = _callback(staff, query, "codigo-prata")

    assert back["Location"] == "/staff/assinaturas/"
    calls = [(method, path) for method, path, _headers, _body in handler.seen]
    # one token, one certificate, one hash per document
    assert calls == [
        ("POST", "/oauth2.0/token"),
        ("GET", "/externo/v2/certificadoPublico"),
        *[("POST", "/externo/v2/assinarPKCS7")] * 3,
    ]
    block.refresh_from_db()
    assert block.status == "concluido"
    assert Signature.objects.filter(document__in=documents, level="avancada", signer=clerk).count() == 3


def test_a_bronze_account_is_told_how_to_raise_its_level_and_nothing_is_signed(
    aracaju: Any, unit: Any, clerk: Any, govbr_on: Any
) -> None:
    from tenant_apps.documents.services import document_create

    _base, handler = govbr_on
    document = document_create(kind="OFIC", unit=unit, title="Ofício", body="Texto.", author=clerk)
    staff = client_for("staff", aracaju)
    query = _authorize(
        staff.post(f"/staff/documentos/{document.pk}/assinar/govbr/", {"expected_version": 1}), handler
    )

    page = _callback(staff, query, "codigo-bronze")

    assert page.status_code == 403
    text = page.content.decode()
    assert "nível bronze" in text
    assert "prata ou ouro" in text
    assert "confiabilidades.acesso.gov.br" in text
    assert not Signature.objects.filter(document=document).exists()


def test_someone_elses_govbr_account_cannot_sign(
    aracaju: Any, unit: Any, clerk: Any, manager: Any, govbr_on: Any
) -> None:
    from tenant_apps.documents.services import document_create

    _base, handler = govbr_on
    document = document_create(kind="OFIC", unit=unit, title="Ofício", body="Texto.", author=manager)
    gestor = client_for("manager", aracaju)  # the certificate the server gives is the clerk's
    query = _authorize(
        gestor.post(f"/staff/documentos/{document.pk}/assinar/govbr/", {"expected_version": 1}), handler
    )

    back = _callback(gestor, query, "codigo-prata")

    assert back.status_code == 302
    assert not Signature.objects.filter(document=document).exists()
    messages = [str(m) for m in back.wsgi_request._messages]
    assert any("não é a sua" in m for m in messages)
