"""The WSGI app of the load test: Paço itself, plus `/__bare__`, the cheapest page the same gunicorn
can serve (no middleware, no database), to give the load figures a baseline in the same run."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from paco.wsgi import application as paco_application


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/__bare__":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    return paco_application(environ, start_response)
