"""Issue 10, finding 5, end to end: a real worker process is killed in the middle of a batch and
another batch's jobs are lost as a web process dying after its commits would lose them; a new
worker and the outbox sweep finish, and a real local SMTP server (aiosmtpd) receives every
notification exactly once (counted by Message-ID)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django_tenants.utils import tenant_context
from dramatiq.brokers.redis import RedisBroker

from tenant_apps.notifications import services as notification_services
from tenant_apps.notifications.enums import DeliveryStatus
from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.services import notification_queue, notifications_requeue_stale
from tenant_apps.notifications.tasks import notification_deliver_task
from tenants.models import Municipality
from tests.comms.test_fanout_job import _in_thread
from tests.jobs.test_tenant_jobs import ROOT_DIR, _settings_middleware, _stop, _test_database_url
from tests.notifications.conftest import case_context, free_port

T = TypeVar("T")


def _queue(address: str) -> Notification:
    [notification] = notification_queue(template_key="case_opened", context=case_context(), email=address)
    return notification


@dataclass
class SlowSmtp:
    """aiosmtpd handler that takes a moment per message (so a worker can be killed mid-batch)."""

    received: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(0.15)
        self.received.append(envelope.original_content)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [
            str(email.message_from_bytes(content, policy=email.policy.default)["Message-ID"])  # type: ignore[index]
            for content in list(self.received)
        ]


def _worker(namespace: str, smtp_port: int, log: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "paco.settings.test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DRAMATIQ_NAMESPACE": namespace,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "PYTHONUNBUFFERED": "1",
    }
    environment.pop("SENTRY_DSN", None)
    with log.open("ab") as output:
        return subprocess.Popen(
            [
                sys.executable,
                "src/manage.py",
                "rundramatiq",
                "--processes",
                "1",
                "--threads",
                "2",
                "--path",
                str(ROOT_DIR),
                str(ROOT_DIR / "src"),
            ],
            cwd=ROOT_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _kill(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def _committed(function: Callable[[], T]) -> T:
    """Run `function` in Aracaju on a thread of its own, whose connection commits.

    The test itself runs inside the test transaction (tests/security/conftest.py's autouse
    `media_root` asks for `db`), and a worker process never sees rows written there: it took the
    jobs off Redis, found no notification and returned without a word. That was why this test
    never went green; every row the worker must see is written here."""

    def in_aracaju() -> T:
        with tenant_context(Municipality.objects.get(slug="aracaju")):
            return function()

    return cast(T, _in_thread(in_aracaju))


def _broker_dump(broker: RedisBroker) -> dict[str, Any]:
    client, namespace = broker.client, broker.namespace
    dump: dict[str, Any] = {"msgs": client.hgetall(f"{namespace}:default.msgs")}
    for key in client.keys(f"{namespace}:__acks__*"):
        dump[key.decode()] = client.smembers(key)
    return dump


@pytest.mark.broker
def test_killed_worker_and_lost_jobs_every_notification_reaches_smtp_exactly_once(tmp_path, monkeypatch):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the real Redis broker and worker processes")
    smtp = SlowSmtp()
    port = free_port()
    controller = Controller(smtp, hostname="127.0.0.1", port=port)
    controller.start()
    namespace = f"paco-test-{uuid.uuid4().hex}"
    broker = RedisBroker(url=settings.REDIS_URL, namespace=namespace, middleware=_settings_middleware())
    monkeypatch.setattr(notification_deliver_task, "broker", broker)
    log = tmp_path / "workers.log"
    workers: list[subprocess.Popen[bytes]] = []
    created: list[int] = []
    run = uuid.uuid4().hex[:8]

    def statuses() -> list[str]:
        return list(Notification.objects.filter(pk__in=created).values_list("status", flat=True))

    try:
        # given: 24 notifications committed; the jobs of 8 never left (the web process died right
        # after its commits), the jobs of 16 go to a worker killed in the middle
        with monkeypatch.context() as patch:
            patch.setattr(notification_services, "enqueue_on_commit", lambda *args, **kwargs: None)
            created += _committed(lambda: [_queue(f"pessoa{n}-{run}@exemplo.com.br").pk for n in range(24)])
        for notification_id in created[8:]:
            notification_deliver_task.send_with_options(
                kwargs={"notification_id": notification_id}, schema_name="aracaju"
            )
        assert broker.client.hlen(f"{namespace}:default.msgs") == 16
        workers.append(_worker(namespace, port, log))
        deadline = time.monotonic() + 90
        while len(smtp.received) < 3:
            if time.monotonic() > deadline:
                keys = [key.decode() for key in broker.client.keys(f"{namespace}:*")]
                raise AssertionError(
                    f"{keys}\n{_committed(statuses)}\n{log.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.05)
        _kill(workers[0])
        received_at_kill = len(smtp.received)

        # when: a new worker starts and the outbox sweep runs (the periodic job, here at once)
        workers.append(_worker(namespace, port, log))
        monkeypatch.setattr(settings, "NOTIFICATION_REQUEUE_AFTER_SECONDS", 0)
        swept = _committed(notifications_requeue_stale)
        sweeps = 1

        # then: every notification sent, each Message-ID received exactly once
        deadline = time.monotonic() + 120
        next_sweep = time.monotonic() + 3
        while _committed(statuses).count(DeliveryStatus.SENT) < len(created):
            if time.monotonic() > next_sweep:
                # the periodic sweep again: a row the killed worker's database session still held
                # locked at the first sweep (PostgreSQL had not yet noticed the dead client) was
                # skipped then, and is sent now
                swept += _committed(notifications_requeue_stale)
                sweeps += 1
                next_sweep = time.monotonic() + 3
            if workers[1].poll() is not None or time.monotonic() > deadline:
                keys = {
                    key.decode(): broker.client.type(key).decode()
                    for key in broker.client.keys(f"{namespace}:*")
                }
                beats = broker.client.zrange(f"{namespace}:__heartbeats__", 0, -1, withscores=True)

                raise AssertionError(
                    f"beats {beats}\nacks/msgs {_broker_dump(broker)}\n"
                    f"swept {swept}, received {len(smtp.received)}, keys {keys}\n{_committed(statuses)}\n"
                    f"{smtp.message_ids()}\n{log.read_text(errors='replace')[-30000:]}"
                )
            time.sleep(0.2)
        expected = {
            f"<{token}@"
            for token in _committed(
                lambda: list(Notification.objects.filter(pk__in=created).values_list("token", flat=True))
            )
        }
        ids = [
            message_id for message_id in smtp.message_ids() if any(message_id.startswith(t) for t in expected)
        ]
        print(  # noqa: T201
            f"\noutbox: {len(created)} notifications, worker killed after {received_at_kill} e-mails,"
            f" {swept} swept in {sweeps} sweeps, {len(ids)} e-mails received, {len(set(ids))} distinct"
        )
        assert len(set(ids)) == len(created)
        # a message the SMTP server accepted just as the worker died (one per worker thread, 2) is
        # sent again with the same Message-ID (receivers drop it); anything else arrives once
        assert len(ids) - len(set(ids)) <= 2
    finally:
        for worker in workers:
            if worker.poll() is None:
                _stop(worker)
        controller.stop()
        _committed(lambda: Notification.objects.filter(pk__in=created).delete())
        keys = broker.client.keys(f"{namespace}:*")
        if keys:
            broker.client.delete(*keys)
        broker.close()
