"""DEMONSTRATION ONLY: a stand-in for gov.br assinatura (ITI's "API de assinatura digital gov.br").

NOT gov.br, NOT ICP-Brasil. It answers the four calls our adapter (tenant_apps.signatures.govbr)
makes, the way the real service does, and checks exactly what the real one checks:

- `GET  {oauth}/authorize?response_type=code&client_id&scope=sign|signature_session&redirect_uri&state`
  (a page where a demo person is picked; back to `redirect_uri` with `code` and `state`);
- `POST {oauth}/token` (form: code, client_id, grant_type=authorization_code, client_secret,
  redirect_uri; the code is single use and lives 60 s) -> `{"access_token", "token_type", ...}`;
- `GET  {api}/certificadoPublico` (Bearer) -> the person's certificate, PEM;
- `POST {api}/assinarPKCS7` (Bearer, JSON `{"hashBase64"}`, a SHA-256) -> a detached PKCS#7 (DER)
  over that hash. The `sign` scope signs one hash, `signature_session` up to 100.
A bronze account is refused with HTTP 403 ("nível bronze"), as the service refuses it.

The certificates come from a demo chain generated on first use with `cryptography` and kept in a
folder (`GOVBR_SIGN_DEMO_DIR`): "AC Raiz ... (DEMONSTRAÇÃO)" -> "AC Final ... (DEMONSTRAÇÃO)" ->
one certificate per demo person, `CN=<name>:<CPF>` as gov.br issues them. Codes and tokens live in
Django's cache (the demo's web server runs several processes). Served by `paco_demo.govbr_sign_views`
under /demo-govbr-assinatura/ on the control-plane host only when GOVBR_SIGN_DEMO_STANDIN is on
(`make demo`); the tests put the same class behind a local HTTP server.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import fcntl
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.cache import cache
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tenant_apps.signatures import pades, pki

from .cities import DEMO_CITIZEN
from .govbr_provider import Answer

DEMO_SIGN_CLIENT_ID = "paco-demo-assinatura"
DEMO_SIGN_CLIENT_SECRET = "segredo-de-demonstracao-assinatura"  # noqa: S105 - public demo secret
SESSION_MAX_HASHES = 100
CODE_SECONDS = 60
TOKEN_SECONDS = 600
CALLBACK_PATHS = ("/staff/assinaturas/govbr/retorno/", "/assinaturas/govbr/retorno/")
LABEL = "DEMONSTRAÇÃO — NÃO É gov.br"


@dataclass(frozen=True)
class SignAccount:
    cpf: str
    name: str
    level: str  # "bronze", "prata" or "ouro"


# the demo people who can "sign with gov.br" (staff CPFs are given to them by signatures' demo.py)
DEMO_SIGN_ACCOUNTS: dict[str, SignAccount] = {
    account.cpf: account
    for account in (
        SignAccount("71460238001", "Sérgio Servidor", "prata"),
        SignAccount("85673926081", "Ana Administradora", "ouro"),
        SignAccount("46301857984", "Gabriela Fiscal", "prata"),
        SignAccount("29817463087", "Gustavo Gestor", "ouro"),
        SignAccount(DEMO_CITIZEN["cpf"], DEMO_CITIZEN["full_name"], "prata"),
        SignAccount("11144477735", "João Pereira Demonstração", "bronze"),
    )
}
# the demo staff e-mail -> the CPF of their demo gov.br account
DEMO_STAFF_CPFS = {
    "servidor@aracaju.se.gov.br": "71460238001",
    "admin@aracaju.se.gov.br": "85673926081",
    "servidor@gravatai.rs.gov.br": "46301857984",
    "admin@gravatai.rs.gov.br": "29817463087",
}


def _name(common_name: str, unit: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Gov-Br (DEMONSTRAÇÃO)"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
            x509.NameAttribute(NameOID.COMMON_NAME, pki.name_fit(common_name)),
        ]
    )


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: Any) -> bytes:
    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    os.chmod(temporary, 0o600)
    temporary.replace(path)


@dataclass
class DemoSignChain:
    """The demo chain in `folder` (made once, under a file lock: several processes share it)."""

    folder: Path

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)

    @property
    def root_path(self) -> Path:
        return self.folder / "raiz.pem"

    def _locked(self) -> Any:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle = open(self.folder / ".lock", "w")  # noqa: SIM115 - closed by the caller
        fcntl.flock(handle, fcntl.LOCK_EX)
        return handle

    def ensure(self) -> None:
        if (self.folder / "ac.pem").exists():
            return
        with self._locked():
            if (self.folder / "ac.pem").exists():
                return
            root_key = pki.rsa_key_new(2048)
            root = pki.ca_certificate_new(
                key=root_key,
                name=_name("AC Raiz do Governo Federal do Brasil (DEMONSTRAÇÃO)", LABEL),
                path_length=1,
            )
            ac_key = pki.rsa_key_new(2048)
            ac = pki.ca_certificate_new(
                key=ac_key,
                name=_name("AC Final do Governo Federal do Brasil (DEMONSTRAÇÃO)", LABEL),
                issuer_key=root_key,
                issuer_name=root.subject,
                path_length=0,
            )
            _write(self.folder / "ac.key", _key_pem(ac_key))
            _write(self.root_path, _pem(root))
            _write(self.folder / "ac.pem", _pem(ac))

    def intermediate(self) -> x509.Certificate:
        self.ensure()
        return x509.load_pem_x509_certificate((self.folder / "ac.pem").read_bytes())

    def person(self, account: SignAccount) -> tuple[x509.Certificate, Any]:
        """The person's demo certificate and key (made on first use)."""
        self.ensure()
        certificate_path = self.folder / f"{account.cpf}.pem"
        key_path = self.folder / f"{account.cpf}.key"
        if not certificate_path.exists():
            with self._locked():
                if not certificate_path.exists():
                    ac = self.intermediate()
                    ac_key = serialization.load_pem_private_key(
                        (self.folder / "ac.key").read_bytes(), password=None
                    )
                    key = pki.rsa_key_new(2048)
                    certificate = pki.end_entity_certificate_new(
                        key=key,
                        name=_name(f"{account.name}:{account.cpf}", "Assinatura gov.br (DEMONSTRAÇÃO)"),
                        issuer_key=ac_key,
                        issuer_certificate=ac,
                        extended_key_usages=[ExtendedKeyUsageOID.EMAIL_PROTECTION],
                    )
                    _write(key_path, _key_pem(key))
                    _write(certificate_path, _pem(certificate))
        certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
        loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return certificate, loaded


