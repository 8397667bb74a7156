"""The Pix provider (the city's PSP), spoken in the Banco Central's Pix API shape
(https://bacen.github.io/pix-api/): an OAuth2 client-credentials token, then
`PUT /v2/cob/{txid}` for an immediate charge (cobrança imediata), `PATCH /v2/cob/{txid}` to remove
one, `PUT /v2/pix/{e2eid}/devolucao/{id}` to refund a received Pix and `PUT /v2/webhook/{chave}`
to register where the PSP sends its notices (`<url>/pix`). The PSP answers a charge with
`pixCopiaECola` (the dynamic BR Code) and `location`; the payment itself arrives by webhook.

Which PSP: the city's own (`PspCredentials`, set by its municipal admin, secrets encrypted at
rest), else the deployment's PAYMENTS_PIX_* settings, else none: guides then carry a BR Code made
here with the city's key and payment is confirmed by the webhook or by staff. One adapter, a real
HTTP client (httpx) with mutual TLS; tests run it against a local HTTP(S) server that checks what
we send. Nothing here logs a credential; `PixProviderConfig`'s repr leaves the secrets out.
"""

from __future__ import annotations

import os
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
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
    """The PSP refused or could not be reached; the message says so in Portuguese. `retryable`:
    the PSP did not answer (or answered 5xx), so the same call may succeed later."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class PixRefund:
    refund_id: str
    rtr_id: str
    amount: Decimal
    status: str  # EM_PROCESSAMENTO, DEVOLVIDO or NAO_REALIZADO


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
    client_secret: str = field(repr=False)
    scope: str = ""
    cert_file: str = ""
    key_file: str = ""
    timeout_seconds: float = 10.0
    cert_pem: str = field(default="", repr=False)
    key_pem: str = field(default="", repr=False)
    source: str = "deployment"  # "city": the city's own PSP; "deployment": PAYMENTS_PIX_* settings


_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def provider_config() -> PixProviderConfig | None:
    """The current city's PSP when its admin set and enabled one, else the deployment's, else None
    (local BR Codes). Reads the city's schema: call it inside the city's tenant context."""
    from paco.encryption import decrypt

    from .models import PspCredentials

    city = PspCredentials.objects.filter(enabled=True).order_by("id").first()
    if city is not None and city.api_url:
        api_url = city.api_url.rstrip("/")
        return PixProviderConfig(
            api_url=api_url,
            token_url=city.token_url or f"{api_url}/oauth/token",
            client_id=city.client_id,
            client_secret=decrypt(city.client_secret_encrypted),
            scope=city.scope,
            cert_pem=city.certificate_pem,
            key_pem=decrypt(city.private_key_encrypted),
            timeout_seconds=settings.PAYMENTS_PIX_TIMEOUT_SECONDS,
            source="city",
        )
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
        """An httpx client presenting the city's certificate (mutual TLS) when there is one."""
        context = ssl.create_default_context()
        if self.config.cert_pem and self.config.key_pem:
            _load_pem_chain(context, self.config.cert_pem, self.config.key_pem)
        elif self.config.cert_file:
            context.load_cert_chain(self.config.cert_file, self.config.key_file or None)
        return httpx.Client(timeout=self.config.timeout_seconds, verify=context)

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
            raise PixProviderError(_unreachable(), retryable=True) from None
        if response.status_code != 200:
            raise PixProviderError(
                _("O banco (PSP do Pix) recusou as credenciais da prefeitura."),
                retryable=response.status_code >= 500,
            )
        body = response.json()
        token = str(body.get("access_token", ""))
        if not token:
            raise PixProviderError(_("O banco (PSP do Pix) não devolveu um token de acesso."))
        lifetime = float(body.get("expires_in", 300))
        with _tokens_lock:
            _tokens[cache_key] = (token, time.monotonic() + max(lifetime - TOKEN_MARGIN_SECONDS, 1))
        return token

    def _call(self, method: str, path: str, payload: dict[str, Any], *, what: str = "") -> dict[str, Any]:
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
                    raise PixProviderError(_unreachable(), retryable=True) from None
                if response.status_code == 401 and attempt == 0:
                    token = self._token(client, renew=True)  # revoked or expired early: once more
                    continue
                break
        if response.status_code not in (200, 201, 204):
            detail = ""
            try:
                detail = str(response.json().get("detail") or response.json().get("title") or "")
            except (ValueError, AttributeError):
                detail = ""
            raise PixProviderError(
                _("O banco (PSP do Pix) recusou %(what)s (HTTP %(status)s). %(detail)s")
                % {"what": what or _("a cobrança"), "status": response.status_code, "detail": detail[:200]},
                retryable=response.status_code >= 500,
            )
        if response.status_code == 204 or not response.content:
            return {}
        try:
            answer = response.json()
        except ValueError:
            raise PixProviderError(_("O banco (PSP do Pix) deu uma resposta ilegível.")) from None
        return answer if isinstance(answer, dict) else {}

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
        self._call(
            "PATCH", f"/v2/cob/{txid}", {"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"}, what=_("a remoção")
        )

    def refund_request(
        self, *, end_to_end_id: str, refund_id: str, amount: Decimal, description: str
    ) -> PixRefund:
        """`PUT /v2/pix/{e2eid}/devolucao/{id}`: give back `amount` of a received Pix (whole or part)."""
        body = self._call(
            "PUT",
            f"/v2/pix/{end_to_end_id}/devolucao/{refund_id}",
            {"valor": f"{amount:.2f}", "descricao": description[:MAX_PAYER_REQUEST]},
            what=_("a devolução"),
        )
        status = str(body.get("status", ""))
        if str(body.get("id", refund_id)) != refund_id or status not in (
            "EM_PROCESSAMENTO",
            "DEVOLVIDO",
            "NAO_REALIZADO",
        ):
            raise PixProviderError(_("O banco (PSP do Pix) deu uma resposta inesperada à devolução."))
        try:
            answered = Decimal(str(body.get("valor", f"{amount:.2f}")))
        except ArithmeticError:
            answered = amount
        return PixRefund(
            refund_id=refund_id, rtr_id=str(body.get("rtrId", ""))[:60], amount=answered, status=status
        )

    def webhook_register(self, *, key: str, url: str) -> None:
        """`PUT /v2/webhook/{chave}`: the PSP will POST its notices of Pix on `key` to `<url>/pix`."""
        self._call("PUT", f"/v2/webhook/{key}", {"webhookUrl": url}, what=_("o cadastro do webhook"))


