"""Schema name on every log line and Sentry event; personal data scrubbed from Sentry events."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from paco.schemas import current_schema_name

SCRUBBED = "[removido]"

# Order matters: CNPJ before CPF (a CNPJ contains CPF-shaped runs), e-mails before phones.
_PERSONAL_DATA_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail
    re.compile(r"\b\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}\b"),  # CNPJ
    re.compile(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b"),  # CPF
    re.compile(r"(?:\+?55\s?)?\(?\b\d{2}\)?\s?9?\d{4}[-\s]?\d{4}\b"),  # Brazilian phone
]


def scrub_text(text: str) -> str:
    for pattern in _PERSONAL_DATA_PATTERNS:
        text = pattern.sub(SCRUBBED, text)
    return text


def scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: scrub_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(item) for item in value]
    return value


def sentry_before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Remove CPF, CNPJ, e-mail and phone numbers from every string of the event (LGPD)."""
    scrubbed = scrub_value(event)
    scrubbed.setdefault("tags", {})
    if isinstance(scrubbed["tags"], dict):
        scrubbed["tags"].setdefault("tenant", current_schema_name())
    return scrubbed


def sentry_init(*, dsn: str, environment: str, traces_sample_rate: float) -> bool:
    """Initialise Sentry only when a DSN is configured (called from settings)."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.dramatiq import DramatiqIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        before_send=sentry_before_send,  # type: ignore[arg-type]
        # Transactions carry names, span descriptions and the trace header's transaction name.
        before_send_transaction=sentry_before_send,  # type: ignore[arg-type]
        integrations=[DjangoIntegration(), DramatiqIntegration()],
    )
    return True


class TenantLogFilter(logging.Filter):
    """Add `schema_name` to every record (the tenant the process is serving at that moment)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.schema_name = current_schema_name()
        except Exception:  # noqa: BLE001 - logging must never fail, even before settings load
            record.schema_name = "-"
        return True


class TenantContextMiddleware:
    """Tag Sentry's scope with the tenant serving this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import sentry_sdk

        sentry_sdk.set_tag("tenant", current_schema_name())
        return self.get_response(request)
