"""Periodic jobs, run from the worker processes, once per period however many workers there are.

The jobs come from the apps: each installed app may have a `jobs.py` with

    def periodic_jobs() -> list[PeriodicJob]: ...

read at every tick (so times come from settings, e.g. `"at": settings.STAFF_DIGEST_AT`). Every
worker process ticks the scheduler (a daemon thread started by `SchedulerMiddleware`); each due
job claims its period by inserting a `ScheduledRun` row under a unique constraint, and only the
process whose insert succeeds enqueues the job (one message per municipality for tenant jobs,
carrying the schema like any other message). Which schemas tenant jobs run in is the function
named in settings SCHEDULER_TENANT_SCHEMAS (the kernel imports no app).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from importlib import import_module
from typing import Any, Literal, NotRequired, TypedDict

import dramatiq
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string, module_has_submodule
from dramatiq.middleware import Middleware

from paco.jobs import SCHEMA_OPTION
from paco.schemas import schema_activate_public

logger = logging.getLogger(__name__)

JOBS_MODULE = "jobs"


class PeriodicJob(TypedDict):
    """One periodic job: `actor` is the dotted path of a dramatiq actor taking `period` (a string)."""

    name: str  # unique: with the period, the key that makes a run happen once
    actor: str
    every: Literal["daily", "hourly", "minutes"]
    at: NotRequired[str]  # "HH:MM", local time (America/Sao_Paulo), for daily jobs
    minutes: NotRequired[int]  # the period of "minutes" jobs (a divisor of 60)
    per_tenant: bool  # one message per municipality (in its schema), or one in `public`


def periodic_jobs() -> list[PeriodicJob]:
    """Every installed app's periodic jobs (its `jobs.periodic_jobs()`), in INSTALLED_APPS order."""
    jobs: list[PeriodicJob] = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, JOBS_MODULE):
            module = import_module(f"{config.name}.{JOBS_MODULE}")
            jobs.extend(getattr(module, "periodic_jobs", list)())
    return jobs


def schedule_due(
    *, now: dt.datetime, jobs: Sequence[PeriodicJob] | None = None
) -> list[tuple[PeriodicJob, str]]:
    """The periodic jobs due at `now`, each with the key of its current period."""
    local = timezone.localtime(now)
    due: list[tuple[PeriodicJob, str]] = []
    for entry in periodic_jobs() if jobs is None else jobs:
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


def scheduler_tick(
    *,
    now: dt.datetime | None = None,
    broker: dramatiq.Broker | None = None,
    jobs: Sequence[PeriodicJob] | None = None,
) -> list[str]:
    """Enqueue every due job whose period nobody has claimed yet; returns the names enqueued."""
    now = now or timezone.now()
    broker = broker or dramatiq.get_broker()
    schema_activate_public()
    enqueued = []
    for entry, period in schedule_due(now=now, jobs=jobs):
        run = _claim(entry["name"], period)
        if run is None:
            continue
        actor = import_string(entry["actor"])
        schemas = ["public"]
        if entry["per_tenant"]:
            schemas = list(import_string(settings.SCHEDULER_TENANT_SCHEMAS)())
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
