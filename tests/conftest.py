"""Shared fixtures: a real PostgreSQL test database with the two demo municipalities.

The tenant schemas are created once per session (cloned from the template, as in production)
and reused; each test runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import dramatiq
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context, tenant_context
from dramatiq.brokers.stub import StubBroker

from paco_demo import cities as demo
from paco_demo.seeding import demo_setup
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.org.enums import Role
from tenant_apps.org.models import Membership, OrgUnit
from tenants.models import Municipality
from tests import dbtemplate

ARACAJU_HOST = "aracaju.localhost"
GRAVATAI_HOST = "gravatai.localhost"
CONTROL_PLANE_HOST = "localhost"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    # the migrated database is built once and copied (tests/dbtemplate.py)
    dbtemplate.before_create()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        dbtemplate.after_create()
        # the demo cities as `make demo` makes them, except the support-access choices (the tests
        # start from the default: every support session needs an admin's approval) and the Open311
        # publications (the isolation harness treats case numbers as private; tests/open311 seeds
        # them per test), and the indicators' year of bulk history (tests/insights builds its own)
        for municipality in demo_setup(
            skip={"shared_apps.support", "tenant_apps.open311", "tenant_apps.insights"}
        ):
            with tenant_context(municipality):
                _role_people_seed(municipality.slug)
        connection.set_schema_to_public()
    return


def _role_people_seed(slug: str) -> None:
    """A unit manager per city besides the demo people, so every role has someone."""
    staff_unit = OrgUnit.objects.get(acronym=demo.DEMO_STAFF[slug]["unit"])
    manager = User.objects.create_user(
        f"gestor@{slug}.gov.br",
        demo.DEMO_PASSWORD,
        full_name=f"Gestor Sigiloso de {slug}",
        kind=UserKind.STAFF,
    )
    Membership.objects.create(user=manager, unit=staff_unit, role=Role.MANAGER)
    TOTPDevice.objects.create(user=manager, name="default", confirmed=True, key=demo.DEMO_TOTP_KEY_HEX)
    admin = User.objects.get(email=next(s for s in demo.DEMO_MUNICIPALITIES if s.slug == slug).admin.email)  # type: ignore[union-attr]
    admin.set_password(demo.DEMO_PASSWORD)
    admin.save(update_fields=["password"])


def cache_clear() -> None:
    """Empty this run's cache; on a shared Redis only this checkout's keys (never FLUSHDB)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]  # the backend itself: `cache` is a proxy, never a RedisCache instance
    if not isinstance(backend, RedisCache):
        backend.clear()
        return
    client = backend._cache.get_client(write=True)
    # django_tenants.cache.make_key: "<schema>:<KEY_PREFIX>:<version>:<key>"
    keys = list(client.scan_iter(match=f"*:{backend.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


# Tests that create whole city schemas inside their (rolled-back) transaction hold thousands of
# PostgreSQL locks until it ends, from a lock table the server shares among all its connections
# (max_locks_per_transaction x max_connections). Under pytest-xdist two such tests at once could
# exhaust it, so they take turns: one at a time per checkout, whatever the process.
SCHEMA_HEAVY = (
    "tests/tenants/",
    "tests/offboarding/",
    "tests/onboarding/",
    "tests/support/test_actions.py",
    "tests/accounts/test_invitations.py",
    "tests/paco/test_demo_setup.py",
)
REPO_ROOT = Path(__file__).resolve().parents[1]
_SCHEMA_LOCK = Path(tempfile.gettempdir()) / (
    f"paco-tests-{hashlib.sha1(str(REPO_ROOT).encode(), usedforsecurity=False).hexdigest()[:8]}.lock"
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    path = Path(str(item.path)).resolve().relative_to(REPO_ROOT).as_posix()
    if not os.environ.get("PYTEST_XDIST_WORKER") or not path.startswith(SCHEMA_HEAVY):
        yield
        return
    with _SCHEMA_LOCK.open("w") as lock:  # around setup, call and teardown (the rollback)
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def _clean_state() -> Iterator[None]:
    cache_clear()
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()
    cache_clear()
    # Jobs a test enqueued on the in-process broker refer to rows rolled back with the test.
    broker = dramatiq.get_broker()
    if isinstance(broker, StubBroker):
        broker.flush_all()


@pytest.fixture
def aracaju(db: Any) -> Municipality:
    return Municipality.objects.get(slug="aracaju")


@pytest.fixture
def gravatai(db: Any) -> Municipality:
    return Municipality.objects.get(slug="gravatai")


@pytest.fixture
def in_aracaju(aracaju: Municipality) -> Iterator[Municipality]:
    with tenant_context(aracaju):
        yield aracaju


@pytest.fixture
def in_gravatai(gravatai: Municipality) -> Iterator[Municipality]:
    with tenant_context(gravatai):
        yield gravatai


ROLE_EMAILS = {
    "citizen": lambda slug: demo.DEMO_CITIZEN["email"],
    "staff": lambda slug: demo.DEMO_STAFF[slug]["email"],
    "manager": lambda slug: f"gestor@{slug}.gov.br",
    "admin": lambda slug: next(s for s in demo.DEMO_MUNICIPALITIES if s.slug == slug).admin.email,  # type: ignore[union-attr]
}
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")


def client_for(role: str, municipality: Municipality | None) -> Client:
    """A test client logged in as `role` of `municipality` (staff and support with the second factor)."""
    if role == "anonymous":
        return Client()
    if role == "support":
        client = Client(HTTP_HOST=CONTROL_PLANE_HOST)
        with schema_context("public"):
            user = User.objects.get(email=demo.SUPPORT_EMAIL)
            _force_login(client, user, CONTROL_PLANE_HOST)
        return client
    assert municipality is not None
    host = f"{municipality.slug}.localhost"
    client = Client(HTTP_HOST=host)
    with tenant_context(municipality):
        user = User.objects.get(email=ROLE_EMAILS[role](municipality.slug))
        _force_login(client, user, host)
    return client


def _force_login(client: Client, user: User, host: str) -> None:
    client.defaults["HTTP_HOST"] = host
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    connection.set_schema_to_public()


def fresh_clients(role: str, municipality: Municipality | None) -> Callable[[], Client]:
    """Test clients logged in as `role`, each with a session of its own: one login, then every client
    gets a copy of that session under a new key (one session row, not a whole login), so a logout or
    a change to the session in one request never reaches the next."""
    template = client_for(role, municipality)
    cookie = template.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is None:  # anonymous
        return Client
    host = template.defaults["HTTP_HOST"]
    schema = "public" if municipality is None or role == "support" else municipality.schema_name
    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    with schema_context(schema):
        data = session_store(session_key=cookie.value).load()

    def fresh() -> Client:
        with schema_context(schema):
            session = session_store()
            session.update(data)
            session.create()
        client = Client(HTTP_HOST=host)
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        client.cookies[settings.SESSION_COOKIE_NAME].update(
            {"path": "/", "domain": settings.SESSION_COOKIE_DOMAIN}
        )
        return client

    return fresh


@pytest.fixture
def login_as(db: Any) -> Any:
    return client_for


# The longest files (minutes each on this machine), started first within their group so that under
# pytest-xdist (--dist loadfile, files handed out in this order) no process is left alone with one
# of them at the end while the others wait.
LONGEST_FILES = (
    "tests/paco_demo/test_demo_run.py",
    "tests/isolation/test_isolation_clusters.py",
    "tests/e2e/test_sweep_accessibility.py",
    "tests/e2e/test_sweep_accessibility_gravatai.py",
)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Browser tests commit through a live server, so they run last and cannot disturb the others;
    within each group the longest files come first."""

    def longest_first(item: Any) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FILES.index(path) if path in LONGEST_FILES else len(LONGEST_FILES)

    items.sort(key=lambda item: (item.get_closest_marker("browser") is not None, longest_first(item)))
