"""Periodic jobs of usage metering (paco.scheduler reads `periodic_jobs()` at every tick)."""

from __future__ import annotations

from paco.scheduler import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # aggregate the day's events, then report what Stripe has not received yet
        {
            "name": "metering-report",
            "actor": "shared_apps.metering.tasks.metering_report_task",
            "every": "hourly",
            "per_tenant": False,
        },
    ]
