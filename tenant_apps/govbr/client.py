"""The gov.br Login Único adapter: the only module that talks to gov.br (authlib + joserfc).

OpenID Connect authorization code flow with PKCE (S256), state and nonce, as gov.br documents it
(https://acesso.gov.br/roteiro-tecnico/): client authentication `client_secret_basic`, scopes
`openid email profile govbr_confiabilidades`, RS256 ID tokens that live 60 seconds, checked against
the provider's JWKS; the CPF is the subject. The reliability levels (bronze, prata, ouro) come from
the reliability-levels API with the access token. Nothing here touches the database: callers
pass the city's configuration in and get the person's claims out.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from paco.errors import ApplicationError

SCOPES = "openid email profile govbr_confiabilidades"
ID_TOKEN_MAX_SECONDS = 60  # gov.br's ID tokens live 60 s
CLOCK_LEEWAY_SECONDS = 5
HTTP_TIMEOUT_SECONDS = 10
DISCOVERY_CACHE_SECONDS = 3600
LEVEL_BY_ID = {"1": "bronze", "2": "prata", "3": "ouro"}
LEVEL_ORDER = ("bronze", "prata", "ouro")

# gov.br's published hosts: the reliability API lives on another host than the issuer.
RELIABILITY_API_BY_ISSUER = {
    "https://sso.acesso.gov.br": "https://api.acesso.gov.br",
    "https://sso.staging.acesso.gov.br": "https://api.staging.acesso.gov.br",
}


class GovBrError(ApplicationError):
    """The sign-in with gov.br could not be completed; `message` is for the person."""


@dataclass(frozen=True)
class ClientConfig:
    issuer: str
    client_id: str
    client_secret: str
    reliability_api: str = ""

    @property
    def reliability_base(self) -> str:
        return (
            self.reliability_api or RELIABILITY_API_BY_ISSUER.get(self.issuer.rstrip("/")) or self.issuer
        ).rstrip("/")


@dataclass(frozen=True)
class Authorization:
    """What the browser is sent to, and what the session keeps to check the answer."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class GovBrPerson:
    cpf: str
    name: str
    email: str
    email_verified: bool
    phone: str
    reliability_level: str  # "" when the API did not answer
    reliability_read_at: dt.datetime | None
    id_token: str  # kept in the session only, as the end-session hint


