"""The demo's stand-in of gov.br assinatura (paco_demo.govbr_sign): its pages and endpoints as
`make demo` serves them, and the real adapter signing through it behind a local HTTP server, for
the demo staff of both cities (whose CPFs the demo seeding gives them)."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import httpx
import pytest
from asn1crypto import cms
from cryptography import x509
from django.test import Client
from django.urls import reverse
from django_tenants.utils import tenant_context

from paco_demo import cities as demo
from paco_demo.govbr_provider import Answer
from paco_demo.govbr_sign import (
    DEMO_SIGN_CLIENT_ID,
    DEMO_SIGN_CLIENT_SECRET,
    DEMO_STAFF_CPFS,
    DemoSignChain,
    GovBrSignStandIn,
)
from tenant_apps.accounts.models import User
from tenant_apps.org.models import OrgUnit
from tenant_apps.signatures.models import Signature
from tenant_apps.signatures.selectors import signatures_verified
from tests.conftest import CONTROL_PLANE_HOST, client_for

CALLBACK = "http://aracaju.localhost/staff/assinaturas/govbr/retorno/"
BRONZE_CPF = "11144477735"


@pytest.fixture(scope="module")
def chain_dir(tmp_path_factory: Any) -> Path:
    return Path(tmp_path_factory.mktemp("demo-govbr-assinatura"))


class StandInServer:
    """The stand-in behind a real HTTP server (what the demo's views do, without Django)."""

    def __init__(self, stand_in: GovBrSignStandIn) -> None:
        self.stand_in = stand_in
        self.next_cpf = ""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def _raw(self, status: int, body: bytes, content_type: str, location: str = "") -> None:
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _send(self, answer: Answer) -> None:
                if answer.json is not None:
                    self._raw(answer.status, json.dumps(answer.json).encode(), "application/json")
                else:
                    self._raw(answer.status, answer.text.encode(), "text/plain", answer.location)

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                if parts.path == "/oauth2.0/authorize":
                    self._send(outer.stand_in.authorize(dict(parse_qsl(parts.query)), cpf=outer.next_cpf))
                elif parts.path == "/externo/v2/certificadoPublico":
                    self._send(outer.stand_in.public_certificate(self.headers.get("Authorization", "")))
                else:
                    self._send(Answer(404, text="not found"))

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/oauth2.0/token":
                    self._send(outer.stand_in.token(dict(parse_qsl(body.decode()))))
                elif self.path == "/externo/v2/assinarPKCS7":
                    self._raw(*outer.stand_in.sign_pkcs7(self.headers.get("Authorization", ""), body))
                else:
                    self._send(Answer(404, text="not found"))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def stand_in_on(settings: Any, chain_dir: Path, db: Any) -> Iterator[StandInServer]:
    stand_in = GovBrSignStandIn(
        chain=DemoSignChain(chain_dir), redirect_hosts=["aracaju.localhost", "gravatai.localhost"]
    )
    server = StandInServer(stand_in)
    settings.GOVBR_SIGN_CLIENT_ID = DEMO_SIGN_CLIENT_ID
    settings.GOVBR_SIGN_CLIENT_SECRET = DEMO_SIGN_CLIENT_SECRET
    settings.GOVBR_SIGN_OAUTH_URL = f"{server.base}/oauth2.0"
    settings.GOVBR_SIGN_API_URL = f"{server.base}/externo/v2"
    stand_in.chain.ensure()
    settings.GOVBR_SIGN_ROOTS = [str(stand_in.chain.root_path)]
    yield server
    server.server.shutdown()


@pytest.mark.parametrize("slug", ["aracaju", "gravatai"])
def test_the_demo_staff_of_each_city_sign_with_govbr_through_the_stand_in(
    slug: str, stand_in_on: StandInServer, request: Any
) -> None:
    from tenant_apps.documents.services import document_create

    municipality = request.getfixturevalue(slug)
    staff_spec = demo.DEMO_STAFF[slug]
    with tenant_context(municipality):
        staff = User.objects.get(email=staff_spec["email"])
        assert staff.cpf == DEMO_STAFF_CPFS[staff_spec["email"]]  # given by the demo seeding
        document = document_create(
            kind="OFIC",
            unit=OrgUnit.objects.get(acronym=staff_spec["unit"]),
            title="Ofício assinado com gov.br",
            body="Texto.",
            author=staff,
        )
    client = client_for("staff", municipality)
    page = client.get(f"/staff/documentos/{document.pk}/assinar/").content.decode()
    assert "Assinar com gov.br" in page

    start = client.post(f"/staff/documentos/{document.pk}/assinar/govbr/", {"expected_version": 1})
    assert start.status_code == 302
    # the person picks their demo account at the stand-in, which sends them back with a code
    stand_in_on.next_cpf = staff.cpf or ""
    at_govbr = httpx.get(start["Location"])
    assert at_govbr.status_code == 302
    back = urlsplit(at_govbr.headers["Location"])
    assert (back.netloc, back.path) == (f"{slug}.localhost", "/staff/assinaturas/govbr/retorno/")
    signed = client.get(back.path, dict(parse_qsl(back.query)))

    assert signed.status_code == 302
    assert [entry for entry, _ in stand_in_on.stand_in.log] == [
        "authorize",
        "token",
        "certificadoPublico",
        "assinarPKCS7",
    ]
    with tenant_context(municipality):
        signature = Signature.objects.get(document=document)
        assert (signature.level, signature.signer_id) == ("avancada", staff.pk)
        assert (
            "DEMONSTRAÇÃO" in signature.certificate_issuer or "DEMONSTRAÇÃO" in signature.certificate_subject
        )
        verified, intact = signatures_verified(document=document)
    assert intact
    assert [(row.is_valid, row.report.trusted if row.report else None) for row in verified] == [(True, True)]


def test_a_bronze_demo_account_gets_the_page_on_raising_its_level(
    in_aracaju: Any, stand_in_on: StandInServer
) -> None:
    from tenant_apps.documents.services import document_create

    staff = User.objects.get(email=demo.DEMO_STAFF["aracaju"]["email"])
    document = document_create(
        kind="OFIC", unit=OrgUnit.objects.get(acronym="SEPLOG-PROT"), title="Ofício", body="T.", author=staff
    )
    client = client_for("staff", in_aracaju)
    start = client.post(f"/staff/documentos/{document.pk}/assinar/govbr/", {"expected_version": 1})
    stand_in_on.next_cpf = BRONZE_CPF
    back = urlsplit(httpx.get(start["Location"]).headers["Location"])

    page = client.get(back.path, dict(parse_qsl(back.query)))

    assert page.status_code == 403
    assert "prata ou ouro" in page.content.decode()
    assert not Signature.objects.filter(document=document).exists()


# --- the stand-in's own pages and endpoints, as `make demo` serves them -----------------------------


def test_the_stand_in_is_off_outside_the_demo(aracaju: Any) -> None:
    client = Client(HTTP_HOST=CONTROL_PLANE_HOST)
    assert client.get("/demo-govbr-assinatura/oauth2.0/authorize").status_code == 404
    assert client.post("/demo-govbr-assinatura/externo/v2/assinarPKCS7").status_code == 404


@pytest.fixture
def demo_views(settings: Any, chain_dir: Path) -> Client:
    settings.GOVBR_SIGN_DEMO_STANDIN = True
    settings.GOVBR_SIGN_DEMO_DIR = str(chain_dir)
    return Client(HTTP_HOST=CONTROL_PLANE_HOST)


def _authorize_query(scope: str = "sign", redirect_uri: str = CALLBACK) -> str:
    return urlencode(
        {
            "response_type": "code",
            "client_id": DEMO_SIGN_CLIENT_ID,
            "scope": scope,
            "redirect_uri": redirect_uri,
            "state": "estado-de-teste",
        }
    )


def _code(client: Client, cpf: str, scope: str = "sign") -> str:
    answer = client.post(
        f"/demo-govbr-assinatura/oauth2.0/authorize?{_authorize_query(scope)}", {"conta": cpf}
    )
    assert answer.status_code == 302
    location = urlsplit(answer["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    query = parse_qs(location.query)
    assert query["state"] == ["estado-de-teste"]
    return query["code"][0]


def _token(client: Client, code: str) -> Any:
    return client.post(
        "/demo-govbr-assinatura/oauth2.0/token",
        {
            "code": code,
            "client_id": DEMO_SIGN_CLIENT_ID,
            "grant_type": "authorization_code",
            "client_secret": DEMO_SIGN_CLIENT_SECRET,
            "redirect_uri": CALLBACK,
        },
    )


def test_the_stand_in_pages_answer_as_the_service_does(aracaju: Any, demo_views: Client) -> None:
    client = demo_views
    page = client.get(f"/demo-govbr-assinatura/oauth2.0/authorize?{_authorize_query()}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "DEMONSTRAÇÃO" in text
    assert "não é o gov.br" in text
    assert 'name="conta"' in text
    assert "71460238001" in text
    assert "http://aracaju.localhost" in page["Content-Security-Policy"]
    # a callback outside the cities is refused; no account chosen is refused
    other = _authorize_query(redirect_uri="https://malicioso.example/staff/assinaturas/govbr/retorno/")
    assert client.get(f"/demo-govbr-assinatura/oauth2.0/authorize?{other}").status_code == 400
    assert (
        client.post(f"/demo-govbr-assinatura/oauth2.0/authorize?{_authorize_query()}", {}).status_code == 400
    )
    cancelled = client.post(
        f"/demo-govbr-assinatura/oauth2.0/authorize?{_authorize_query()}", {"cancelar": "1"}
    )
    assert parse_qs(urlsplit(cancelled["Location"]).query)["error"] == ["access_denied"]

    code = _code(client, "71460238001")
    token = _token(client, code)
    assert token.status_code == 200
    access = token.json()["access_token"]
    assert _token(client, code).json() == {"error": "invalid_grant"}  # single use
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {access}"}

    certificate_answer = client.get("/demo-govbr-assinatura/externo/v2/certificadoPublico", **bearer)
    certificate = x509.load_pem_x509_certificate(certificate_answer.content)
    assert certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == (
        "Sérgio Servidor:71460238001"
    )
    assert "DEMONSTRAÇÃO" in certificate.issuer.rfc4514_string()

    digest = hashlib.sha256(b"documento").digest()
    body = json.dumps({"hashBase64": base64.b64encode(digest).decode()})
    signed = client.post(
        "/demo-govbr-assinatura/externo/v2/assinarPKCS7", body, content_type="application/json", **bearer
    )
    assert signed.status_code == 200
    info = cms.ContentInfo.load(signed.content)
    signer_info = info["content"]["signer_infos"][0]
    message_digest = next(
        attr["values"][0].native
        for attr in signer_info["signed_attrs"]
        if attr["type"].native == "message_digest"
    )
    assert message_digest == digest
    # the `sign` scope signs one hash; garbage and a missing token are refused
    again = client.post(
        "/demo-govbr-assinatura/externo/v2/assinarPKCS7", body, content_type="application/json", **bearer
    )
    assert again.status_code == 403
    assert (
        client.post(
            "/demo-govbr-assinatura/externo/v2/assinarPKCS7", body, content_type="application/json"
        ).status_code
        == 401
    )
    session_token = _token(client, _code(client, "71460238001", scope="signature_session")).json()
    bad = client.post(
        "/demo-govbr-assinatura/externo/v2/assinarPKCS7",
        json.dumps({"hashBase64": "não é base64"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {session_token['access_token']}",
    )
    assert bad.status_code == 400

    bronze = _token(client, _code(client, BRONZE_CPF)).json()["access_token"]
    refused = client.get(
        "/demo-govbr-assinatura/externo/v2/certificadoPublico", HTTP_AUTHORIZATION=f"Bearer {bronze}"
    )
    assert refused.status_code == 403
    assert "bronze" in refused.content.decode()


# --- a citizen signs their own request with gov.br ---------------------------------------------------------


@pytest.fixture
def citizen_case(in_aracaju: Any) -> Any:
    from tenant_apps.cases.services import case_open
    from tests.factories import ServiceFactory

    citizen = User.objects.get(email=demo.DEMO_CITIZEN["email"])
    service = ServiceFactory(unit=OrgUnit.objects.get(acronym="SEPLOG-PROT"), name="Declaração de residência")
    return case_open(
        service=service,
        opened_by=citizen,
        citizen=citizen,
        form_data={"endereco": "Rua das Flores, 100"},
        subject="Declaro que resido no endereço informado",
        notify_citizen=False,
        notify_unit=False,
    )


def _citizen_start(client: Client, case: Any, document: Any, stand_in_on: StandInServer, cpf: str) -> Any:
    start = client.post(
        reverse("cases:citizen_govbr_sign_start", kwargs={"nup": case.nup, "document_id": document.pk}),
        {"expected_version": 1},
    )
    assert start.status_code == 302
    assert parse_qs(urlsplit(start["Location"]).query)["scope"] == ["sign"]
    stand_in_on.next_cpf = cpf
    back = urlsplit(httpx.get(start["Location"]).headers["Location"])
    assert back.path == "/assinaturas/govbr/retorno/"
    return client.get(back.path, dict(parse_qsl(back.query)))


def _request_document(case: Any) -> Any:
    return case.case_documents.get(document__kind="REQ").document


def test_a_citizen_signs_their_request_with_govbr(
    in_aracaju: Any, citizen_case: Any, stand_in_on: StandInServer
) -> None:
    case = citizen_case
    document = _request_document(case)
    client = client_for("citizen", in_aracaju)
    page = client.get(reverse("cases:citizen_case", kwargs={"nup": case.nup}))
    assert "Assinar com gov.br" in page.content.decode()
    assert urlsplit(stand_in_on.base).netloc in page["Content-Security-Policy"]

    back = _citizen_start(client, case, document, stand_in_on, demo.DEMO_CITIZEN["cpf"])

    assert back.status_code == 302
    assert back["Location"] == reverse("cases:citizen_case", kwargs={"nup": case.nup})
    signature = Signature.objects.get(document=document)
    assert (signature.level, signature.signer.email) == ("avancada", demo.DEMO_CITIZEN["email"])
    assert signature.signer_name == demo.DEMO_CITIZEN["full_name"]
    verified, intact = signatures_verified(document=document)
    assert intact
    assert [row.is_valid for row in verified] == [True]
    after = client.get(reverse("cases:citizen_case", kwargs={"nup": case.nup})).content.decode()
    assert "Assinado por você com gov.br" in after


def test_a_citizen_cannot_sign_with_someone_elses_or_a_bronze_govbr_account(
    in_aracaju: Any, citizen_case: Any, stand_in_on: StandInServer
) -> None:
    case = citizen_case
    document = _request_document(case)
    client = client_for("citizen", in_aracaju)

    other = _citizen_start(client, case, document, stand_in_on, "71460238001")
    assert other.status_code == 302
    assert any("não é a sua" in str(m) for m in other.wsgi_request._messages)
    bronze = _citizen_start(client, case, document, stand_in_on, BRONZE_CPF)
    assert bronze.status_code == 403
    assert "prata ou ouro" in bronze.content.decode()
    assert not Signature.objects.filter(document=document).exists()


def test_a_citizen_signs_only_what_they_wrote(
    in_aracaju: Any, citizen_case: Any, stand_in_on: StandInServer
) -> None:
    from tenant_apps.cases.models import CaseDocument
    from tenant_apps.documents.services import document_create

    case = citizen_case
    staff = User.objects.get(email=demo.DEMO_STAFF["aracaju"]["email"])
    theirs = document_create(
        kind="OFIC", unit=case.current_unit, title="Ofício ao requerente", body="T.", author=staff
    )
    CaseDocument.objects.create(case=case, document=theirs, added_by=staff)
    client = client_for("citizen", in_aracaju)
    url = reverse("cases:citizen_govbr_sign_start", kwargs={"nup": case.nup, "document_id": theirs.pk})
    assert client.post(url, {"expected_version": 1}).status_code == 404
    assert not Signature.objects.filter(document=theirs).exists()
    # staff never sign through the requester's path (the case is not theirs as a requester)
    staff_url = reverse("cases:citizen_govbr_sign_start", kwargs={"nup": case.nup, "document_id": 1})
    assert client_for("staff", in_aracaju).post(staff_url, {"expected_version": 1}).status_code == 404


def test_only_the_demo_settings_turn_the_stand_in_on_and_point_the_adapter_at_it(settings: Any) -> None:
    import importlib

    demo_settings = importlib.import_module("paco.settings.demo")
    assert settings.GOVBR_SIGN_DEMO_STANDIN is False  # every other settings module: off
    assert demo_settings.GOVBR_SIGN_DEMO_STANDIN is True
    assert (demo_settings.GOVBR_SIGN_CLIENT_ID, demo_settings.GOVBR_SIGN_CLIENT_SECRET) == (
        DEMO_SIGN_CLIENT_ID,
        DEMO_SIGN_CLIENT_SECRET,
    )
    control = demo_settings.CONTROL_PLANE_BASE_URL
    assert demo_settings.GOVBR_SIGN_OAUTH_URL == f"{control}/demo-govbr-assinatura/oauth2.0"
    assert demo_settings.GOVBR_SIGN_API_URL == f"{control}/demo-govbr-assinatura/externo/v2"
    assert demo_settings.GOVBR_SIGN_ROOTS == [f"{demo_settings.GOVBR_SIGN_DEMO_DIR}/raiz.pem"]
