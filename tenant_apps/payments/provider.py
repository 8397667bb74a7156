"""The Pix provider (the city's PSP), spoken in the Banco Central's Pix API shape
(https://bacen.github.io/pix-api/): an OAuth2 client-credentials token, then
`PUT /v2/cob/{txid}` for an immediate charge (cobrança imediata) and
`PATCH /v2/cob/{txid}` to remove one. The PSP answers with `pixCopiaECola` (the dynamic BR Code)
and `location`; the payment itself arrives by webhook (`POST /api/v1/payments/webhook/`).

Off unless PAYMENTS_PIX_API_URL is set: then guides carry a BR Code made here with the city's key
and payment is confirmed by the webhook or by staff. One adapter, a real HTTP client (httpx);
tests run it against a local HTTP server that checks what we send.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from paco.errors import ApplicationError

TOKEN_MARGIN_SECONDS = 30
MAX_PAYER_REQUEST = 140


def _unreachable() -> str:
    return _("O banco (PSP do Pix) não respondeu. Tente de novo em instantes.")


class PixProviderError(ApplicationError):
    """The PSP refused or could not be reached; the message says so in Portuguese."""


@dataclass(frozen=True)
class PixCharge:
    txid: str
    br_code: str
    location: str
    status: str


@dataclass(frozen=True)
class PixProviderConfig:
    api_url: str
    token_url: str
    client_id: str
    client_secret: str
    scope: str = ""
    cert_file: str = ""
    key_file: str = ""
    timeout_seconds: float = 10.0


_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def provider_config() -> PixProviderConfig | None:
    """The deployment's PSP, or None when no provider is configured (local BR Codes)."""
    api_url = settings.PAYMENTS_PIX_API_URL.rstrip("/")
    if not api_url:
        return None
    return PixProviderConfig(
        api_url=api_url,
        token_url=settings.PAYMENTS_PIX_TOKEN_URL or f"{api_url}/oauth/token",
        client_id=settings.PAYMENTS_PIX_CLIENT_ID,
        client_secret=settings.PAYMENTS_PIX_CLIENT_SECRET,
        scope=settings.PAYMENTS_PIX_SCOPE,
        cert_file=settings.PAYMENTS_PIX_CERT_FILE,
        key_file=settings.PAYMENTS_PIX_KEY_FILE,
        timeout_seconds=settings.PAYMENTS_PIX_TIMEOUT_SECONDS,
    )


class PixProvider:
    def __init__(self, config: PixProviderConfig) -> None:
        self.config = config

    def _client(self) -> httpx.Client:
        cert = (self.config.cert_file, self.config.key_file) if self.config.cert_file else None
        return httpx.Client(timeout=self.config.timeout_seconds, cert=cert)

    def _token(self, client: httpx.Client, *, renew: bool = False) -> str:
        cache_key = (self.config.token_url, self.config.client_id)
        with _tokens_lock:
            cached = _tokens.get(cache_key)
            if cached and not renew and cached[1] > time.monotonic():
                return cached[0]
        form = {"grant_type": "client_credentials"}
        if self.config.scope:
            form["scope"] = self.config.scope
        try:
            response = client.post(
                self.config.token_url,
                data=form,
                auth=(self.config.client_id, self.config.client_secret),
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError:
            raise PixProviderError(_unreachable()) from None
        if response.status_code != 200:
            raise PixProviderError(_("O banco (PSP do Pix) recusou as credenciais da prefeitura."))
        body = response.json()
        token = str(body.get("access_token", ""))
        if not token:
            raise PixProviderError(_("O banco (PSP do Pix) não devolveu um token de acesso."))
        lifetime = float(body.get("expires_in", 300))
        with _tokens_lock:
            _tokens[cache_key] = (token, time.monotonic() + max(lifetime - TOKEN_MARGIN_SECONDS, 1))
        return token

    def _call(self, method: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.config.api_url}{path}"
        with self._client() as client:
            token = self._token(client)
            for attempt in range(2):
                try:
                    response = client.request(
                        method,
                        url,
                        json=payload,
                        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                    )
                except httpx.HTTPError:
                    raise PixProviderError(_unreachable()) from None
                if response.status_code == 401 and attempt == 0:
                    token = self._token(client, renew=True)  # revoked or expired early: once more
                    continue
                break
        if response.status_code not in (200, 201):
            detail = ""
            try:
                detail = str(response.json().get("detail") or response.json().get("title") or "")
            except ValueError:
                detail = ""
            raise PixProviderError(
                _("O banco (PSP do Pix) recusou a cobrança (HTTP %(status)s). %(detail)s")
                % {"status": response.status_code, "detail": detail[:200]}
            )
        answer: dict[str, Any] = response.json()
        return answer

    def charge_create(
        self,
        *,
        txid: str,
        key: str,
        amount: Decimal,
        payer_name: str,
        payer_document: str,
        description: str,
        expires_in_seconds: int,
    ) -> PixCharge:
        """`PUT /v2/cob/{txid}`: an immediate charge for `amount` to the city's `key`."""
        debtor_id = "cpf" if len(payer_document) == 11 else "cnpj"
        body = self._call(
            "PUT",
            f"/v2/cob/{txid}",
            {
                "calendario": {"expiracao": expires_in_seconds},
                "devedor": {debtor_id: payer_document, "nome": payer_name[:200]},
                "valor": {"original": f"{amount:.2f}"},
                "chave": key,
                "solicitacaoPagador": description[:MAX_PAYER_REQUEST],
            },
        )
        br_code = str(body.get("pixCopiaECola", ""))
        if not br_code or body.get("txid", txid) != txid:
            raise PixProviderError(_("O banco (PSP do Pix) devolveu uma cobrança sem o Pix copia e cola."))
        location = str(body.get("location") or (body.get("loc") or {}).get("location") or "")
        return PixCharge(txid=txid, br_code=br_code, location=location, status=str(body.get("status", "")))

    def charge_remove(self, *, txid: str) -> None:
        """`PATCH /v2/cob/{txid}`: the city withdraws the charge (the guide was cancelled)."""
        self._call("PATCH", f"/v2/cob/{txid}", {"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"})


def pix_provider() -> PixProvider | None:
    config = provider_config()
    return PixProvider(config) if config else None


def tokens_forget() -> None:
    """Drop the cached access tokens (tests, and after the credentials change)."""
    with _tokens_lock:
        _tokens.clear()
