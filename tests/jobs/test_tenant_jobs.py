"""Jobs carry the tenant that enqueued them, leave only on commit, and run inside that tenant."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import dramatiq
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.module_loading import import_string
from django_tenants.utils import tenant_context
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from paco.jobs import TenantMiddleware, enqueue_on_commit, jobs_drain
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.tasks import jobs_ping_task, ping_cache_key
from tenants.models import Municipality

ROOT_DIR = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT_SECONDS = 60


def _settings_middleware() -> list[dramatiq.Middleware]:
    """The middleware the project's broker is configured with (settings.DRAMATIQ_BROKER)."""
    return [import_string(path)() for path in settings.DRAMATIQ_BROKER["MIDDLEWARE"]]


def _acronyms(municipality: Municipality) -> list[str]:
    with tenant_context(municipality):
        return list(
            OrgUnit.objects.filter(is_active=True).order_by("acronym").values_list("acronym", flat=True)
        )


def _queued(broker: StubBroker, queue_name: str = "default") -> list[dramatiq.Message]:
    queue = broker.queues[queue_name]
    messages = []
    while not queue.empty():
        messages.append(dramatiq.Message.decode(queue.get_nowait()))
    return messages


@pytest.fixture
def stub_broker() -> StubBroker:
    """A broker of this test's own, whatever the project's broker is (stub or Redis)."""
    broker = StubBroker(middleware=_settings_middleware())
    assert any(isinstance(middleware, TenantMiddleware) for middleware in broker.middleware)
    return broker


@pytest.fixture
def record_actor(stub_broker: StubBroker) -> dramatiq.Actor:
    def record_task(*, record_id: int) -> None:
        raise AssertionError("only enqueued in these tests, never run")

    return dramatiq.actor(record_task, broker=stub_broker, queue_name="default", max_retries=0)


@pytest.fixture
def ping_actor(stub_broker: StubBroker) -> dramatiq.Actor:
    # The project's actor function, bound to this test's broker under its real name.
    return dramatiq.actor(
        jobs_ping_task.fn,
        broker=stub_broker,
        actor_name=jobs_ping_task.actor_name,
        queue_name="default",
        max_retries=0,
    )


def test_tenant_middleware_records_the_schema_on_enqueue(record_actor, stub_broker, aracaju, gravatai):
    # when
    with tenant_context(aracaju):
        record_actor.send(record_id=1)
    with tenant_context(gravatai):
        record_actor.send(record_id=2)
    record_actor.send(record_id=3)

    # then
    assert [(message.kwargs, message.options["schema_name"]) for message in _queued(stub_broker)] == [
        ({"record_id": 1}, "aracaju"),
        ({"record_id": 2}, "gravatai"),
        ({"record_id": 3}, "public"),
    ]


def test_tenant_middleware_keeps_an_explicit_schema(record_actor, stub_broker, aracaju):
    with tenant_context(aracaju):
        record_actor.send_with_options(kwargs={"record_id": 1}, schema_name="gravatai")

    assert [message.options["schema_name"] for message in _queued(stub_broker)] == ["gravatai"]


