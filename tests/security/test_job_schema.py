"""Issue 10, finding 4: a job never runs in the wrong schema.

A message for a city that does not exist (never created, or dropped) is refused and dead-lettered,
not run in `public`; an actor of a tenant app sent in `public` is refused the same way. Tested on
the in-process broker and on the real Redis broker with a separate worker process.
"""

from __future__ import annotations

import threading
import time
import uuid

import dramatiq
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context, tenant_context
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from tenant_apps.org.tasks import jobs_ping_task, ping_cache_key
from tests.jobs.test_tenant_jobs import WORKER_TIMEOUT_SECONDS, _settings_middleware, _stop, _worker_output


def _pinged(nonce: str, schema_name: str) -> object:
    with schema_context(schema_name):
        return cache.get(ping_cache_key(nonce))


@pytest.fixture
def stub_ping():
    broker = StubBroker(middleware=_settings_middleware())
    actor = dramatiq.actor(
        jobs_ping_task.fn,
        broker=broker,
        actor_name=jobs_ping_task.actor_name,
        queue_name="default",
        max_retries=0,
    )
    return broker, actor


def _run(broker: StubBroker) -> None:
    worker = dramatiq.Worker(broker, worker_threads=1)
    worker.start()
    try:
        broker.join("default", fail_fast=False)  # dead letters are what this test expects
        worker.join()
    finally:
        # stopping closes the stopping thread's connections: stop from a thread of its own
        stopper = threading.Thread(target=worker.stop)
        stopper.start()
        stopper.join()


def test_a_job_for_a_missing_city_or_a_tenant_job_in_public_is_dead_lettered_not_run(stub_ping, aracaju):
    broker, actor = stub_ping
    nonces = {"ghost": uuid.uuid4().hex, "public": uuid.uuid4().hex, "aracaju": uuid.uuid4().hex}

    actor.send_with_options(kwargs={"nonce": nonces["ghost"]}, schema_name="ghost")
    actor.send_with_options(kwargs={"nonce": nonces["public"]}, schema_name="public")
    actor.send_with_options(kwargs={"nonce": nonces["aracaju"]}, schema_name="aracaju")
    _run(broker)

    assert _pinged(nonces["ghost"], "public") is None
    assert _pinged(nonces["public"], "public") is None
    assert _pinged(nonces["aracaju"], "aracaju")["schema_name"] == "aracaju"
    dead = sorted(message.options["schema_name"] for message in broker.dead_letters)
    assert dead == ["ghost", "public"]
    assert connection.is_usable()


@pytest.mark.broker
def test_a_real_worker_dead_letters_a_job_for_a_missing_city(db, aracaju, worker_namespace, request):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the real Redis broker and a separate worker process")
    worker, output_path = request.getfixturevalue("redis_worker")
    broker = RedisBroker(
        url=settings.REDIS_URL, namespace=worker_namespace, middleware=_settings_middleware()
    )
    actor = dramatiq.actor(
        jobs_ping_task.fn,
        broker=broker,
        actor_name=jobs_ping_task.actor_name,
        queue_name="default",
        max_retries=3,
    )
    nonces = {"ghost": uuid.uuid4().hex, "aracaju": uuid.uuid4().hex}
    try:
        actor.send_with_options(kwargs={"nonce": nonces["ghost"]}, schema_name="ghost")
        actor.send_with_options(kwargs={"nonce": nonces["aracaju"]}, schema_name="aracaju")

        deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
        dead_letters = f"{worker_namespace}:default.XQ.msgs"
        while _pinged(nonces["aracaju"], "aracaju") is None or not broker.client.hlen(dead_letters):
            assert worker.poll() is None, f"the worker exited with {worker.returncode}"
            assert time.monotonic() < deadline, f"no answer from the worker in {WORKER_TIMEOUT_SECONDS} s"
            time.sleep(0.2)

        assert _pinged(nonces["ghost"], "public") is None
        assert broker.client.hlen(dead_letters) == 1
        dead = dramatiq.Message.decode(next(iter(broker.client.hvals(dead_letters))))
        assert (dead.options["schema_name"], dead.kwargs) == ("ghost", {"nonce": nonces["ghost"]})
        assert "which does not exist: refused, dead-lettered" in _worker_output(output_path)
    except BaseException:
        _stop(worker)
        print(f"--- worker output ---\n{_worker_output(output_path)}")  # noqa: T201
        raise
    finally:
        broker.client.delete(*broker.client.keys(f"{worker_namespace}:*") or ["-"])
        broker.close()


def test_an_aracaju_job_runs_in_aracaju(stub_ping, aracaju):
    broker, actor = stub_ping
    nonce = uuid.uuid4().hex
    with tenant_context(aracaju):
        actor.send(nonce=nonce)
    _run(broker)
    assert _pinged(nonce, "aracaju")["schema_name"] == "aracaju"
