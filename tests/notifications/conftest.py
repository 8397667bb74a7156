"""Real local servers for delivery tests: an SMTP server (aiosmtpd) and Amazon SNS (moto)."""

from __future__ import annotations

import email
import email.policy
import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from moto.core import DEFAULT_ACCOUNT_ID
from moto.server import ThreadedMotoServer

from tenant_apps.accounts.models import User

SNS_REGION = "sa-east-1"
CITIZEN_EMAIL = "cidadao@exemplo.com.br"
CITIZEN_PHONE = "(79) 99876-5432"
CITIZEN_E164 = "+5579998765432"
LINK = "http://aracaju.localhost:8000/protocolos/10005000001202611/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpCollector:
    """aiosmtpd handler: refuses the addresses in `replies` with that reply, keeps the rest."""

    replies: dict[str, str] = field(default_factory=dict)
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        reply = self.replies.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(content, policy=email.policy.default)  # type: ignore[misc]
            for _sender, _recipients, content in self.received
        ]


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpCollector]:
    collector = SmtpCollector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield collector
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("aws")
    with pytest.MonkeyPatch.context() as patch:
        # Dummy credentials and no shared config, so nothing can ever reach AWS.
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.delenv("AWS_SESSION_TOKEN", raising=False)
        patch.delenv("AWS_PROFILE", raising=False)
        patch.setenv("AWS_DEFAULT_REGION", SNS_REGION)
        patch.setenv("AWS_CONFIG_FILE", str(folder / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "credentials"))
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@dataclass
class SnsInbox:
    endpoint: str

    def sms(self) -> list[tuple[str, str, str]]:
        """(message id, phone, text) of every SMS moto's SNS received, in order."""
        from moto.sns.models import sns_backends

        backend = sns_backends[DEFAULT_ACCOUNT_ID][SNS_REGION]
        return [(message_id, phone, text) for message_id, (phone, text) in backend.sms_messages.items()]


@pytest.fixture
def sns(moto_endpoint: str, settings: Any) -> SnsInbox:
    # The server threads share moto's in-process state: start every test from an empty account.
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request).close()
    settings.SMS_BACKEND = "sns"
    settings.AWS_SNS_REGION = SNS_REGION
    settings.AWS_SNS_ENDPOINT_URL = moto_endpoint
    return SnsInbox(endpoint=moto_endpoint)


@pytest.fixture(autouse=True)
def _sms_files_in_tmp(settings: Any, tmp_path: Any) -> None:
    """The console SMS backend never writes into the checkout during tests."""
    settings.SMS_FILE_PATH = str(tmp_path / "sms")


@pytest.fixture
def citizen(in_aracaju: Any) -> User:
    return User.objects.get(email=CITIZEN_EMAIL)


def case_context(nup: str = "10005.000001/2026-11") -> dict[str, Any]:
    """What the case templates read, without opening a case."""
    import datetime as dt

    return {
        "case": {"nup": nup, "service": {"name": "Poda de árvore"}, "deadline": dt.date(2026, 12, 15)},
        "municipality_name": "Prefeitura Municipal de Aracaju",
    }
