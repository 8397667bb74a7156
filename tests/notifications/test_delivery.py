"""Delivery through a real SMTP server and moto's SNS: tracked links, failures, retries, fallback."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
from django.core import mail
from dramatiq.brokers.stub import StubBroker

from paco.schemas import current_tenant
from tenant_apps.notifications.delivery import TemporaryDeliveryError, notification_deliver
from tenant_apps.notifications.enums import Channel, DeliveryStatus, EventKind
from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.services import notification_queue
from tenant_apps.notifications.sms import InvalidPhoneNumber, phone_normalize
from tenant_apps.notifications.tasks import notification_deliver_task
from tenants.selectors import municipality_base_url
from tests.notifications.conftest import CITIZEN_E164, CITIZEN_EMAIL, CITIZEN_PHONE, LINK, case_context


def _queue_email(citizen, *, phone: str = CITIZEN_PHONE) -> Notification:
    [notification] = notification_queue(
        template_key="case_opened",
        context=case_context(),
        recipient=citizen,
        phone=phone,
        link_url=LINK,
        subject_kind="case",
        subject_id=1,
    )
    return notification


def _kinds(notification: Notification) -> list[str]:
    return list(notification.events.order_by("id").values_list("kind", flat=True))


def _base() -> str:
    return municipality_base_url(current_tenant())


def test_an_email_goes_through_smtp_with_the_tracked_link_and_the_open_pixel(smtp_server, citizen):
    notification = _queue_email(citizen)

    notification_deliver(notification_id=notification.pk)

    [message] = smtp_server.messages()
    tracked = f"{_base()}/n/{notification.token}/l/"
    pixel = f"{_base()}/n/{notification.token}/p.gif"
    assert [recipients for _sender, recipients, _content in smtp_server.received] == [[CITIZEN_EMAIL]]
    assert message["To"] == CITIZEN_EMAIL
    assert message["From"] == "Paço <nao-responda@paco.localhost>"
    assert message["Subject"] == "Protocolo 10005.000001/2026-11 recebido"
    assert message["Message-ID"] == f"<{notification.token}@aracaju.localhost>"
    assert message["X-Paco-Notification"] == notification.token
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert text == (
        "Olá, Maria.\n\n"
        "Recebemos o seu pedido “Poda de árvore”, protocolo 10005.000001/2026-11.\n"
        "Prazo para resposta: 15/12/2026.\n\n"
        f"Acompanhe cada etapa em: {tracked}\n\n"
        "Prefeitura Municipal de Aracaju"
    )
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'Acompanhe cada etapa em: <a href="{tracked}">{tracked}</a>' in html
    assert f'<img src="{pixel}" width="1" height="1" alt=""' in html
    assert LINK not in html
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.SENT
    assert notification.sent_at is not None
    assert notification.provider_message_id == f"<{notification.token}@aracaju.localhost>"
    assert notification.attempts == 1
    assert _kinds(notification) == [EventKind.QUEUED, EventKind.SENT]


def test_a_sent_notification_is_not_sent_again_on_retry(smtp_server, citizen):
    notification = _queue_email(citizen)

    notification_deliver(notification_id=notification.pk)
    notification_deliver(notification_id=notification.pk)

    assert len(smtp_server.received) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (DeliveryStatus.SENT, 1)
    assert _kinds(notification) == [EventKind.QUEUED, EventKind.SENT]


def test_a_refused_recipient_fails_the_email_and_falls_back_to_sms_through_sns(smtp_server, sns, citizen):
    smtp_server.replies[CITIZEN_EMAIL] = "550 5.1.1 <cidadao@exemplo.com.br>: Recipient address rejected"
    notification = _queue_email(citizen)

    notification_deliver(notification_id=notification.pk)

    assert smtp_server.received == []
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.FAILED
    assert _kinds(notification) == [EventKind.QUEUED, EventKind.FAILED, EventKind.FALLBACK]
    failed = notification.events.get(kind=EventKind.FAILED)
    assert failed.detail["code"] == 550
    assert failed.detail["message"] == "5.1.1 <cidadao@exemplo.com.br>: Recipient address rejected"
    fallback = Notification.objects.get(fallback_of=notification)
    assert (fallback.channel, fallback.address, fallback.status) == (
        Channel.SMS,
        CITIZEN_PHONE,
        DeliveryStatus.QUEUED,
    )

    # when: the fallback's own job runs
    notification_deliver(notification_id=fallback.pk)

    tracked = f"{_base()}/n/{fallback.token}/l/"
    [(message_id, phone, text)] = sns.sms()
    assert phone == CITIZEN_E164
    assert (
        text
        == f"Prefeitura Municipal de Aracaju: protocolo 10005.000001/2026-11 recebido. Acompanhe: {tracked}"
    )
    fallback.refresh_from_db()
    assert (fallback.status, fallback.provider_message_id) == (DeliveryStatus.SENT, message_id)


def test_an_email_without_a_phone_to_fall_back_to_just_fails(smtp_server, citizen):
    smtp_server.replies[CITIZEN_EMAIL] = "550 5.1.1 User unknown"
    notification = _queue_email(citizen, phone="")

    notification_deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.FAILED
    assert _kinds(notification) == [EventKind.QUEUED, EventKind.FAILED]
    assert not Notification.objects.filter(fallback_of=notification).exists()


def test_a_temporary_smtp_refusal_is_recorded_and_raised_for_retry(smtp_server, citizen):
    smtp_server.replies[CITIZEN_EMAIL] = "451 4.7.1 Greylisted, try again later"
    notification = _queue_email(citizen)

    with pytest.raises(TemporaryDeliveryError):
        notification_deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (DeliveryStatus.TEMPORARY_FAILURE, 1)
    assert _kinds(notification) == [EventKind.QUEUED, EventKind.TEMPORARY_FAILURE]
    assert notification.events.get(kind=EventKind.TEMPORARY_FAILURE).detail["code"] == 451
    assert not Notification.objects.filter(fallback_of=notification).exists()

    # when: the retry finds the server accepting again
    del smtp_server.replies[CITIZEN_EMAIL]
    notification_deliver(notification_id=notification.pk)

    assert len(smtp_server.received) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (DeliveryStatus.SENT, 2)


def test_the_last_attempt_of_a_temporary_failure_gives_up_and_falls_back(smtp_server, citizen):
    smtp_server.replies[CITIZEN_EMAIL] = "451 4.3.0 Mailbox temporarily unavailable"
    notification = _queue_email(citizen)
    Notification.objects.filter(pk=notification.pk).update(
        attempts=5, status=DeliveryStatus.TEMPORARY_FAILURE
    )

    notification_deliver(notification_id=notification.pk)  # does not raise: no retry is left

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (DeliveryStatus.FAILED, 6)
    assert notification.events.get(kind=EventKind.FAILED).detail["gave_up"] is True
    assert Notification.objects.get(fallback_of=notification).channel == Channel.SMS


def test_an_unreachable_smtp_server_is_a_temporary_failure(settings, citizen):
    from tests.notifications.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    notification = _queue_email(citizen)

    with pytest.raises(TemporaryDeliveryError):
        notification_deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.TEMPORARY_FAILURE
    assert (
        notification.events.get(kind=EventKind.TEMPORARY_FAILURE).detail["error"] == "ConnectionRefusedError"
    )


def test_an_sms_goes_through_sns_with_the_tracked_link(sns, citizen):
    [notification] = notification_queue(
        template_key="case_closed",
        context=case_context(),
        recipient=citizen,
        channels=(Channel.SMS,),
        phone="079 99876-5432",
        link_url=LINK,
    )

    notification_deliver(notification_id=notification.pk)

    [(message_id, phone, text)] = sns.sms()
    assert phone == CITIZEN_E164
    assert text == (
        "Prefeitura Municipal de Aracaju: protocolo 10005.000001/2026-11 concluído. "
        f"{_base()}/n/{notification.token}/l/"
    )
    notification.refresh_from_db()
    assert (notification.status, notification.provider_message_id) == (DeliveryStatus.SENT, message_id)


def test_an_invalid_phone_fails_for_good_without_retry(sns, citizen):
    [notification] = notification_queue(
        template_key="case_closed", context=case_context(), channels=(Channel.SMS,), phone="3211-4455"
    )

    notification_deliver(notification_id=notification.pk)

    assert sns.sms() == []
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.FAILED
    assert notification.events.get(kind=EventKind.FAILED).detail == {
        "error": "invalid_phone",
        "message": "Número de celular inválido para SMS.",
    }


THROTTLED = b"""<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
<RequestId>9b6c6f0e-0000-4000-8000-000000000000</RequestId></ErrorResponse>"""


@pytest.fixture
def throttling_sns(settings) -> Iterator[None]:
    """An SNS endpoint that answers every Publish with AWS's throttling error."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(400)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(THROTTLED)))
            self.end_headers()
            self.wfile.write(THROTTLED)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "sns"
    settings.AWS_SNS_ENDPOINT_URL = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def test_sns_throttling_is_a_temporary_failure(throttling_sns, moto_endpoint, citizen):
    [notification] = notification_queue(
        template_key="case_closed", context=case_context(), channels=(Channel.SMS,), phone=CITIZEN_PHONE
    )

    with pytest.raises(TemporaryDeliveryError):
        notification_deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.TEMPORARY_FAILURE
    assert notification.events.get(kind=EventKind.TEMPORARY_FAILURE).detail["code"] == "Throttling"


