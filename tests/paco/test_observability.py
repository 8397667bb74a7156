"""Sentry events leave scrubbed of personal data and tagged with the tenant; logs carry the schema."""

from __future__ import annotations

import gzip
import io
import json
import logging
import logging.config
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sentry_sdk
from django.conf import settings
from django_tenants.utils import tenant_context

from paco.observability import SCRUBBED, SecretsLogFilter, TenantLogFilter, scrub_text, sentry_init

CPF = "529.982.247-25"
CNPJ = "11.222.333/0001-81"
EMAIL = "maria@exemplo.com.br"
PHONE = "(79) 99876-5432"
PERSONAL_DATA = [CPF, CNPJ, EMAIL, PHONE, "52998224725", "11222333000181", "79998765432", "99876-5432"]


class _SentryIngest(BaseHTTPRequestHandler):
    """Stands in for sentry.io: keeps every envelope it receives, decompressed."""

    envelopes: list[bytes]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli  # only present when the SDK can choose brotli

            body = brotli.decompress(body)
        else:
            assert encoding == "", f"unexpected Content-Encoding {encoding!r}"
        self.server.envelopes.append(body)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def sentry_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SentryIngest)
    server.envelopes = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def sentry_client(sentry_server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    port = sentry_server.server_address[1]
    assert sentry_init(dsn=f"http://public@127.0.0.1:{port}/1", environment="test", traces_sample_rate=1.0)
    try:
        yield sentry_server
    finally:
        sentry_sdk.get_client().close(timeout=5)
        sentry_sdk.get_global_scope().set_client(None)


def _envelope_items(envelope: bytes) -> list[tuple[dict[str, Any], bytes]]:
    """Sentry's envelope format: a header line, then (item header line, payload) pairs."""
    _header, _, rest = envelope.partition(b"\n")
    items = []
    while rest.strip():
        item_header_line, _, rest = rest.partition(b"\n")
        item_header = json.loads(item_header_line)
        if "length" in item_header:
            payload, rest = rest[: item_header["length"]], rest[item_header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((item_header, payload))
    return items


def _payloads(server: ThreadingHTTPServer, item_type: str) -> list[dict[str, Any]]:
    return [
        json.loads(payload)
        for envelope in server.envelopes  # type: ignore[attr-defined]
        for header, payload in _envelope_items(envelope)
        if header["type"] == item_type
    ]


def _fail_with_personal_data() -> None:
    contact = f"CPF {CPF}, CNPJ {CNPJ}, e-mail {EMAIL}, telefone {PHONE}"
    raise ValueError(f"cadastro recusado: {contact}")


def test_sentry_events_are_scrubbed_of_personal_data_and_tagged_with_the_tenant(sentry_client, aracaju):
    # given: earlier requests of this test process (no Django integration then) may have tagged
    # the shared scope; production forks a scope per request and per job.
    with sentry_sdk.isolation_scope() as scope, tenant_context(aracaju):
        scope.remove_tag("tenant")
        sentry_sdk.add_breadcrumb(message=f"consulta do cidadão {EMAIL}")

        # when
        with sentry_sdk.start_transaction(name=f"cadastro {CPF}", op="task"):
            with sentry_sdk.start_span(op="db", name=f"busca {PHONE} {CNPJ}"):
                try:
                    _fail_with_personal_data()
                except ValueError:
                    sentry_sdk.capture_exception()
        sentry_sdk.capture_message(f"contato {EMAIL} {PHONE}")
        sentry_sdk.flush(timeout=10)

    # then
    received = b"".join(sentry_client.envelopes).decode()
    for personal_data in PERSONAL_DATA:
        assert personal_data not in received
    events = _payloads(sentry_client, "event")
    assert len(events) == 2
    error, message = events
    assert error["exception"]["values"][-1]["type"] == "ValueError"
    assert error["exception"]["values"][-1]["value"] == (
        f"cadastro recusado: CPF {SCRUBBED}, CNPJ {SCRUBBED}, e-mail {SCRUBBED}, telefone {SCRUBBED}"
    )
    assert error["tags"]["tenant"] == "aracaju"
    assert error["breadcrumbs"]["values"][-1]["message"] == f"consulta do cidadão {SCRUBBED}"
    assert message["message"] == f"contato {SCRUBBED} {SCRUBBED}"
    assert message["tags"]["tenant"] == "aracaju"
    transactions = _payloads(sentry_client, "transaction")
    assert len(transactions) == 1
    assert transactions[0]["transaction"] == f"cadastro {SCRUBBED}"
    assert [span["description"] for span in transactions[0]["spans"]] == [f"busca {SCRUBBED} {SCRUBBED}"]
    assert transactions[0]["tags"]["tenant"] == "aracaju"


def test_sentry_init_without_dsn_does_nothing():
    assert sentry_init(dsn="", environment="test", traces_sample_rate=0.0) is False
    assert sentry_sdk.get_client().is_active() is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"Cidadã {EMAIL}, CPF {CPF}, tel. {PHONE}, empresa {CNPJ}",
            f"Cidadã {SCRUBBED}, CPF {SCRUBBED}, tel. {SCRUBBED}, empresa {SCRUBBED}",
        ),
        (
            "cpf=52998224725 cnpj=11222333000181 fone=79998765432",
            f"cpf={SCRUBBED} cnpj={SCRUBBED} fone={SCRUBBED}",
        ),
        ("ligar para +55 79 99876-5432 ou (79) 3179-1234", f"ligar para {SCRUBBED} ou {SCRUBBED}"),
        ("escreva a Maria.Silva+ouvidoria@aracaju.se.gov.br", f"escreva a {SCRUBBED}"),
        # Protocol numbers, court case numbers, postcodes, amounts and dates identify no one and
        # are what an engineer needs to find the failing record: they stay.
        ("Processo NUP 23037.001462/2021-65", "Processo NUP 23037.001462/2021-65"),
        ("Processo 0001234-56.2021.8.25.0001", "Processo 0001234-56.2021.8.25.0001"),
        (
            "CEP 49010-020, valor R$ 1.234.567,89 em 2021-06-15",
            "CEP 49010-020, valor R$ 1.234.567,89 em 2021-06-15",
        ),
        ("ticket 123456789", "ticket 123456789"),
    ],
)
def test_scrub_text(text, expected):
    assert scrub_text(text) == expected


