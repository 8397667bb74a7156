"""Aracaju's clerk and manager, a case in their unit, a DEMONSTRATION ICP-shaped PKI (root, AC,
A1 files with the CPF field, a CRL) and a local RFC 3161 timestamp authority over HTTP."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from asn1crypto import tsp
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from paco_demo import cities as demo
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case
from tenant_apps.cases.services import case_open
from tenant_apps.org.enums import Role
from tenant_apps.org.models import Membership, OrgUnit
from tenant_apps.signatures import demo_pki, pades, pki
from tests.documents.conftest import media_root  # noqa: F401 - the fixture, for these tests too
from tests.factories import ServiceFactory

CLERK_CPF = "39053344705"
MANAGER_CPF = "11144477735"
A1_PASSWORD = "senha-do-a1"


@dataclass
class TestPki:
    chain: demo_pki.DemoChain
    manager_a1: bytes
    clerk_a1: bytes
    expired_a1: bytes
    revoked_a1: bytes
    no_cpf_a1: bytes
    foreign_a1: bytes  # a well-formed A1 of another hierarchy (not ICP)
    roots_path: str
    crl_paths: list[str]
    tsa_url: str


class _TsaHandler(BaseHTTPRequestHandler):
    stamper: DummyTimeStamper
    requests: list[bytes]

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        type(self).requests.append(body)
        request = tsp.TimeStampReq.load(body)
        response = self.stamper.request_tsa_response(request)
        data = response.dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory: Any) -> Iterator[TestPki]:
    folder = tmp_path_factory.mktemp("pki")
    chain = demo_pki.chain_new(label="TESTES")
    now = dt.datetime.now(dt.UTC)
    manager_a1, _manager = demo_pki.person_a1_new(
        chain=chain, full_name="Gestor", cpf=MANAGER_CPF, password=A1_PASSWORD
    )
    clerk_a1, _clerk = demo_pki.person_a1_new(
        chain=chain, full_name="Servidor", cpf=CLERK_CPF, password=A1_PASSWORD
    )
    expired_a1, _expired = demo_pki.person_a1_new(
        chain=chain,
        full_name="Gestor",
        cpf=MANAGER_CPF,
        password=A1_PASSWORD,
        not_before=now - dt.timedelta(days=800),
        not_after=now - dt.timedelta(days=1),
    )
    revoked_a1, revoked = demo_pki.person_a1_new(
        chain=chain, full_name="Gestor", cpf=MANAGER_CPF, password=A1_PASSWORD
    )
    no_cpf_a1, _no_cpf = demo_pki.person_a1_new(
        chain=chain, full_name="Gestor", cpf=MANAGER_CPF, password=A1_PASSWORD, with_cpf=False
    )
    other = demo_pki.chain_new(label="OUTRA")
    foreign_a1, _foreign = demo_pki.person_a1_new(
        chain=other, full_name="Gestor", cpf=MANAGER_CPF, password=A1_PASSWORD
    )
    chain.revoked_serials.append(revoked.serial_number)
    roots = folder / "raiz.pem"
    roots.write_bytes(chain.root_pem())
    crl = folder / "ac.crl"
    crl.write_bytes(chain.crl_der())
    root_crl = folder / "raiz.crl"
    root_crl.write_bytes(chain.root_crl_der())
    tsa_certificate, tsa_key = demo_pki.tsa_new(chain=chain)
    handler = type("Handler", (_TsaHandler,), {})
    handler.stamper = DummyTimeStamper(
        tsa_cert=pki.to_asn1(tsa_certificate),
        tsa_key=pades.private_key_info(tsa_key),
        certs_to_embed=SimpleCertificateStore.from_certs([pki.to_asn1(chain.intermediate)]),
    )
    handler.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield TestPki(
        chain=chain,
        manager_a1=manager_a1,
        clerk_a1=clerk_a1,
        expired_a1=expired_a1,
        revoked_a1=revoked_a1,
        no_cpf_a1=no_cpf_a1,
        foreign_a1=foreign_a1,
        roots_path=str(roots),
        crl_paths=[str(crl), str(root_crl)],
        tsa_url=f"http://127.0.0.1:{server.server_address[1]}/",
    )
    server.shutdown()


@pytest.fixture(autouse=True)
def icp_settings(settings: Any, test_pki: TestPki) -> TestPki:
    settings.SIGNATURES_ICP_ROOTS = [test_pki.roots_path]
    settings.SIGNATURES_ICP_CRLS = test_pki.crl_paths
    settings.SIGNATURES_TSA_URL = ""
    return test_pki


@pytest.fixture
def unit(in_aracaju: Any) -> OrgUnit:
    return OrgUnit.objects.get(acronym=demo.DEMO_STAFF["aracaju"]["unit"])


@pytest.fixture
def clerk(unit: OrgUnit) -> User:
    user = User.objects.get(email=demo.DEMO_STAFF["aracaju"]["email"])
    user.cpf = CLERK_CPF
    user.save(update_fields=["cpf"])
    TOTPDevice.objects.filter(user=user).update(last_t=-1)  # the demo seeding signed with this device
    return user


@pytest.fixture
def manager(unit: OrgUnit) -> User:
    user = User.objects.get(email="gestor@aracaju.gov.br")
    user.cpf = MANAGER_CPF
    user.save(update_fields=["cpf"])
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    return user


@pytest.fixture
def admin(in_aracaju: Any) -> User:
    spec = next(spec for spec in demo.DEMO_MUNICIPALITIES if spec.slug == "aracaju")
    return User.objects.get(email=spec.admin.email)  # type: ignore[union-attr]


@pytest.fixture
def other_unit_staff(in_aracaju: Any) -> User:
    user = User.objects.create_user(
        "outra.unidade@aracaju.se.gov.br",
        demo.DEMO_PASSWORD,
        full_name="Otávio Outra Unidade",
        kind=UserKind.STAFF,
    )
    Membership.objects.create(user=user, unit=OrgUnit.objects.get(acronym="SEMA"), role=Role.STAFF)
    TOTPDevice.objects.create(user=user, name="default", confirmed=True, key=demo.DEMO_TOTP_KEY_HEX)
    return user


@pytest.fixture
def case(unit: OrgUnit, clerk: User) -> Case:
    citizen = User.objects.get(email=demo.DEMO_CITIZEN["email"])
    service = ServiceFactory(unit=unit, name="Alvará de funcionamento")
    return case_open(
        service=service,
        opened_by=clerk,
        citizen=citizen,
        form_data={"endereco": "Rua das Flores, 100"},
        subject="Pedido de alvará da padaria",
        notify_citizen=False,
        notify_unit=False,
    )


def otp_now(user: User, *, drift: int = 0) -> str:
    """The user's current TOTP code (drift in 30-second steps, for a second use in one test)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift + device.drift
    )
    return f"{code:06d}"
