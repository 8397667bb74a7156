"""SES events through SNS: signatures verified against a certificate served over (local) HTTP.

The test plays AWS: it makes its own RSA key and self-signed certificate, serves the PEM from a
local HTTP server whose host the settings allow, and signs each message exactly as SNS does
(the canonical string built here from AWS's documentation, independently of the code under test).
"""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.test import Client
from django_tenants.utils import tenant_context

from tenant_apps.notifications.enums import Channel, DeliveryStatus, EventKind
from tenant_apps.notifications.models import Notification, NotificationEvent
from tenant_apps.notifications.services import notification_queue
from tests.certificates import certificate, certificate_pem
from tests.notifications.conftest import CITIZEN_EMAIL, CITIZEN_PHONE, LINK, case_context

ARACAJU = "aracaju.localhost"
TOPIC = "arn:aws:sns:sa-east-1:123456789012:paco-ses-eventos"
SES_MESSAGE_ID = "0103019a8b7c6d5e-1f2e3d4c-aaaa-bbbb-cccc-0123456789ab-000000"
CERT_PATH = "/SimpleNotificationService-0000000000000000000000.pem"
CONFIRM_PATH = "/?Action=ConfirmSubscription&TopicArn=paco-ses-eventos&Token=2336412f37fb687f5d51e6e2425"


@dataclass
class FakeSns:
    """The signing side of SNS: a key, its certificate at a URL, and the requests that URL got."""

    key: rsa.RSAPrivateKey
    base_url: str
    requests: list[str] = field(default_factory=list)

    @property
    def cert_url(self) -> str:
        return f"{self.base_url}{CERT_PATH}"

    def sign(self, message: dict[str, Any], *, version: str = "1") -> dict[str, Any]:
        message = {**message, "SignatureVersion": version, "SigningCertURL": self.cert_url}
        if message["Type"] == "Notification":
            names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
        else:
            names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
        canonical = "".join(f"{name}\n{message[name]}\n" for name in names if name in message)
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303 - SNS v1 is SHA1
        signature = self.key.sign(canonical.encode(), padding.PKCS1v15(), algorithm)
        return {**message, "Signature": base64.b64encode(signature).decode()}


@pytest.fixture(scope="module")
def signing_key() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, certificate_pem(certificate(common_name="sns.sa-east-1.amazonaws.com", key=key)).encode()


@pytest.fixture
def fake_sns(signing_key, settings) -> Iterator[FakeSns]:
    key, pem = signing_key
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            body = pem if self.path == CERT_PATH else b"<ConfirmSubscriptionResponse/>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    settings.SNS_HOST_PATTERN = r"^127\.0\.0\.1$"
    settings.SNS_ALLOW_HTTP = True
    settings.SES_WEBHOOK_TOPIC_ARNS = []
    try:
        yield FakeSns(key=key, base_url=f"http://127.0.0.1:{server.server_address[1]}", requests=seen)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sent_email(aracaju) -> Notification:
    with tenant_context(aracaju):
        [notification] = notification_queue(
            template_key="case_opened",
            context=case_context(),
            email=CITIZEN_EMAIL,
            phone=CITIZEN_PHONE,
            link_url=LINK,
        )
        Notification.objects.filter(pk=notification.pk).update(
            status=DeliveryStatus.SENT, provider_message_id=SES_MESSAGE_ID
        )
        notification.refresh_from_db()
    return notification


def ses_event(
    event_type: str, section: dict[str, Any] | None = None, message_id: str = SES_MESSAGE_ID
) -> str:
    event: dict[str, Any] = {
        "eventType": event_type,
        "mail": {
            "timestamp": "2026-11-23T13:00:00.000Z",
            "source": "nao-responda@paco.localhost",
            "messageId": message_id,
            "destination": [CITIZEN_EMAIL],
        },
    }
    if section is not None:
        event[{"Rendering Failure": "failure"}.get(event_type, event_type[0].lower() + event_type[1:])] = (
            section
        )
    return json.dumps(event)


def notification_message(message: str, message_id: str | None = None) -> dict[str, Any]:
    return {
        "Type": "Notification",
        "MessageId": message_id or str(uuid.uuid4()),
        "TopicArn": TOPIC,
        "Message": message,
        "Timestamp": "2026-11-23T13:00:02.000Z",
        "UnsubscribeURL": "https://sns.sa-east-1.amazonaws.com/?Action=Unsubscribe",
    }


def post(message: dict[str, Any], host: str = ARACAJU) -> Any:
    return Client().post(
        "/webhooks/ses/",
        data=json.dumps(message),
        content_type="text/plain; charset=UTF-8",
        HTTP_HOST=host,
        HTTP_X_AMZ_SNS_MESSAGE_TYPE=message["Type"],
    )


def snapshot(municipality, notification: Notification) -> tuple:
    with tenant_context(municipality):
        notification.refresh_from_db()
        events = list(
            notification.events.order_by("id").values_list("kind", "provider_event_id", "occurred_at")
        )
        return (
            notification.status,
            notification.delivered_at,
            notification.opened_at,
            notification.clicked_at,
            notification.updated_at,
            events,
            Notification.objects.filter(fallback_of=notification).count(),
        )