def test_the_console_sms_backend_writes_to_the_schema_file(settings, tmp_path, citizen):
    settings.SMS_BACKEND = "console"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    [notification] = notification_queue(
        template_key="case_closed", context=case_context(), channels=(Channel.SMS,), phone=CITIZEN_PHONE
    )

    notification_deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.SENT
    [line] = Path(tmp_path / "sms" / "aracaju.log").read_text(encoding="utf-8").splitlines()
    assert f" {notification.provider_message_id} {CITIZEN_E164} " in line


def test_the_job_is_enqueued_after_commit_with_the_tenant_and_runs_the_delivery(
    citizen, django_capture_on_commit_callbacks
):
    broker = dramatiq.get_broker()
    if not isinstance(broker, StubBroker):
        pytest.skip("the project broker is Redis here; the stub broker path is covered elsewhere")
    broker.flush_all()  # only this test's message in the queue
    with django_capture_on_commit_callbacks() as callbacks:
        notification = _queue_email(citizen)
    assert len(callbacks) == 1

    callbacks[0]()  # what the commit would do
    queue = broker.queues[notification_deliver_task.queue_name]
    message = dramatiq.Message.decode(queue.get_nowait())
    queue.task_done()  # taken by hand: tell the queue, or a later join() waits for it forever
    assert (message.actor_name, message.kwargs, message.options["schema_name"]) == (
        "notification_deliver_task",
        {"notification_id": notification.pk},
        "aracaju",
    )

    notification_deliver_task.fn(**message.kwargs)  # the actor's body, in this test's transaction

    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.SENT
    assert [sent.to for sent in mail.outbox] == [[CITIZEN_EMAIL]]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(79) 99876-5432", "+5579998765432"),
        ("079 99876 5432", "+5579998765432"),
        ("0 21 79 99876-5432", "+5579998765432"),
        ("55 79 99876-5432", "+5579998765432"),
        ("+55 (79) 99876-5432", "+5579998765432"),
        ("0055 79 99876 5432", "+5579998765432"),
        ("(51) 8123-4567", "+5551981234567"),
        ("+351 912 345 678", "+351912345678"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw, expected):
    assert phone_normalize(raw) == expected


