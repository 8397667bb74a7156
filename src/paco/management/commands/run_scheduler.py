"""The Procfile's `scheduler` process: ticks the periodic jobs (paco.scheduler) until stopped.

Workers started with SCHEDULER_ENABLED=false leave the ticking to this one process; several
schedulers (or workers that tick) would still enqueue each period once (see paco.scheduler).
"""

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from paco.scheduler import scheduler_tick

logger = logging.getLogger("paco.scheduler")


class Command(BaseCommand):
    help = "Enqueue the periodic jobs when they are due, every SCHEDULER_TICK_SECONDS, until SIGTERM."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.stdout.write(f"scheduler ticking every {settings.SCHEDULER_TICK_SECONDS} s")
        while not stop.is_set():
            try:
                scheduler_tick()
            except Exception:  # noqa: BLE001 - logged; the next tick tries again
                logger.exception("scheduler tick failed")
            finally:
                connection.close()
            stop.wait(settings.SCHEDULER_TICK_SECONDS)