DELIVERED_AT = dt.datetime(2026, 11, 23, 13, 0, 1, tzinfo=dt.UTC)


def test_a_signed_delivery_event_marks_the_email_delivered(aracaju, fake_sns, sent_email):
    message = fake_sns.sign(
        notification_message(
            ses_event("Delivery", {"timestamp": "2026-11-23T13:00:01.000Z", "smtpResponse": "250 2.0.0 OK"})
        )
    )

    response = post(message)

    assert response.status_code == 200
    with tenant_context(aracaju):
        sent_email.refresh_from_db()
        assert (sent_email.status, sent_email.delivered_at) == (DeliveryStatus.DELIVERED, DELIVERED_AT)
        event = sent_email.events.get(kind=EventKind.DELIVERED)
        assert (event.provider_event_id, event.occurred_at) == (message["MessageId"], DELIVERED_AT)
        assert event.detail == {"provider": "ses", "smtp_response": "250 2.0.0 OK"}
    assert fake_sns.requests == [CERT_PATH]


def test_signature_version_2_is_verified_too(aracaju, fake_sns, sent_email):
    message = fake_sns.sign(
        notification_message(ses_event("Open", {"timestamp": "2026-11-23T13:05:00.000Z"})), version="2"
    )

    assert post(message).status_code == 200

    with tenant_context(aracaju):
        sent_email.refresh_from_db()
        assert sent_email.status == DeliveryStatus.OPENED
        assert sent_email.opened_at == dt.datetime(2026, 11, 23, 13, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda message: {**message, "Message": message["Message"].replace("Delivery", "Bounce")},
        lambda message: {**message, "MessageId": str(uuid.uuid4())},
        lambda message: {**message, "Signature": base64.b64encode(b"x" * 256).decode()},
        lambda message: {**message, "Signature": "não é base64"},
        lambda message: {**message, "SignatureVersion": "3"},
        lambda message: {**message, "SigningCertURL": "http://127.0.0.1:1/outro.pem"},
    ],
    ids=["message", "message-id", "signature", "signature-not-base64", "version", "other-certificate"],
)
def test_a_tampered_message_is_refused_and_changes_nothing(aracaju, fake_sns, sent_email, tamper):
    before = snapshot(aracaju, sent_email)
    message = tamper(fake_sns.sign(notification_message(ses_event("Delivery", {"timestamp": "x"}))))

    response = post(message)

    assert response.status_code == 400
    assert response.content.decode() == "Mensagem SNS inválida."
    assert snapshot(aracaju, sent_email) == before


def test_a_replayed_message_changes_nothing(aracaju, fake_sns, sent_email):
    message = fake_sns.sign(
        notification_message(ses_event("Click", {"timestamp": "2026-11-23T13:06:00.000Z"}))
    )
    assert post(message).status_code == 200
    after_first = snapshot(aracaju, sent_email)

    replay = post(message)

    assert replay.status_code == 200
    assert snapshot(aracaju, sent_email) == after_first
    assert after_first[0] == DeliveryStatus.CLICKED
    assert fake_sns.requests == [CERT_PATH]  # the certificate was fetched once, then cached


def test_a_permanent_bounce_fails_the_email_and_falls_back_to_sms(aracaju, fake_sns, sent_email):
    bounce = {
        "bounceType": "Permanent",
        "bounceSubType": "General",
        "bouncedRecipients": [
            {"emailAddress": CITIZEN_EMAIL, "diagnosticCode": "smtp; 550 5.1.1 user unknown"}
        ],
        "timestamp": "2026-11-23T13:00:03.000Z",
    }
    message = fake_sns.sign(notification_message(ses_event("Bounce", bounce)))

    assert post(message).status_code == 200
    assert post(message).status_code == 200  # SNS retried: still one fallback

    with tenant_context(aracaju):
        sent_email.refresh_from_db()
        assert sent_email.status == DeliveryStatus.FAILED
        bounced = sent_email.events.get(kind=EventKind.BOUNCED)
        assert bounced.detail == {
            "permanent": True,
            "provider": "ses",
            "bounce_type": "Permanent",
            "bounce_subtype": "General",
            "diagnostic": "smtp; 550 5.1.1 user unknown",
        }
        fallback = Notification.objects.get(fallback_of=sent_email)
        assert (fallback.channel, fallback.address, fallback.status) == (
            Channel.SMS,
            CITIZEN_PHONE,
            DeliveryStatus.QUEUED,
        )
        assert fallback.body == (
            f"Prefeitura Municipal de Aracaju: protocolo 10005.000001/2026-11 recebido. Acompanhe: {LINK}"
        )