@pytest.mark.parametrize("raw", ["", "3211-4455", "(79) 3211-4455", "(00) 99876-5432", "+55 79 9987"])
def test_numbers_that_cannot_receive_sms_are_refused(raw):
    with pytest.raises(InvalidPhoneNumber, match="Número de celular inválido para SMS."):
        phone_normalize(raw)


def test_production_email_goes_through_amazon_ses_with_its_message_id(moto_endpoint, settings, citizen):
    """USE_SES: django-anymail's SES backend (SESv2 API), here against moto's SES."""
    import boto3
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from tests.notifications.conftest import SNS_REGION

    urllib_reset(moto_endpoint)
    ses = boto3.client("ses", region_name=SNS_REGION, endpoint_url=moto_endpoint)
    ses.verify_email_identity(EmailAddress="nao-responda@paco.localhost")
    settings.EMAIL_BACKEND = "anymail.backends.amazon_ses.EmailBackend"
    settings.ANYMAIL = {
        "AMAZON_SES_CLIENT_PARAMS": {"region_name": SNS_REGION, "endpoint_url": moto_endpoint}
    }
    notification = _queue_email(citizen)

    notification_deliver(notification_id=notification.pk)

    [sent] = ses_backends[DEFAULT_ACCOUNT_ID][SNS_REGION].sent_messages
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.SENT
    assert notification.provider_message_id == sent.id
    assert set(sent.destinations) == {CITIZEN_EMAIL}  # moto lists it once per source (header, API)
    assert f"X-Paco-Notification: {notification.token}" in sent.raw_data


def urllib_reset(endpoint: str) -> None:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
