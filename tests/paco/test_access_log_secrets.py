"""Links that carry a secret (activation, invitation, password reset, a new city's confirmation,
calendar feeds) never leave it in a log: gunicorn's access log (the Procfile's `web`), its Referer
field, and Django's warnings about the same requests ("Not Found: /convite/<token>/")."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from paco.observability import SCRUBBED, SecretsLogFilter, secrets_redact
from tests.jobs.test_tenant_jobs import _test_database_url
from tests.notifications.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def _get(port: int, path: str, host: str, referer: str = "") -> int:
    headers = {"Host": host, **({"Referer": referer} if referer else {})}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_gunicorns_access_log_and_djangos_warnings_carry_no_token(django_db_setup, tmp_path: Path) -> None:
    port = free_port()
    access_log = tmp_path / "access.log"
    errors = tmp_path / "errors.log"
    names = ("activation", "invite", "reset", "city", "feed", "ref")
    tokens = {name: secrets.token_urlsafe(24) for name in names}
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "paco.settings.production",
        "DATABASE_URL": _test_database_url(),
        "SECRET_KEY": "access-log-" + "x" * 50,
        "SECURE_SSL_REDIRECT": "False",
        "ALLOWED_HOSTS": ".localhost,127.0.0.1",
        "CACHE_URL": f"redis://127.0.0.1:6379/{os.environ.get('TEST_CACHE_REDIS_DB', '15')}",
        "CACHE_KEY_PREFIX": f"access-log-{port}",
    }
    with errors.open("wb") as error_output:
        server = subprocess.Popen(  # noqa: S603 - the Procfile's web command, one worker
            [sys.executable, "-m", "gunicorn", "paco.wsgi:application", "--chdir", str(ROOT / "src"),
             "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(access_log)],
            cwd=ROOT,
            env=environment,
            stdout=error_output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while _ready(port) is False:
            assert server.poll() is None, errors.read_text()[-3000:]
            assert time.monotonic() < deadline, errors.read_text()[-3000:]
            time.sleep(0.3)

        # when the links are opened (valid or not, the address is logged the same way)
        city = "aracaju.localhost"
        answers = [
            _get(port, f"/cadastro/ativar/{tokens['activation']}/", city),
            _get(
                port, f"/convite/{tokens['invite']}/", city, referer=f"http://{city}/convite/{tokens['ref']}/"
            ),
            _get(port, f"/senha/nova/MQ/{tokens['reset']}/", city),
            _get(port, f"/agenda/calendario/{tokens['feed']}.ics", city),
            _get(port, f"/cadastro/confirmar/{tokens['city']}/", "localhost"),
            _get(port, "/entrar/", city),
        ]
        assert 200 in answers
        assert 404 in answers
    finally:
        server.terminate()
        server.wait(timeout=30)

    # then no log line holds any of the tokens, and the lines are there, redacted
    logged = access_log.read_text() + errors.read_text()
    assert [name for name, token in tokens.items() if token in logged] == []
    lines = access_log.read_text()
    assert f'"GET /cadastro/ativar/{SCRUBBED}/ HTTP/1.1"' in lines
    assert f'"GET /convite/{SCRUBBED}/ HTTP/1.1" 404' in lines
    assert f'"http://{city}/convite/{SCRUBBED}/"' in lines
    assert f'"GET /senha/nova/MQ/{SCRUBBED}/ HTTP/1.1"' in lines
    assert f'"GET /agenda/calendario/{SCRUBBED}.ics HTTP/1.1"' in lines
    assert f'"GET /cadastro/confirmar/{SCRUBBED}/ HTTP/1.1"' in lines
    assert '"GET /entrar/ HTTP/1.1" 200' in lines
    assert f"Not Found: /convite/{SCRUBBED}/" in errors.read_text()


def _ready(port: int) -> bool:
    try:
        return _get(port, "/healthz", "localhost") in (200, 503)
    except OSError:
        return False


def test_every_address_parameter_named_token_is_redacted(settings) -> None:
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: list, prefix: str = "") -> list[str]:
        routes = []
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                routes.extend(walk(pattern.url_patterns, route))
            elif isinstance(pattern, URLPattern) and "token" in route:
                routes.append(route)
        return routes

    secret_routes = walk(get_resolver(settings.ROOT_URLCONF).url_patterns) + walk(
        get_resolver(settings.PUBLIC_SCHEMA_URLCONF).url_patterns
    )
    assert len(secret_routes) >= 6
    for route in secret_routes:
        if not route.startswith("^"):  # path() routes: fill each parameter with a sample value
            path = "/" + _filled(route)
            assert "SEGREDO" not in secrets_redact(f'"GET {path} HTTP/1.1" 200'), route


def _filled(route: str) -> str:
    import re

    def value(found: re.Match[str]) -> str:
        converter, name = (found.group(1) or "str"), found.group(2)
        if "token" in name:
            return "SEGREDO123abc"
        return {"int": "1", "open311_format": "json"}.get(converter, "abc1")

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def test_the_filter_rewrites_the_message_of_a_record_with_arguments() -> None:
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '%(r)s %(s)s "%(f)s"',
        ({"r": "GET /convite/abc123segredo/ HTTP/1.1", "s": "200", "f": "-"},), None,
    )  # fmt: skip

    assert SecretsLogFilter().filter(record)
    assert record.getMessage() == f'GET /convite/{SCRUBBED}/ HTTP/1.1 200 "-"'


pytestmark = pytest.mark.django_db
