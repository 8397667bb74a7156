"""Issue 10, reliability suite: Redis stopped and restarted under the application.

A redis-server of the test's own (another port; the machine's Redis is never touched) is the broker.
With it stopped, citizens still open cases (201, the case and its notification committed); once it is
back, the outbox sweep puts the waiting notifications on the broker, and the jobs taken off it deliver
them (an e-mail each, status sent).
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import dramatiq
import pytest
import redis
from django_tenants.utils import tenant_context
from dramatiq.brokers.redis import RedisBroker

from tenant_apps.cases.models import Case
from tenant_apps.notifications.enums import DeliveryStatus
from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.services import notifications_requeue_stale
from tests.conftest import client_for
from tests.jobs.test_tenant_jobs import _settings_middleware
from tests.notifications.conftest import free_port

CASE = {"service": "poda-de-arvore", "form_data": {"endereco": "Rua Laranjeiras, 100", "motivo": "Outro"}}


def _redis_start(port: int, folder: Path) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return server
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)


def _redis_stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path, monkeypatch):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = _redis_start(port, tmp_path)
    broker = RedisBroker(
        url=f"redis://127.0.0.1:{port}/0",
        namespace=f"paco-outage-{uuid.uuid4().hex}",
        middleware=_settings_middleware(),
    )
    project = dramatiq.get_broker()
    for name in project.get_declared_actors():
        actor = project.get_actor(name)
        broker.declare_queue(actor.queue_name)
        broker.actors[name] = actor
        monkeypatch.setattr(actor, "broker", broker)
    state = {"server": server, "port": port, "folder": tmp_path}
    yield broker, state
    if state["server"].poll() is None:
        _redis_stop(state["server"])
    broker.close()


def test_cases_are_accepted_while_redis_is_down_and_notified_once_it_is_back(
    aracaju, own_redis, settings, django_capture_on_commit_callbacks, mailoutbox
):
    broker, state = own_redis
    citizen = client_for("citizen", aracaju)

    # given: Redis stops
    _redis_stop(state["server"])

    # when: a citizen opens cases
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            citizen.post("/api/v1/cases/", CASE, content_type="application/json").status_code
            for _ in range(3)
        ]

    # then: accepted and recorded, their e-mails waiting in the outbox
    assert statuses == [201, 201, 201]
    with tenant_context(aracaju):
        nups = list(Case.objects.order_by("-pk").values_list("nup", flat=True)[:3])
        waiting = Notification.objects.filter(status=DeliveryStatus.QUEUED).exclude(channel="inbox")
        assert len(nups) == 3
        assert waiting.count() >= 3

        # when: Redis is back and the outbox sweep runs
        state["server"] = _redis_start(state["port"], state["folder"])
        settings.NOTIFICATION_REQUEUE_AFTER_SECONDS = 0
        with django_capture_on_commit_callbacks(execute=True):
            swept = notifications_requeue_stale()

    # then: every waiting notification is on the broker again
    assert swept >= 3
    assert broker.client.hlen(f"{broker.namespace}:default.msgs") >= swept

    # and: taken off the restarted Redis and run, each is delivered (an e-mail each, status sent)
    waiting_ids = set(waiting.values_list("pk", flat=True))
    ran = _deliver_from(broker)
    with tenant_context(aracaju):
        sent = Notification.objects.filter(pk__in=waiting_ids, status=DeliveryStatus.SENT)
        assert sent.count() == len(waiting_ids)
        addresses = set(sent.filter(channel="email").values_list("address", flat=True))
    assert ran >= len(waiting_ids)
    assert addresses <= {address for message in mailoutbox for address in message.to}


def _deliver_from(broker: RedisBroker) -> int:
    """Consume the broker's default queue on the real Redis and run each job in its city, as the
    worker does (here on the test's thread, so the jobs read the test transaction's rows)."""
    from tenants.models import Municipality

    consumer = broker.consume("default", prefetch=100, timeout=500)
    ran = 0
    try:
        for message in consumer:
            if message is None:
                break
            actor = broker.get_actor(message.actor_name)
            with tenant_context(Municipality.objects.get(schema_name=message.options["schema_name"])):
                actor.fn(*message.args, **message.kwargs)
            consumer.ack(message)
            ran += 1
    finally:
        consumer.close()
    return ran
