"""`/healthz`: database, broker and storage, for the Procfile processes and Kubernetes probes."""

import uuid

import dramatiq
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from dramatiq.brokers.redis import RedisBroker

from paco.schemas import current_schema_name


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _broker() -> str:
    broker = dramatiq.get_broker()
    if isinstance(broker, RedisBroker):
        broker.client.ping()
        return "ok"
    return "in-process"


def _storage() -> str:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as stored:
            if stored.read() != b"ok":
                return "error: read back differs"
    finally:
        default_storage.delete(name)
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in (("database", _database), ("broker", _broker), ("storage", _storage)):
        try:
            checks[name] = check()
        except Exception as error:  # noqa: BLE001 - a probe reports every failure, it never raises
            checks[name] = f"error: {type(error).__name__}"
    healthy = all(not value.startswith("error") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "schema": current_schema_name(), "checks": checks},
        status=200 if healthy else 503,
    )