def _load_pem_chain(context: ssl.SSLContext, cert_pem: str, key_pem: str) -> None:
    """Load a certificate and key held in memory: OpenSSL reads only files, so they live for the
    time of this call in a private temporary folder (0700, files 0600), then are removed."""
    with tempfile.TemporaryDirectory(prefix="paco-psp-") as folder:
        paths = []
        for name, text in (("cert.pem", cert_pem), ("key.pem", key_pem)):
            path = os.path.join(folder, name)
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(handle, "w") as out:
                out.write(text)
            paths.append(path)
        try:
            context.load_cert_chain(paths[0], paths[1])
        except (ssl.SSLError, ValueError):
            raise PixProviderError(
                _("O certificado ou a chave privada do PSP cadastrados pela prefeitura são inválidos.")
            ) from None


def pem_pair_check(cert_pem: str, key_pem: str) -> None:
    """Raise PixProviderError when the certificate and key do not load together (admin form)."""
    _load_pem_chain(ssl.create_default_context(), cert_pem, key_pem)


def pix_provider() -> PixProvider | None:
    config = provider_config()
    return PixProvider(config) if config else None


def tokens_forget() -> None:
    """Drop the cached access tokens (tests, and after the credentials change)."""
    with _tokens_lock:
        _tokens.clear()