@pytest.fixture
def tenant_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose handler is built from settings.LOGGING's json formatter and tenant filter."""
    configurator = logging.config.DictConfigurator(settings.LOGGING)
    formatter = configurator.configure_formatter(dict(settings.LOGGING["formatters"]["json"]))
    log_filter = configurator.configure_filter(dict(settings.LOGGING["filters"]["tenant"]))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(log_filter)
    logger = logging.getLogger("tests.paco.tenant_log")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def test_log_records_carry_the_schema_name(caplog, aracaju):
    caplog.handler.addFilter(TenantLogFilter())
    logger = logging.getLogger("tests.paco.schema")

    with caplog.at_level(logging.INFO, logger="tests.paco.schema"):
        with tenant_context(aracaju):
            logger.info("em Aracaju")
        logger.info("no plano de controle")

    assert [(record.getMessage(), record.schema_name) for record in caplog.records] == [
        ("em Aracaju", "aracaju"),
        ("no plano de controle", "public"),
    ]


def test_console_handler_from_settings_has_the_tenant_filter():
    console = next(
        handler for handler in logging.getLogger().handlers if type(handler) is logging.StreamHandler
    )
    assert [type(log_filter) for log_filter in console.filters] == [TenantLogFilter, SecretsLogFilter]


def test_json_log_lines_carry_the_schema(tenant_log, aracaju):
    logger, stream = tenant_log

    with tenant_context(aracaju):
        logger.info("documento protocolado")
    logger.warning("sem município")

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["level"], line["schema"], line["name"], line["message"]) for line in lines] == [
        ("INFO", "aracaju", "tests.paco.tenant_log", "documento protocolado"),
        ("WARNING", "public", "tests.paco.tenant_log", "sem município"),
    ]
    assert sorted(lines[0]) == ["level", "message", "name", "schema", "time"]
    assert '"schema": "aracaju"' in stream.getvalue().splitlines()[0]
