"""gov.br assinatura (Assinatura Eletrônica Avançada gov.br, ITI): the one adapter for the federal
signing service, over httpx. Off unless GOVBR_SIGN_CLIENT_ID is set.

The flow (ITI's "API de assinatura digital gov.br", v2):
1. the person is sent to `{oauth}/authorize?response_type=code&client_id=...&scope=sign`
   (with `redirect_uri` and `state`);
   (`scope=signature_session` lets one authorisation sign up to 100 hashes: used by signing blocks);
2. back with `code`, we POST `{oauth}/token` (form: code, client_id, grant_type=authorization_code,
   client_secret, redirect_uri) and get an access token;
3. `GET {api}/certificadoPublico` gives the person's certificate; `POST {api}/assinarPKCS7` with
   `{"hashBase64": <SHA-256 of the PDF byte range>}` returns a detached PKCS#7 that we embed in the PDF
   (pyHanko's interrupted signing) as a PAdES approval signature.
A gov.br account at the bronze level cannot sign (the service refuses it): the person is told how to
raise it to silver or gold.
"""

from __future__ import annotations

import asyncio
import base64
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from asn1crypto import cms, pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko_certvalidator.registry import SimpleCertificateStore

from paco.errors import ApplicationError

SCOPE_ONE = "sign"
SCOPE_SESSION = "signature_session"
SESSION_MAX_HASHES = 100
RAISE_LEVEL_URL = "https://confiabilidades.acesso.gov.br/"


class GovBrError(ApplicationError):
    """The gov.br signing service refused or could not be reached."""


class GovBrLevelError(GovBrError):
    """The person's gov.br account is at the bronze level."""


def govbr_enabled() -> bool:
    return bool(settings.GOVBR_SIGN_CLIENT_ID)


def _bronze_refusal() -> GovBrLevelError:
    return GovBrLevelError(
        _(
            "Sua conta gov.br está no nível bronze, que não permite assinatura avançada."
            " Eleve a conta para prata ou ouro (por exemplo, validando seu rosto no aplicativo gov.br"
            " ou entrando pelo seu banco) em %(url)s e tente de novo."
        )
        % {"url": RAISE_LEVEL_URL}
    )


@dataclass
class GovBrSignClient:
    client_id: str
    client_secret: str
    oauth_url: str
    api_url: str
    timeout: float = 20.0
    http: httpx.Client | None = None

    @classmethod
    def from_settings(cls) -> GovBrSignClient:
        if not govbr_enabled():
            raise GovBrError(_("A assinatura gov.br não está configurada nesta prefeitura."))
        return cls(
            client_id=settings.GOVBR_SIGN_CLIENT_ID,
            client_secret=settings.GOVBR_SIGN_CLIENT_SECRET,
            oauth_url=settings.GOVBR_SIGN_OAUTH_URL.rstrip("/"),
            api_url=settings.GOVBR_SIGN_API_URL.rstrip("/"),
            timeout=settings.GOVBR_SIGN_TIMEOUT_SECONDS,
        )

    def _client(self) -> httpx.Client:
        if self.http is None:
            self.http = httpx.Client(timeout=self.timeout)
        return self.http

    def authorize_url(self, *, redirect_uri: str, state: str, session: bool = False) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "scope": SCOPE_SESSION if session else SCOPE_ONE,
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return f"{self.oauth_url}/authorize?{urlencode(query)}"

    def _check(self, response: httpx.Response) -> httpx.Response:
        if response.status_code < 400:
            return response
        text = response.text.lower()
        if response.status_code in (401, 403) and ("bronze" in text or "nivel" in text or "nível" in text):
            raise _bronze_refusal()
        raise GovBrError(
            _("O serviço de assinatura gov.br recusou o pedido (HTTP %(status)s). Tente de novo.")
            % {"status": response.status_code}
        )

    def token(self, *, code: str, redirect_uri: str) -> str:
        try:
            response = self._client().post(
                f"{self.oauth_url}/token",
                data={
                    "code": code,
                    "client_id": self.client_id,
                    "grant_type": "authorization_code",
                    "client_secret": self.client_secret,
                    "redirect_uri": redirect_uri,
                },
            )
        except httpx.HTTPError as error:
            raise GovBrError(_("O serviço de assinatura gov.br não respondeu. Tente de novo.")) from error
        payload = self._check(response).json()
        token = payload.get("access_token", "")
        if not token:
            raise GovBrError(_("O gov.br não devolveu a autorização de assinatura."))
        return str(token)

    def public_certificate(self, *, access_token: str) -> asn1_x509.Certificate:
        try:
            response = self._client().get(
                f"{self.api_url}/certificadoPublico", headers={"Authorization": f"Bearer {access_token}"}
            )
        except httpx.HTTPError as error:
            raise GovBrError(_("O serviço de assinatura gov.br não respondeu. Tente de novo.")) from error
        data = self._check(response).content
        if data.lstrip().startswith(b"-----BEGIN"):
            data = pem.unarmor(data)[2]
        return asn1_x509.Certificate.load(data)

    def sign_hash(self, *, access_token: str, sha256: bytes) -> cms.ContentInfo:
        """The PKCS#7 (detached CMS) of one SHA-256 hash, signed by the person's gov.br certificate."""
        try:
            response = self._client().post(
                f"{self.api_url}/assinarPKCS7",
                headers={"Authorization": f"Bearer {access_token}"},
                json={"hashBase64": base64.b64encode(sha256).decode()},
            )
        except httpx.HTTPError as error:
            raise GovBrError(_("O serviço de assinatura gov.br não respondeu. Tente de novo.")) from error
        return cms.ContentInfo.load(self._check(response).content)


def govbr_pdf_sign(
    *,
    pdf: bytes,
    client: GovBrSignClient,
    access_token: str,
    signer_name: str,
    reason: str,
    field_name: str,
    certificate: asn1_x509.Certificate | None = None,
    certify: bool = False,
) -> bytes:
    """`pdf` with one more PAdES signature whose CMS comes from gov.br (an incremental update); the
    first signature of a PDF certifies it (DocMDP P=2), like every first signature here."""
    certificate = certificate or client.public_certificate(access_token=access_token)
    external = signers.ExternalSigner(
        signing_cert=certificate,
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
        signature_value=256,
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        certify=certify,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        name=signer_name,
        reason=reason,
    )
    pdf_signer = signers.PdfSigner(metadata, signer=external)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    prepared, _tbs, output = asyncio.run(
        pdf_signer.async_digest_doc_for_signing(writer, bytes_reserved=16384)
    )
    signature_cms: Any = client.sign_hash(access_token=access_token, sha256=prepared.document_digest)
    PdfTBSDocument.finish_signing(output, prepared_digest=prepared, signature_cms=signature_cms)
    output.seek(0)
    return bytes(output.read())


def govbr_roots() -> list[asn1_x509.Certificate]:
    """The roots of the gov.br signing certificates (AC Raiz do Governo Federal), from the settings."""
    roots = []
    for path in settings.GOVBR_SIGN_ROOTS:
        with open(path, "rb") as handle:
            data = handle.read()
        if pem.detect(data):
            data = pem.unarmor(data)[2]
        roots.append(asn1_x509.Certificate.load(data))
    return roots