@dataclass
class GovBrSignStandIn:
    """The service's four endpoints as plain methods answering `Answer`s (see the module docstring)."""

    chain: DemoSignChain
    client_id: str = DEMO_SIGN_CLIENT_ID
    client_secret: str = DEMO_SIGN_CLIENT_SECRET
    redirect_hosts: list[str] = field(default_factory=list)  # "host[:port]" of the cities
    accounts: dict[str, SignAccount] = field(default_factory=lambda: dict(DEMO_SIGN_ACCOUNTS))
    # every request answered, for the tests: (endpoint, what it checked)
    log: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def redirect_allowed(self, redirect_uri: str) -> bool:
        from urllib.parse import urlsplit

        parts = urlsplit(redirect_uri)
        return (
            parts.scheme in ("http", "https")
            and parts.netloc in self.redirect_hosts
            and parts.path in CALLBACK_PATHS
            and not parts.query
        )

    def authorize(self, params: dict[str, str], *, cpf: str) -> Answer:
        """The person (`cpf`) has signed in at gov.br and authorised the signature."""
        from urllib.parse import urlencode

        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != self.client_id:
            return Answer(400, text="unknown client_id")
        if not self.redirect_allowed(redirect_uri):
            return Answer(400, text="redirect_uri not registered for this client")
        state = params.get("state", "")

        def refuse(error: str) -> Answer:
            return Answer(302, location=f"{redirect_uri}?{urlencode({'error': error, 'state': state})}")

        if params.get("response_type") != "code":
            return refuse("unsupported_response_type")
        scope = params.get("scope", "")
        if scope not in ("sign", "signature_session"):
            return refuse("invalid_scope")
        if not state:
            return refuse("invalid_request")
        if cpf not in self.accounts:
            return refuse("access_denied")
        code = secrets.token_urlsafe(24)
        cache.set(
            f"demo-govbr-sign:code:{code}",
            {"cpf": cpf, "scope": scope, "redirect_uri": redirect_uri, "at": time.time()},
            CODE_SECONDS,
        )
        self.log.append(("authorize", dict(params)))
        return Answer(302, location=f"{redirect_uri}?{urlencode({'code': code, 'state': state})}")

    def cancel(self, params: dict[str, str]) -> Answer:
        """The person chose "Cancelar": back to the client with `error=access_denied`."""
        from urllib.parse import urlencode

        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != self.client_id or not self.redirect_allowed(redirect_uri):
            return Answer(400, text="redirect_uri not registered for this client")
        query = urlencode({"error": "access_denied", "state": params.get("state", "")})
        return Answer(302, location=f"{redirect_uri}?{query}")

    def token(self, form: dict[str, str]) -> Answer:
        expected = {"code", "client_id", "grant_type", "client_secret", "redirect_uri"}
        if set(form) != expected:
            return Answer(400, json={"error": "invalid_request"})
        if form["client_id"] != self.client_id or not secrets.compare_digest(
            form["client_secret"], self.client_secret
        ):
            return Answer(401, json={"error": "invalid_client"})
        if form["grant_type"] != "authorization_code":
            return Answer(400, json={"error": "unsupported_grant_type"})
        key = f"demo-govbr-sign:code:{form['code']}"
        grant = cache.get(key)
        if grant is None or not cache.delete(key):  # single use
            return Answer(400, json={"error": "invalid_grant"})
        if form["redirect_uri"] != grant["redirect_uri"]:
            return Answer(400, json={"error": "invalid_grant", "error_description": "redirect_uri"})
        access_token = secrets.token_urlsafe(32)
        allowed = SESSION_MAX_HASHES if grant["scope"] == "signature_session" else 1
        cache.set(
            f"demo-govbr-sign:token:{access_token}",
            {"cpf": grant["cpf"], "left": allowed},
            TOKEN_SECONDS,
        )
        self.log.append(("token", {"redirect_uri": form["redirect_uri"], "scope": grant["scope"]}))
        return Answer(
            200,
            json={
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": TOKEN_SECONDS,
                "scope": grant["scope"],
            },
        )

    def _bearer(self, authorization: str) -> tuple[str, dict[str, Any]] | None:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value:
            return None
        grant = cache.get(f"demo-govbr-sign:token:{value}")
        return (value, grant) if grant else None

    def _bronze(self, cpf: str) -> Answer | None:
        if self.accounts[cpf].level == "bronze":
            return Answer(
                403,
                text="Conta gov.br de nível bronze: a assinatura exige nível prata ou ouro.",
            )
        return None

    def public_certificate(self, authorization: str) -> Answer:
        found = self._bearer(authorization)
        if found is None:
            return Answer(401, json={"error": "invalid_token"})
        cpf = found[1]["cpf"]
        refused = self._bronze(cpf)
        if refused:
            return refused
        certificate, _key = self.chain.person(self.accounts[cpf])
        self.log.append(("certificadoPublico", {"cpf": cpf}))
        return Answer(200, text=_pem(certificate).decode())

    def sign_pkcs7(self, authorization: str, body: bytes) -> tuple[int, bytes, str]:
        """(status, body, content type): a detached PKCS#7 (DER) over the SHA-256 received."""
        found = self._bearer(authorization)
        if found is None:
            return 401, b'{"error": "invalid_token"}', "application/json"
        token, grant = found
        refused = self._bronze(grant["cpf"])
        if refused:
            return refused.status, refused.text.encode(), "text/plain; charset=utf-8"
        try:
            payload = json.loads(body)
            digest = base64.b64decode(payload["hashBase64"], validate=True)
        except (ValueError, KeyError, TypeError, binascii.Error):
            return 400, b'{"error": "hashBase64"}', "application/json"
        if set(payload) != {"hashBase64"} or len(digest) != 32:
            return 400, b'{"error": "hashBase64 must be one SHA-256"}', "application/json"
        key_name = f"demo-govbr-sign:token:{token}"
        if grant["left"] < 1:
            return 403, b'{"error": "hash limit of this authorization reached"}', "application/json"
        cache.set(key_name, {**grant, "left": grant["left"] - 1}, TOKEN_SECONDS)
        certificate, key = self.chain.person(self.accounts[grant["cpf"]])
        signer = signers.SimpleSigner(
            signing_cert=pki.to_asn1(certificate),
            signing_key=pades.private_key_info(key),
            cert_registry=SimpleCertificateStore.from_certs(
                [pki.to_asn1(certificate), pki.to_asn1(self.chain.intermediate())]
            ),
        )
        signed = asyncio.run(signer.async_sign(digest, "sha256", use_pades=True))
        self.log.append(("assinarPKCS7", {"cpf": grant["cpf"], "hash": payload["hashBase64"]}))
        return 200, signed.dump(), "application/octet-stream"
