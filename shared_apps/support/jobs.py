"""Periodic jobs of vendor support (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # support sessions past their time are marked expired (the middleware also ends them)
        {
            "name": "support-sessions-expire",
            "actor": "shared_apps.support.tasks.support_sessions_expire_task",
            "every": "hourly",
            "per_tenant": False,
        },
    ]
