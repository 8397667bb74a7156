"""Periodic jobs, run from the worker processes, once per period however many workers there are.

Every worker process ticks the scheduler (a daemon thread started by `SchedulerMiddleware`);
each due job claims its period by inserting a `ScheduledRun` row under a unique constraint, and
only the process whose insert succeeds enqueues the job (one message per municipality for
tenant jobs, carrying the schema like any other message).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

import dramatiq
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from dramatiq.middleware import Middleware

from paco.jobs import SCHEMA_OPTION
from paco.schemas import schema_activate_public

logger = logging.getLogger(__name__)


def schedule_due(*, now: dt.datetime) -> list[tuple[dict[str, Any], str]]:
    """The scheduled jobs due at `now`, each with the key of its current period."""
    local = timezone.localtime(now)
    due = []
    for entry in settings.SCHEDULE:
        if entry["every"] == "daily":
            hour, minute = (int(part) for part in entry["at"].split(":"))
            if (local.hour, local.minute) >= (hour, minute):
                due.append((entry, local.date().isoformat()))
        elif entry["every"] == "hourly":
            due.append((entry, local.strftime("%Y-%m-%dT%H")))
        elif entry["every"] == "minutes":
            step = max(1, int(entry["minutes"]))
            minute = local.minute // step * step
            due.append((entry, f"{local:%Y-%m-%dT%H}:{minute:02d}"))
    return due


def _claim(name: str, period: str) -> Any:
    from paco.models import ScheduledRun

    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(name=name, period=period)
    except IntegrityError:
        return None


def scheduler_tick(*, now: dt.datetime | None = None, broker: dramatiq.Broker | None = None) -> list[str]:
    """Enqueue every due job whose period nobody has claimed yet; returns the names enqueued."""
    from tenants.enums import MunicipalityStatus
    from tenants.models import Municipality

    now = now or timezone.now()
    broker = broker or dramatiq.get_broker()
    schema_activate_public()
    enqueued = []
    for entry, period in schedule_due(now=now):
        run = _claim(entry["name"], period)
        if run is None:
            continue
        actor = import_string(entry["actor"])
        schemas = ["public"]
        if entry.get("per_tenant"):
            schemas = list(
                Municipality.objects.exclude(status=MunicipalityStatus.SUSPENDED).values_list(
                    "schema_name", flat=True
                )
            )
        broker.declare_queue(actor.queue_name)
        for schema_name in schemas:
            broker.enqueue(
                actor.message_with_options(kwargs={"period": period}, **{SCHEMA_OPTION: schema_name})
            )
        run.tenants = len(schemas)
        run.save(update_fields=["tenants"])
        logger.info("scheduled %s for %s in %d schema(s)", entry["name"], period, len(schemas))
        enqueued.append(entry["name"])
    return enqueued


class SchedulerMiddleware(Middleware):
    """Starts the scheduler thread when a worker process boots (when SCHEDULER_ENABLED)."""

    def __init__(self) -> None:
        self._stop = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if not settings.SCHEDULER_ENABLED:
            return
        thread = threading.Thread(target=self._loop, args=(broker,), name="paco-scheduler", daemon=True)
        thread.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.set()

    def _loop(self, broker: dramatiq.Broker) -> None:
        while not self._stop.is_set():
            try:
                scheduler_tick(broker=broker)
            except Exception:  # noqa: BLE001 - the scheduler keeps ticking; the error is logged
                logger.exception("scheduler tick failed")
            finally:
                connection.close()
            self._stop.wait(settings.SCHEDULER_TICK_SECONDS)