def test_a_transient_bounce_is_a_temporary_failure_without_fallback(aracaju, fake_sns, sent_email):
    bounce = {
        "bounceType": "Transient",
        "bounceSubType": "MailboxFull",
        "timestamp": "2026-11-23T13:00:03.000Z",
    }

    assert post(fake_sns.sign(notification_message(ses_event("Bounce", bounce)))).status_code == 200

    with tenant_context(aracaju):
        sent_email.refresh_from_db()
        assert sent_email.status == DeliveryStatus.TEMPORARY_FAILURE
        assert not Notification.objects.filter(fallback_of=sent_email).exists()


def test_a_complaint_is_recorded_and_keeps_the_status(aracaju, fake_sns, sent_email):
    complaint = {"complaintFeedbackType": "abuse", "timestamp": "2026-11-23T13:10:00.000Z"}

    assert post(fake_sns.sign(notification_message(ses_event("Complaint", complaint)))).status_code == 200

    with tenant_context(aracaju):
        sent_email.refresh_from_db()
        assert sent_email.status == DeliveryStatus.SENT
        assert sent_email.events.get(kind=EventKind.COMPLAINED).detail == {
            "provider": "ses",
            "feedback_type": "abuse",
        }


def test_an_event_about_someone_elses_email_changes_nothing(aracaju, gravatai, fake_sns, sent_email):
    before = snapshot(aracaju, sent_email)
    unknown = fake_sns.sign(notification_message(ses_event("Delivery", {}, message_id="outra-mensagem")))
    aracajus_on_gravatai = fake_sns.sign(notification_message(ses_event("Delivery", {})))

    assert post(unknown).status_code == 200
    assert post(aracajus_on_gravatai, host="gravatai.localhost").status_code == 200

    assert snapshot(aracaju, sent_email) == before
    with tenant_context(gravatai):
        assert not NotificationEvent.objects.filter(
            provider_event_id=aracajus_on_gravatai["MessageId"]
        ).exists()


def test_a_subscription_is_confirmed_by_visiting_its_url(aracaju, fake_sns):
    message = fake_sns.sign(
        {
            "Type": "SubscriptionConfirmation",
            "MessageId": str(uuid.uuid4()),
            "Token": "2336412f37fb687f5d51e6e2425",
            "TopicArn": TOPIC,
            "Message": f"You have chosen to subscribe to the topic {TOPIC}.",
            "SubscribeURL": f"{fake_sns.base_url}{CONFIRM_PATH}",
            "Timestamp": "2026-11-23T12:59:00.000Z",
        }
    )

    assert post(message).status_code == 200

    assert fake_sns.requests == [CERT_PATH, CONFIRM_PATH]


def test_a_subscribe_url_outside_sns_is_never_visited(aracaju, fake_sns):
    message = fake_sns.sign(
        {
            "Type": "SubscriptionConfirmation",
            "MessageId": str(uuid.uuid4()),
            "Token": "abc",
            "TopicArn": TOPIC,
            "Message": "subscribe",
            "SubscribeURL": "http://169.254.169.254/latest/meta-data/",
            "Timestamp": "2026-11-23T12:59:00.000Z",
        }
    )

    assert post(message).status_code == 400
    assert fake_sns.requests == [CERT_PATH]


@pytest.mark.parametrize(
    "cert_url",
    [
        "http://sns.sa-east-1.amazonaws.com.evil.example/cert.pem",
        "http://127.0.0.1.evil.example/cert.pem",
        "http://sns@evil.example/cert.pem",
        "ftp://127.0.0.1/cert.pem",
    ],
)
def test_a_certificate_is_fetched_only_from_the_allowed_hosts(aracaju, fake_sns, sent_email, cert_url):
    before = snapshot(aracaju, sent_email)
    message = {**fake_sns.sign(notification_message(ses_event("Delivery", {}))), "SigningCertURL": cert_url}

    assert post(message).status_code == 400

    assert fake_sns.requests == []
    assert snapshot(aracaju, sent_email) == before


def test_plain_http_is_refused_outside_tests(aracaju, fake_sns, sent_email, settings):
    settings.SNS_ALLOW_HTTP = False
    before = snapshot(aracaju, sent_email)

    assert post(fake_sns.sign(notification_message(ses_event("Delivery", {})))).status_code == 400

    assert fake_sns.requests == []
    assert snapshot(aracaju, sent_email) == before


def test_messages_of_other_topics_are_refused_when_topics_are_configured(
    aracaju, fake_sns, sent_email, settings
):
    settings.SES_WEBHOOK_TOPIC_ARNS = ["arn:aws:sns:sa-east-1:123456789012:outro-topico"]
    before = snapshot(aracaju, sent_email)

    assert post(fake_sns.sign(notification_message(ses_event("Delivery", {})))).status_code == 400

    assert snapshot(aracaju, sent_email) == before


@pytest.mark.parametrize("body", [b"", b"{}", b"not json", b'{"Type": "Notification"}'])
def test_garbage_is_refused(aracaju, fake_sns, body):
    response = Client().post("/webhooks/ses/", data=body, content_type="text/plain", HTTP_HOST=ARACAJU)

    assert response.status_code == 400


def test_the_webhook_answers_only_post(aracaju, fake_sns):
    assert Client().get("/webhooks/ses/", HTTP_HOST=ARACAJU).status_code == 405
