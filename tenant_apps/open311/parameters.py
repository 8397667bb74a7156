"""The arguments of `GET requests` ("GET Service Requests", GeoReport v2), read from a query string.

"Optional Arguments" (spec, "Definitions"): a parameter passed empty is the same as one not passed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from tenant_apps.cases.selectors import nup_from_digits
from tenant_apps.cases.services import nup_digits

from .selectors import WINDOW

STATUSES = ("open", "closed")
# "+HH:MM" sent unencoded in a query string arrives as " HH:MM": a form-encoded plus is a space
_UNENCODED_OFFSET = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def moment_parse(raw: str, *, name: str) -> dt.datetime | None:
    """A date of the spec's "Date/time format" (ISO 8601 per the W3C note, Z or an offset).

    Lenient where clients stumble: the unencoded "+" above is read as the "+" it was; a date alone
    or a time without an offset is taken in the city's time zone.
    """
    raw = raw.strip()
    if not raw:
        return None
    raw = _UNENCODED_OFFSET.sub(r"\1+\2", raw)
    try:
        value = parse_datetime(raw)
        if value is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            value = dt.datetime.combine(dt.date.fromisoformat(raw), dt.time.min)
    except ValueError:
        value = None
    if value is None:
        raise ApplicationError(
            _("%(name)s: data inválida; use ISO 8601, por exemplo 2026-01-31T08:00:00-03:00.")
            % {"name": name}
        )
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def request_window(start_raw: str, end_raw: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """start_date and end_date: "may not span more than 90 days", so a longer span, or an end before
    the start, is a 400 (spec, "Errors": 400 for a request that cannot be fulfilled as expected)
    rather than a silently shortened answer."""
    start = moment_parse(start_raw, name="start_date")
    end = moment_parse(end_raw, name="end_date")
    if start is not None and end is not None:
        if start > end:
            raise ApplicationError(_("start_date: deve ser anterior a end_date."))
        if end - start > WINDOW:
            raise ApplicationError(
                _("start_date e end_date: o intervalo pode ter no máximo 90 dias (GeoReport v2).")
            )
    return start, end


def statuses_parse(raw: str) -> list[str]:
    """status: "open" and/or "closed", comma separated; case does not matter (OPEN is open)."""
    statuses = [part.strip().lower() for part in raw.split(",") if part.strip()]
    if any(status not in STATUSES for status in statuses):
        raise ApplicationError(_("status: use open ou closed."))
    return statuses


def codes_parse(raw: str) -> list[str]:
    return [code.strip() for code in raw.split(",") if code.strip()]


def nups_parse(raw: str) -> list[str]:
    """service_request_id: NUPs, formatted or as 17 digits, comma separated."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    digits = [nup_digits(nup=part) for part in parts]
    if any(len(value) != 17 for value in digits):
        raise ApplicationError(
            _(
                "service_request_id: informe números de protocolo (NNNNN.NNNNNN/AAAA-DD), "
                "separados por vírgula."
            )
        )
    return [nup_from_digits(value) for value in digits]


@dataclass(frozen=True)
class RequestQuery:
    nups: list[str]
    service_codes: list[str]
    start: dt.datetime | None
    end: dt.datetime | None
    statuses: list[str]


def request_query_parse(params: dict[str, str]) -> RequestQuery:
    """service_request_id "overrides all other arguments": with it, the others are not even read."""
    nups = nups_parse(params.get("service_request_id", ""))
    if nups:
        return RequestQuery(nups=nups, service_codes=[], start=None, end=None, statuses=[])
    start, end = request_window(params.get("start_date", ""), params.get("end_date", ""))
    return RequestQuery(
        nups=[],
        service_codes=codes_parse(params.get("service_code", "")),
        start=start,
        end=end,
        statuses=statuses_parse(params.get("status", "")),
    )