def test_enqueue_on_commit_sends_only_after_commit_with_the_schema(
    record_actor, stub_broker, aracaju, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks() as callbacks:
        with tenant_context(aracaju):
            enqueue_on_commit(record_actor, record_id=42)
        # then: nothing leaves before the commit
        assert stub_broker.queues["default"].qsize() == 0
    assert len(callbacks) == 1
    assert stub_broker.queues["default"].qsize() == 0

    # when: the transaction commits, outside the tenant's context
    assert connection.schema_name == "public"
    callbacks[0]()

    # then
    messages = _queued(stub_broker)
    assert [(m.actor_name, m.queue_name, m.args, m.kwargs) for m in messages] == [
        ("record_task", "default", (), {"record_id": 42})
    ]
    assert messages[0].options["schema_name"] == "aracaju"


def test_enqueue_on_commit_sends_nothing_when_the_transaction_rolls_back(
    record_actor, stub_broker, aracaju, django_capture_on_commit_callbacks
):
    class Rollback(Exception):
        pass

    @transaction.atomic
    def write_then_fail() -> None:
        enqueue_on_commit(record_actor, record_id=42)
        raise Rollback

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with tenant_context(aracaju), pytest.raises(Rollback):
            write_then_fail()

    assert callbacks == []
    assert stub_broker.queues["default"].qsize() == 0


def test_in_process_worker_runs_each_job_in_its_tenant(
    ping_actor, stub_broker, aracaju, gravatai, django_capture_on_commit_callbacks
):
    # given
    nonces = {"aracaju": f"a-{uuid.uuid4().hex}", "gravatai": f"g-{uuid.uuid4().hex}"}
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(aracaju):
            enqueue_on_commit(ping_actor, nonce=nonces["aracaju"])
        with tenant_context(gravatai):
            enqueue_on_commit(ping_actor, nonce=nonces["gravatai"])

    # when: a worker thread (its own database connection) runs them
    jobs_drain(stub_broker)

    # then
    _assert_pings_seen(nonces, aracaju, gravatai)
    # the drain left this test's connection and transaction alone
    assert connection.is_usable()
    assert Municipality.objects.filter(slug__in=["aracaju", "gravatai"]).count() == 2


def test_jobs_drain_runs_the_projects_jobs_on_the_in_process_broker(
    aracaju, gravatai, django_capture_on_commit_callbacks
):
    broker = dramatiq.get_broker()
    if not isinstance(broker, StubBroker):
        pytest.skip("the project's broker is Redis (REDIS_URL is set); jobs_drain is for the in-process one")
    # given: nothing else waiting on the in-process broker
    broker.flush_all()
    nonces = {"aracaju": f"a-{uuid.uuid4().hex}", "gravatai": f"g-{uuid.uuid4().hex}"}
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(aracaju):
            enqueue_on_commit(jobs_ping_task, nonce=nonces["aracaju"])
        with tenant_context(gravatai):
            enqueue_on_commit(jobs_ping_task, nonce=nonces["gravatai"])

    # when
    jobs_drain()

    # then
    _assert_pings_seen(nonces, aracaju, gravatai)
    assert connection.is_usable()


def test_jobs_drain_refuses_a_redis_broker():
    broker = RedisBroker(url="redis://127.0.0.1:6379/0", namespace=f"paco-test-{uuid.uuid4().hex}")

    with pytest.raises(RuntimeError, match="only applies to the in-process"):
        jobs_drain(broker)


def _assert_pings_seen(nonces: dict[str, str], aracaju: Municipality, gravatai: Municipality) -> None:
    aracaju_units, gravatai_units = _acronyms(aracaju), _acronyms(gravatai)
    assert aracaju_units
    assert gravatai_units
    assert set(aracaju_units).isdisjoint(gravatai_units)
    with tenant_context(aracaju):
        assert cache.get(ping_cache_key(nonces["aracaju"])) == {
            "schema_name": "aracaju",
            "org_units": aracaju_units,
        }
        assert cache.get(ping_cache_key(nonces["gravatai"])) is None
    with tenant_context(gravatai):
        assert cache.get(ping_cache_key(nonces["gravatai"])) == {
            "schema_name": "gravatai",
            "org_units": gravatai_units,
        }
        assert cache.get(ping_cache_key(nonces["aracaju"])) is None
    assert cache.get(ping_cache_key(nonces["aracaju"])) is None
    assert cache.get(ping_cache_key(nonces["gravatai"])) is None


def _test_database_url() -> str:
    """The test database as a DATABASE_URL for another process (TCP host or unix socket dir)."""
    database = connection.settings_dict
    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    host, port, name = database["HOST"] or "", database["PORT"] or "", quote(database["NAME"], safe="")
    if host.startswith("/"):
        # django-environ reads a socket directory from the path: postgres://user@:port/%2Fdir/name
        return f"postgres://{user}{password}@:{port}/{quote(host, safe='')}/{name}"
    return f"postgres://{user}{password}@{host}:{port}/{name}"


@pytest.fixture
def worker_namespace() -> str:
    # A namespace of this test's own: no other worker on the same Redis can take its messages.
    return f"paco-test-{uuid.uuid4().hex}"


@pytest.fixture
def redis_worker(worker_namespace: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """`manage.py rundramatiq` in its own process, on the test database and the test's Redis."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "paco.settings.test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DRAMATIQ_NAMESPACE": worker_namespace,
        "PYTHONUNBUFFERED": "1",
    }
    environment.pop("SENTRY_DSN", None)
    output_path = tmp_path / "worker.log"
    with output_path.open("wb") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "src/manage.py",
                "rundramatiq",
                "--processes",
                "1",
                "--threads",
                "1",
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
    try:
        yield worker, output_path
    finally:
        _stop(worker)


def _stop(worker: subprocess.Popen[bytes]) -> None:
    # dramatiq forks its worker processes into the session started for it: stop the whole group.
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def _worker_output(output_path: Path) -> str:
    return output_path.read_text(errors="replace")


@pytest.mark.broker
def test_real_worker_runs_each_job_in_its_tenant(
    db, aracaju, gravatai, worker_namespace, monkeypatch, django_capture_on_commit_callbacks, request
):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the real Redis broker and a separate worker process")
    worker, output_path = request.getfixturevalue("redis_worker")

    # given: the project's actor, sent through a Redis broker on this test's namespace with the
    # project's middleware (the test process's own broker was configured at startup)
    broker = RedisBroker(
        url=settings.REDIS_URL, namespace=worker_namespace, middleware=_settings_middleware()
    )
    monkeypatch.setattr(jobs_ping_task, "broker", broker)
    nonces = {"aracaju": f"a-{uuid.uuid4().hex}", "gravatai": f"g-{uuid.uuid4().hex}"}

    try:
        # when
        with django_capture_on_commit_callbacks(execute=True):
            with tenant_context(aracaju):
                enqueue_on_commit(jobs_ping_task, nonce=nonces["aracaju"])
            with tenant_context(gravatai):
                enqueue_on_commit(jobs_ping_task, nonce=nonces["gravatai"])

        # then
        deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
        while not _both_pings_arrived(nonces, aracaju, gravatai):
            assert worker.poll() is None, f"the worker exited with {worker.returncode}"
            assert time.monotonic() < deadline, f"no answer from the worker in {WORKER_TIMEOUT_SECONDS} s"
            time.sleep(0.2)
        _assert_pings_seen(nonces, aracaju, gravatai)
    except BaseException:
        _stop(worker)
        print(f"--- worker output ---\n{_worker_output(output_path)}")
        raise
    finally:
        broker.close()


def _both_pings_arrived(nonces: dict[str, str], aracaju: Municipality, gravatai: Municipality) -> bool:
    with tenant_context(aracaju):
        aracaju_seen = cache.get(ping_cache_key(nonces["aracaju"]))
    with tenant_context(gravatai):
        gravatai_seen = cache.get(ping_cache_key(nonces["gravatai"]))
    return aracaju_seen is not None and gravatai_seen is not None
