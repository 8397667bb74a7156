"""dramatiq middleware of vendor support: a job that fails in a city counts as one of its errors."""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Middleware

logger = logging.getLogger(__name__)


class ErrorTallyMiddleware(Middleware):
    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None:
            return
        from django_tenants.utils import get_public_schema_name

        from paco.jobs import SCHEMA_OPTION

        schema_name = message.options.get(SCHEMA_OPTION)
        if not schema_name or schema_name == get_public_schema_name():
            return
        from tenants.models import Municipality

        from .services import error_tally_increment

        try:
            municipality_id = (
                Municipality.objects.filter(schema_name=schema_name).values_list("pk", flat=True).first()
            )
        except Exception:  # noqa: BLE001 - never mask the job's own error
            logger.warning("could not find the municipality of a failed job", exc_info=True)
            return
        if municipality_id is not None:
            error_tally_increment(municipality_id=municipality_id)
