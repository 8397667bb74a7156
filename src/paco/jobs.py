"""Background jobs: the tenant travels with every message, and messages leave only on commit.

`TenantMiddleware` records the current schema name in each message's options when it is
enqueued and enters that schema before the actor runs (and returns to `public` afterwards), so an
actor written as `def x_task(*, record_id: int)` reads the rows of the tenant that enqueued it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import dramatiq
from django.conf import settings
from django.db import transaction
from dramatiq.broker import MessageProxy
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware

from paco.schemas import current_schema_name, schema_activate_public, tenant_activate

logger = logging.getLogger(__name__)

SCHEMA_OPTION = "schema_name"


class TenantMiddleware(Middleware):
    """Carry `schema_name` on every message and run the actor inside that schema."""

    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message, delay: int) -> None:
        message.options.setdefault(SCHEMA_OPTION, current_schema_name())

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        from django_tenants.utils import get_public_schema_name, get_tenant_model

        schema_name = message.options.get(SCHEMA_OPTION) or get_public_schema_name()
        if schema_name == get_public_schema_name():
            schema_activate_public()
        else:
            # A job for a tenant that no longer exists fails loudly instead of running in public.
            tenant = get_tenant_model().objects.get(schema_name=schema_name)
            tenant_activate(tenant)
        _sentry_tag(schema_name)

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        schema_activate_public()

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        schema_activate_public()


def _sentry_tag(schema_name: str) -> None:
    import sentry_sdk

    sentry_sdk.set_tag("tenant", schema_name)


def enqueue_on_commit(actor: dramatiq.Actor, **kwargs: Any) -> None:
    """Send `actor(**kwargs)` once the current transaction commits (never for a rolled-back write)."""
    schema_name = current_schema_name()

    def send() -> None:
        options: dict[str, Any] = {SCHEMA_OPTION: schema_name}
        actor.send_with_options(kwargs=kwargs, **options)
        _in_process_worker_ensure()

    transaction.on_commit(send)


_worker_lock = threading.Lock()
_worker: dramatiq.Worker | None = None


def _in_process_worker_ensure() -> None:
    """With no broker configured, jobs run on a worker thread inside this process."""
    global _worker
    broker = dramatiq.get_broker()
    if not isinstance(broker, StubBroker) or not settings.JOBS_IN_PROCESS_WORKER:
        return
    with _worker_lock:
        if _worker is None:
            _worker = dramatiq.Worker(broker, worker_threads=2)
            _worker.start()
            logger.info("started the in-process job worker (no REDIS_URL configured)")


def jobs_drain(broker: dramatiq.Broker | None = None) -> None:
    """Run every queued message of the stub broker to completion (in-process mode and tests)."""
    broker = broker or dramatiq.get_broker()
    if not isinstance(broker, StubBroker):
        raise RuntimeError("jobs_drain only applies to the in-process (stub) broker")
    worker = dramatiq.Worker(broker, worker_threads=1)
    worker.start()
    try:
        for queue_name in list(broker.queues):
            broker.join(queue_name, fail_fast=True)
        worker.join()
    finally:
        # `before_worker_shutdown` (DbConnectionsMiddleware) closes every database connection of the
        # thread that stops the worker: stop it from a thread of its own, so the caller's connection
        # and its open transaction (a request, a test) survive the drain.
        stopper = threading.Thread(target=worker.stop, name="jobs-drain-stop")
        stopper.start()
        stopper.join()
