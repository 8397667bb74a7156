"""A stand-in for gov.br's Login Único: a small, strict OpenID provider with its own RSA keys.

DEMONSTRATION ONLY. It is what the tests start on a local port (tests/govbr) and what `make demo`
serves under `/demo-govbr/` on each city's host, so "Entrar com gov.br" works offline. It checks
what the real provider checks, exactly: the registered client and redirect URI, PKCE (S256), the
state and nonce being sent, single-use codes, client authentication by HTTP Basic
(`client_secret_basic`) on the token endpoint, bearer tokens on userinfo and on the
reliability-levels API (`/confiabilidades/v3/contas/<cpf>/niveis`). ID tokens are RS256, signed
with a key published on the JWKS endpoint, and live 60 seconds, like gov.br's.

Knobs for the tests (`mode`): "bad_signature" signs with a key that is not published under the
same `kid`; "wrong_audience" names another client; "expired" issues a token that expired a minute
ago; "replay_nonce" puts the nonce of the previous authorization in the new ID token.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey

ID_TOKEN_SECONDS = 60
SCOPES_REQUIRED = {"openid"}
LEVEL_IDS = {"bronze": "1", "prata": "2", "ouro": "3"}


@dataclass
class Account:
    cpf: str
    name: str
    email: str
    phone: str = ""
    levels: tuple[str, ...] = ("bronze",)


@dataclass
class Answer:
    status: int
    json: Any = None
    location: str = ""
    text: str = ""


@dataclass
class OpenIdProvider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    accounts: dict[str, Account] = field(default_factory=dict)
    mode: str = ""
    # every request the provider answered: (endpoint, dict of what it checked), for the tests
    log: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "paco-demo-1", "use": "sig", "alg": "RS256"})
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "paco-demo-1"})
        self.codes: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, str] = {}
        self.sessions_ended: list[dict[str, str]] = []
        self.last_nonce = ""
        self.lock = threading.Lock()

    # discovery and keys ---------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwk",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": ["openid", "email", "profile", "govbr_confiabilidades"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    # authorization endpoint ---------------------------------------------------------------------

    def authorize(self, params: dict[str, str], *, cpf: str) -> Answer:
        """The person (`cpf`) has signed in and consented; answer the client's request."""
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != self.client_id:
            return Answer(400, text="unknown client_id")
        if redirect_uri not in self.redirect_uris:
            return Answer(400, text="redirect_uri not registered for this client")
        state = params.get("state", "")

        def refuse(error: str) -> Answer:
            return Answer(302, location=f"{redirect_uri}?{urlencode({'error': error, 'state': state})}")

        if params.get("response_type") != "code":
            return refuse("unsupported_response_type")
        if not SCOPES_REQUIRED <= set(params.get("scope", "").split()):
            return refuse("invalid_scope")
        if params.get("code_challenge_method") != "S256" or len(params.get("code_challenge", "")) != 43:
            return refuse("invalid_request")
        if len(state) < 16 or len(params.get("nonce", "")) < 16:
            return refuse("invalid_request")
        if cpf not in self.accounts:
            return refuse("access_denied")
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {
                "redirect_uri": redirect_uri,
                "code_challenge": params["code_challenge"],
                "nonce": params["nonce"],
                "cpf": cpf,
                "scope": params.get("scope", ""),
                "issued_at": time.time(),
            }
        self.log.append(("authorize", dict(params)))
        return Answer(302, location=f"{redirect_uri}?{urlencode({'code': code, 'state': state})}")

    # token endpoint -------------------------------------------------------------------------------

    def token(self, headers: dict[str, str], form: dict[str, str]) -> Answer:
        if not self._client_authenticated(headers.get("authorization", "")):
            return Answer(401, json={"error": "invalid_client"})
        if form.get("grant_type") != "authorization_code":
            return Answer(400, json={"error": "unsupported_grant_type"})
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # single use
        if grant is None or time.time() - grant["issued_at"] > 60:
            return Answer(400, json={"error": "invalid_grant"})
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return Answer(400, json={"error": "invalid_grant", "error_description": "redirect_uri"})
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or not secrets.compare_digest(digest, grant["code_challenge"]):
            return Answer(400, json={"error": "invalid_grant", "error_description": "code_verifier"})
        account = self.accounts[grant["cpf"]]
        access_token = secrets.token_urlsafe(32)
        with self.lock:
            self.access_tokens[access_token] = account.cpf
        nonce = grant["nonce"]
        if self.mode == "replay_nonce" and self.last_nonce:
            nonce = self.last_nonce
        self.last_nonce = grant["nonce"]
        self.log.append(("token", {"code_verifier": verifier, "redirect_uri": form.get("redirect_uri")}))
        return Answer(
            200,
            json={
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": grant["scope"],
                "id_token": self._id_token(account, nonce),
            },
        )

    def _client_authenticated(self, authorization: str) -> bool:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except ValueError:
            return False
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id) == self.client_id and secrets.compare_digest(
            unquote(secret), self.client_secret
        )

    def _id_token(self, account: Account, nonce: str) -> str:
        now = int(time.time())
        issued = now - 120 if self.mode == "expired" else now
        claims = {
            "iss": self.issuer,
            "sub": account.cpf,
            "aud": "outro-cliente" if self.mode == "wrong_audience" else self.client_id,
            "iat": issued,
            "exp": issued + ID_TOKEN_SECONDS,
            "nonce": nonce,
            "amr": ["passwd"],
            "name": account.name,
            "email": account.email,
            "email_verified": True,
        }
        if account.phone:
            claims["phone_number"] = account.phone
            claims["phone_number_verified"] = True
        key = self.rogue_key if self.mode == "bad_signature" else self.key
        return jwt.encode({"alg": "RS256", "kid": "paco-demo-1", "typ": "JWT"}, claims, key)

    # resource endpoints ---------------------------------------------------------------------------

    def _bearer_cpf(self, headers: dict[str, str]) -> str | None:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.access_tokens.get(value)

    def userinfo(self, headers: dict[str, str]) -> Answer:
        cpf = self._bearer_cpf(headers)
        if cpf is None:
            return Answer(401, json={"error": "invalid_token"})
        account = self.accounts[cpf]
        info = {"sub": cpf, "name": account.name, "email": account.email, "email_verified": True}
        if account.phone:
            info.update(phone_number=account.phone, phone_number_verified=True)
        return Answer(200, json=info)

    def reliability_levels(self, headers: dict[str, str], cpf: str) -> Answer:
        """gov.br's `GET /confiabilidades/v3/contas/{cpf}/niveis?response-type=ids`."""
        if self._bearer_cpf(headers) != cpf:
            return Answer(403, json={"error": "forbidden"})
        account = self.accounts[cpf]
        return Answer(
            200,
            json=[
                {"id": LEVEL_IDS[level], "dataAtualizacao": "2026-01-15 10:00:00"} for level in account.levels
            ],
        )

    def end_session(self, params: dict[str, str]) -> Answer:
        self.sessions_ended.append(dict(params))
        target = params.get("post_logout_redirect_uri", "")
        if target and not any(target.startswith(uri.split("/entrar/")[0]) for uri in self.redirect_uris):
            return Answer(400, text="post_logout_redirect_uri not registered")
        return Answer(302, location=target) if target else Answer(200, text="Sessão encerrada.")
