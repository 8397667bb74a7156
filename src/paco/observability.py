"""Schema name on every log line and Sentry event; personal data scrubbed from Sentry events; the
secrets carried by some addresses (activation, invitation, password reset, ...) kept out of logs."""

from __future__ import annotations

import functools
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


# A link that carries a secret names it in its URL parameter: `<...token>` (activation, invitation,
# password reset, a signup's confirmation, calendar feeds, offers...). Request lines reach the logs
# through gunicorn's access log, runserver's `django.server` and `django.request`'s warnings
# ("Not Found: /convite/<token>/"), so each address in a log line is resolved against both URL
# confs and the values of those parameters are replaced, as are `?...token...=` query values.
_ADDRESS = re.compile(r"(?:https?://[^/\s\"'<>]+)?(/[^\s\"'?#<>]*)")
_TOKEN_QUERY = re.compile(r"([?&][^=&\s\"'#]*token[^=&\s\"'#]*=)[^&\s\"'#]+", re.IGNORECASE)


@functools.lru_cache(maxsize=2048)
def _secret_values(path: str) -> tuple[str, ...]:
    """The secret URL parameters' values in `path` (by the tenants' or the public URL conf)."""
    from django.conf import settings
    from django.urls import Resolver404, resolve

    values: list[str] = []
    for urlconf in (settings.ROOT_URLCONF, getattr(settings, "PUBLIC_SCHEMA_URLCONF", None)):
        if not urlconf:
            continue
        try:
            match = resolve(path, urlconf)
        except Resolver404:
            continue
        values.extend(str(value) for name, value in match.kwargs.items() if "token" in name and value)
    return tuple(values)


def secrets_redact(text: str) -> str:
    """`text` (a log line) with the secrets of the addresses in it replaced by SCRUBBED."""

    def address(found: re.Match[str]) -> str:
        whole, path = found.group(0), found.group(1)
        for value in _secret_values(path):
            whole = whole.replace(f"/{value}", f"/{SCRUBBED}")
        return whole

    if "/" not in text:
        return text
    return _TOKEN_QUERY.sub(rf"\1{SCRUBBED}", _ADDRESS.sub(address, text))


class SecretsLogFilter(logging.Filter):
    """Replace the secrets of addresses in the record's message (see `secrets_redact`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
            redacted = secrets_redact(message)
            # django.request's records carry the request, which the JSON formatter prints (its repr
            # has the path); this filter is on the last handlers a record reaches
            request = getattr(record, "request", None)
            shown = secrets_redact(repr(request)) if request is not None else ""
        except Exception:  # noqa: BLE001 - logging must never fail
            return True
        if redacted != message:
            record.msg, record.args = redacted, None
        if request is not None and shown != repr(request):
            record.request = shown
        return True


# Loggers that write request lines through handlers of their own (not the root's console handler)
REQUEST_LINE_LOGGERS = ("gunicorn.access", "django.server")


def secrets_log_filter_install() -> None:
    for name in REQUEST_LINE_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(item, SecretsLogFilter) for item in logger.filters):
            logger.addFilter(SecretsLogFilter())
