"""Amazon SNS HTTP(S) messages: signature verification and subscription confirmation.

Follows AWS's "Verifying the signatures of Amazon SNS messages": the signed string is
`name\\nvalue\\n` for a fixed list of fields per message type, signed with RSA over SHA1
(SignatureVersion 1) or SHA256 (SignatureVersion 2) by the certificate at `SigningCertURL`.
That certificate, and `SubscribeURL`, are fetched only from hosts matching `SNS_HOST_PATTERN`
over https, without following redirects; certificates are cached (`SNS_CERTIFICATE_CACHE_SECONDS`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

FETCH_TIMEOUT_SECONDS = 5
MAX_CERTIFICATE_BYTES = 64 * 1024

_SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
    "UnsubscribeConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
_OPTIONAL_FIELDS = {"Subject"}


class SnsMessageInvalid(Exception):
    """Not a genuine SNS message (bad JSON, signature, certificate host, topic)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect could leave the allowed host: refuse it


_opener = urllib.request.build_opener(_NoRedirect)


def sns_message_parse(body: bytes) -> dict[str, Any]:
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise SnsMessageInvalid("body is not JSON") from error
    if not isinstance(message, dict) or message.get("Type") not in _SIGNED_FIELDS:
        raise SnsMessageInvalid("not an SNS message")
    return message


def sns_canonical_string(message: dict[str, Any]) -> bytes:
    parts = []
    for name in _SIGNED_FIELDS[message["Type"]]:
        value = message.get(name)
        if value is None and name in _OPTIONAL_FIELDS:
            continue
        if not isinstance(value, str):
            raise SnsMessageInvalid(f"missing field {name}")
        parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode("utf-8")


def sns_url_is_allowed(url: str) -> bool:
    """https (or http when SNS_ALLOW_HTTP, tests only) to a host matching SNS_HOST_PATTERN."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname or ""
    except ValueError:
        return False
    schemes = ("https", "http") if settings.SNS_ALLOW_HTTP else ("https",)
    if parts.scheme not in schemes or parts.username or parts.password:
        return False
    return re.fullmatch(settings.SNS_HOST_PATTERN, hostname) is not None


def _fetch(url: str, limit: int) -> bytes:
    if not sns_url_is_allowed(url):
        raise SnsMessageInvalid("URL host not allowed")
    try:
        with _opener.open(url, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 - scheme checked
            return bytes(response.read(limit + 1))
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise SnsMessageInvalid(f"could not fetch {url}") from error


def sns_certificate(url: str) -> x509.Certificate:
    if not sns_url_is_allowed(url) or not urlsplit(url).path.endswith(".pem"):
        raise SnsMessageInvalid("signing certificate URL not allowed")
    key = f"notifications:sns-certificate:{hashlib.sha256(url.encode()).hexdigest()}"
    pem = cache.get(key)
    if pem is None:
        pem = _fetch(url, MAX_CERTIFICATE_BYTES)
        if len(pem) > MAX_CERTIFICATE_BYTES:
            raise SnsMessageInvalid("certificate too large")
        try:
            x509.load_pem_x509_certificate(pem)
        except ValueError as error:
            raise SnsMessageInvalid("not a PEM certificate") from error
        cache.set(key, pem, timeout=settings.SNS_CERTIFICATE_CACHE_SECONDS)
    return x509.load_pem_x509_certificate(pem)


def sns_signature_verify(message: dict[str, Any]) -> None:
    """Raise SnsMessageInvalid unless the message is signed by its (allowed, valid) certificate."""
    topics = settings.SES_WEBHOOK_TOPIC_ARNS
    if topics and message.get("TopicArn") not in topics:
        raise SnsMessageInvalid("topic not accepted")
    version = message.get("SignatureVersion")
    algorithm: hashes.HashAlgorithm
    if version == "1":
        algorithm = hashes.SHA1()  # noqa: S303 - SNS SignatureVersion 1 is defined as SHA1withRSA
    elif version == "2":
        algorithm = hashes.SHA256()
    else:
        raise SnsMessageInvalid("unknown SignatureVersion")
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
    except (binascii.Error, ValueError) as error:
        raise SnsMessageInvalid("signature is not base64") from error
    certificate = sns_certificate(str(message.get("SigningCertURL", "")))
    now = timezone.now()
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SnsMessageInvalid("signing certificate expired")
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsMessageInvalid("signing certificate is not RSA")
    try:
        public_key.verify(signature, sns_canonical_string(message), padding.PKCS1v15(), algorithm)
    except InvalidSignature as error:
        raise SnsMessageInvalid("bad signature") from error


def sns_subscription_confirm(message: dict[str, Any]) -> None:
    """Visit SubscribeURL (an allowed SNS host only), which confirms the subscription."""
    _fetch(str(message.get("SubscribeURL", "")), MAX_CERTIFICATE_BYTES)
