"""Usage metering for tenant apps: record a billable event of the current municipality.

Call it inside the service's own transaction, after the row it bills for exists: the usage row is
written on the same connection (the public schema is on every tenant's search path), so a write
that rolls back bills nothing. Recording is idempotent on (municipality, metric, key): the same
key twice is counted once. In the `public` schema there is no municipality and nothing happens.

The work is done by the control plane (shared_apps.metering), named in settings METERING_RECORDER,
METERING_GAUGE_RECORDER and METERING_PERIOD_SUMMARY, because tenant apps never import shared_apps
and billing (which metering builds on) never imports metering.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.utils import get_public_schema_name

from paco.schemas import current_schema_name, current_tenant


def _municipality_id() -> int | None:
    if current_schema_name() == get_public_schema_name():
        return None
    return int(current_tenant().pk)


def usage_record(*, metric: str, key: str, quantity: int = 1, occurred_at: dt.datetime | None = None) -> None:
    """Count `quantity` of `metric` (cases, documents, emails, sms, video_minutes) once per `key`."""
    municipality_id = _municipality_id()
    if municipality_id is None:
        return
    import_string(settings.METERING_RECORDER)(
        municipality_id=municipality_id,
        metric=metric,
        key=key,
        quantity=quantity,
        occurred_at=occurred_at or timezone.now(),
    )


def usage_gauge_record(*, metric: str, value: int, day: dt.date | None = None) -> None:
    """Set the day's measurement of a gauge (storage_gb: bytes stored); a later one replaces it."""
    municipality_id = _municipality_id()
    if municipality_id is None:
        return
    import_string(settings.METERING_GAUGE_RECORDER)(
        municipality_id=municipality_id, metric=metric, value=value, day=day or timezone.localdate()
    )


def usage_period_summary(*, municipality: Any) -> Any:
    """The city's usage of the current billing period and its projected bill (metering's
    `UsagePeriod`), for the subscription page."""
    return import_string(settings.METERING_PERIOD_SUMMARY)(municipality=municipality)