def metadata(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, cached per issuer."""
    key = f"govbr:discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        try:
            response = requests.get(
                f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT_SECONDS
            )
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise GovBrError(_("O gov.br não respondeu. Tente de novo em alguns minutos.")) from error
        if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
            raise GovBrError(_("A configuração do gov.br desta prefeitura está incorreta (emissor)."))
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def _session(config: ClientConfig, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scope=SCOPES,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name
    )


def authorization_start(config: ClientConfig, *, redirect_uri: str) -> Authorization:
    """A new authorization request with fresh state, nonce and PKCE verifier (RFC 7636)."""
    document = metadata(config.issuer)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    url, _state = _session(config, redirect_uri).create_authorization_url(
        document["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
    )
    assert create_s256_code_challenge(verifier) in url  # noqa: S101 - authlib sent the S256 challenge
    return Authorization(url=url, state=state, nonce=nonce, code_verifier=verifier)


def authorization_finish(
    config: ClientConfig,
    *,
    redirect_uri: str,
    params: dict[str, str],
    expected_state: str,
    nonce: str,
    code_verifier: str,
) -> GovBrPerson:
    """Check the callback, exchange the code, verify the ID token, read userinfo and reliability."""
    if params.get("error"):
        raise GovBrError(_("O gov.br não autorizou a entrada (%(error)s). Nada foi alterado.") % params)
    if not expected_state or not secrets.compare_digest(params.get("state", ""), expected_state):
        raise GovBrError(_("Esta resposta do gov.br não corresponde a um pedido de entrada em andamento."))
    if not params.get("code"):
        raise GovBrError(_("O gov.br não enviou o código de autorização."))
    document = metadata(config.issuer)
    session = _session(config, redirect_uri)
    try:
        token = session.fetch_token(
            document["token_endpoint"],
            grant_type="authorization_code",
            code=params["code"],
            code_verifier=code_verifier,
            redirect_uri=redirect_uri,
        )
    except Exception as error:  # authlib raises OAuthError or a requests error
        raise GovBrError(_("O gov.br recusou o código de autorização. Tente entrar de novo.")) from error
    id_token = token.get("id_token", "")
    claims = id_token_verify(config, id_token=id_token, nonce=nonce, jwks_uri=document["jwks_uri"])
    info: dict[str, Any] = {}
    if document.get("userinfo_endpoint"):
        try:
            response = session.get(document["userinfo_endpoint"], timeout=HTTP_TIMEOUT_SECONDS)
            if response.status_code == 200:
                info = response.json()
        except (requests.RequestException, ValueError):
            info = {}
        if info and info.get("sub") != claims["sub"]:
            raise GovBrError(_("O gov.br devolveu dados de outra pessoa. Nada foi alterado."))
    level, read_at = reliability_level(config, session=session, cpf=claims["sub"])
    return GovBrPerson(
        cpf=claims["sub"],
        name=info.get("name") or claims.get("name", ""),
        email=(info.get("email") or claims.get("email", "")).strip().lower(),
        email_verified=bool(info.get("email_verified", claims.get("email_verified", False))),
        phone=info.get("phone_number") or claims.get("phone_number", ""),
        reliability_level=level,
        reliability_read_at=read_at,
        id_token=id_token,
    )


def _jwks(jwks_uri: str, *, refresh: bool = False) -> KeySet:
    key = f"govbr:jwks:{jwks_uri}"
    keys = None if refresh else cache.get(key)
    if keys is None:
        try:
            response = requests.get(jwks_uri, timeout=HTTP_TIMEOUT_SECONDS)
            response.raise_for_status()
            keys = response.json()
        except (requests.RequestException, ValueError) as error:
            raise GovBrError(_("Não foi possível obter as chaves do gov.br. Tente de novo.")) from error
        cache.set(key, keys, DISCOVERY_CACHE_SECONDS)
    return KeySet.import_key_set(keys)


def id_token_verify(config: ClientConfig, *, id_token: str, nonce: str, jwks_uri: str) -> dict[str, Any]:
    """RS256 signature against the JWKS, issuer, audience, expiry (60 s at most) and nonce."""
    refused = GovBrError(_("O gov.br enviou uma identificação inválida ou vencida. Tente entrar de novo."))
    if not id_token:
        raise refused
    try:
        try:
            decoded = jwt.decode(id_token, _jwks(jwks_uri), algorithms=["RS256"])
        except JoseError:
            # the provider may have rotated its keys since we cached them: fetch once more
            decoded = jwt.decode(id_token, _jwks(jwks_uri, refresh=True), algorithms=["RS256"])
        JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY_SECONDS,
            iss={"essential": True, "value": config.issuer},
            aud={"essential": True, "value": config.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as error:
        raise refused from error
    claims = decoded.claims
    if (
        claims["exp"] - claims["iat"] > ID_TOKEN_MAX_SECONDS
        or claims["iat"] > time.time() + CLOCK_LEEWAY_SECONDS
    ):
        raise refused
    if not str(claims["sub"]).isdigit() or len(str(claims["sub"])) != 11:
        raise refused  # gov.br's subject is the CPF
    return claims


def reliability_level(
    config: ClientConfig, *, session: OAuth2Session, cpf: str
) -> tuple[str, dt.datetime | None]:
    """The highest level of the account (bronze < prata < ouro) and when it was read; ("", None)
    when the API does not answer (the sign-in still works; requirements will ask again)."""
    url = f"{config.reliability_base}/confiabilidades/v3/contas/{cpf}/niveis?response-type=ids"
    try:
        response = session.get(url, timeout=HTTP_TIMEOUT_SECONDS)
        if response.status_code != 200:
            return "", None
        levels = [LEVEL_BY_ID.get(str(item.get("id"))) for item in response.json()]
    except (requests.RequestException, ValueError, AttributeError):
        return "", None
    known = [level for level in levels if level]
    if not known:
        return "", None
    return max(known, key=LEVEL_ORDER.index), timezone.now()


def end_session_url(config: ClientConfig, *, id_token: str, post_logout_redirect_uri: str) -> str:
    """Where the browser goes to end the gov.br session too (gov.br: `<issuer>/logout`)."""
    try:
        endpoint = metadata(config.issuer).get("end_session_endpoint") or f"{config.issuer}/logout"
    except GovBrError:
        endpoint = f"{config.issuer.rstrip('/')}/logout"
    query = {"post_logout_redirect_uri": post_logout_redirect_uri}
    if id_token:
        query["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(query)}"
