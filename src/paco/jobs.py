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
from dramatiq.errors import ActorNotFound
from dramatiq.middleware import Middleware

from paco.schemas import current_schema_name, schema_activate_public, tenant_activate

logger = logging.getLogger(__name__)

SCHEMA_OPTION = "schema_name"


TENANT_ACTOR_PACKAGE = "tenant_apps."
RETRY_OPTION = "paco_tenant_retries"
TENANT_LOOKUP_RETRIES = 5


class TenantMiddleware(Middleware):
    """Carry `schema_name` on every message and run the actor inside that schema.

    A message is never run in the wrong schema (issue 10). dramatiq logs and ignores an exception
    raised here and runs the actor anyway, so refusals mark the message failed instead (the worker
    then dead-letters it without running the actor):
    - a city that does not exist (never created, or dropped since): failed, dead-lettered;
    - an actor that needs a tenant (an actor of `tenant_apps`, or declared with `needs_tenant=True`)
      sent in `public`: failed, dead-lettered;
    - the database unreachable while looking the city up: the message is sent again later (up to
      TENANT_LOOKUP_RETRIES times, with a growing delay) and this delivery is skipped.
    """

    actor_options = {"needs_tenant"}

    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message, delay: int) -> None:
        message.options.setdefault(SCHEMA_OPTION, current_schema_name())

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        from django.db import DatabaseError, close_old_connections
        from django_tenants.utils import get_public_schema_name, get_tenant_model

        schema_name = message.options.get(SCHEMA_OPTION) or get_public_schema_name()
        if schema_name == get_public_schema_name():
            if _needs_tenant(broker, message):
                logger.error(
                    "job %s (%s) needs a city but was sent in public: refused, dead-lettered",
                    message.message_id,
                    message.actor_name,
                )
                message.fail()
                return
            schema_activate_public()
        else:
            try:
                tenant = get_tenant_model().objects.filter(schema_name=schema_name).first()
            except DatabaseError:
                close_old_connections()
                _retry_later(broker, message)
                return
            if tenant is None:
                logger.error(
                    "job %s (%s) is for city %r, which does not exist: refused, dead-lettered",
                    message.message_id,
                    message.actor_name,
                    schema_name,
                )
                message.fail()
                return
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


def _needs_tenant(broker: dramatiq.Broker, message: MessageProxy) -> bool:
    try:
        actor = broker.get_actor(message.actor_name)
    except ActorNotFound:
        return False
    declared = actor.options.get("needs_tenant")
    if declared is not None:
        return bool(declared)
    return str(getattr(actor.fn, "__module__", "")).startswith(TENANT_ACTOR_PACKAGE)


def _retry_later(broker: dramatiq.Broker, message: MessageProxy) -> None:
    """The city could not be looked up (database down): send the message again later, skip this one."""
    from dramatiq.middleware import SkipMessage

    retries = int(message.options.get(RETRY_OPTION, 0)) + 1
    if retries > TENANT_LOOKUP_RETRIES:
        logger.error(
            "job %s: the city lookup failed %s times, dead-lettered", message.message_id, retries - 1
        )
        message.fail()
        return
    delay_ms = min(60_000, 1000 * 2**retries)
    copy = message._message.copy(options={**message.options, RETRY_OPTION: retries})
    broker.enqueue(copy, delay=delay_ms)
    logger.warning(
        "job %s: the city lookup failed (database?), sent again in %s ms", message.message_id, delay_ms
    )
    raise SkipMessage


def _sentry_tag(schema_name: str) -> None:
    import sentry_sdk

    sentry_sdk.set_tag("tenant", schema_name)


def enqueue_on_commit(actor: dramatiq.Actor, **kwargs: Any) -> None:
    """Send `actor(**kwargs)` once the current transaction commits (never for a rolled-back write)."""
    schema_name = current_schema_name()

    def send() -> None:
        options: dict[str, Any] = {SCHEMA_OPTION: schema_name}
        try:
            actor.send_with_options(kwargs=kwargs, **options)
        except Exception:  # noqa: BLE001 - the broker is down: the write is committed, keep the answer
            # Committed work is never turned into an error page because Redis is unreachable; the
            # notifications' outbox sweep sends what stayed queued once the broker is back (issue 10).
            logger.exception(
                "could not enqueue %s in %s (broker unreachable?)", actor.actor_name, schema_name
            )
            return
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
