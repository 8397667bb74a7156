"""An Open311 client of each demo city, helpers to call `/open311/v2/` on a city's host, and the
project's WSGI app on a real socket for client libraries."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - parsing our own responses in tests

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from django.test import Client
from django_tenants.utils import tenant_context

from tenant_apps.catalog.models import Service
from tenant_apps.open311 import demo as open311_demo
from tenant_apps.open311.services import api_client_create, service_publish
from tests.factories import DomainFactory

BASE = "/open311/v2"
# a valid CPF and CNPJ for attributes whose datatype_description names them
VALID_CPF = "52998224725"
VALID_CNPJ = "11222333000181"


def city_client(municipality: Any) -> Client:
    return Client(HTTP_HOST=f"{municipality.slug}.localhost")


def xml_of(response: Any) -> ET.Element:
    return ET.fromstring(response.content)  # noqa: S314 - our own response


def publish(municipality: Any, code: str = "poda-de-arvore", *, published: bool = True) -> None:
    with tenant_context(municipality):
        service_publish(service=Service.objects.get(code=code), published=published)


def attribute_values(definition: dict[str, Any]) -> dict[str, str]:
    """`attribute[code]` values a careful client would send for a service definition."""
    values = {}
    for attribute in definition["attributes"]:
        if not attribute["variable"]:
            continue
        description = attribute.get("datatype_description") or ""
        if attribute["datatype"] in ("singlevaluelist", "multivaluelist"):
            value = attribute["values"][0]["key"]
        elif attribute["datatype"] == "number":
            value = "12.5"
        elif attribute["datatype"] == "datetime":
            value = "2026-05-04T10:00:00-03:00"
        elif description.startswith("CPF"):
            value = VALID_CPF
        elif description.startswith("CNPJ"):
            value = VALID_CNPJ
        else:
            value = f"Resposta para {attribute['code']}"
        values[f"attribute[{attribute['code']}]"] = value
    return values


@pytest.fixture(autouse=True)
def _demo_publications(aracaju: Any, gravatai: Any) -> None:
    """Open311 as the demo has it (tenant_apps.open311.demo), inside each test's transaction: the
    session's cities publish nothing, so the isolation harness sees no published service."""
    for municipality in (aracaju, gravatai):
        with tenant_context(municipality):
            open311_demo.seed(municipality=municipality)


@pytest.fixture
def aracaju_key(aracaju: Any) -> str:
    with tenant_context(aracaju):
        _client, key = api_client_create(name="App Zeladoria")
    return key


@pytest.fixture
def gravatai_key(gravatai: Any) -> str:
    with tenant_context(gravatai):
        _client, key = api_client_create(name="App Gravataí")
    return key


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        pass


@pytest.fixture
def open311_server(db: Any, settings: Any) -> Iterator[Callable[[Any], str]]:
    """`serve(municipality)` -> the base URL of its `/open311/v2` on a real socket.

    The whole WSGI stack (tenant middleware included) answers on a loopback address of its own
    per city (127.0.0.2, 127.0.0.3, ...: client libraries resolve no `*.localhost` name), added as
    one more domain of the city. The one server thread uses the test's database connection, so
    what a client creates is rolled back with the test; the test thread waits on each HTTP call,
    so the connection is never used by both at once.
    """
    shared = connections["default"]
    shared.inc_thread_sharing()
    # as django.test.Client does: a finished request must not close the test's connection
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    servers: list[tuple[WSGIServer, threading.Thread]] = []
    hosts: list[str] = []

    def serve(municipality: Any) -> str:
        host = f"127.0.0.{len(servers) + 2}"
        DomainFactory(tenant=municipality, domain=host)
        hosts.append(host)
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
        server = WSGIServer((host, 0), _Handler, ipv6=False)
        server.set_app(WSGIHandler())

        def run() -> None:
            connections["default"] = shared
            server.serve_forever(poll_interval=0.05)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://{host}:{server.server_port}{BASE}"

    try:
        yield serve
    finally:
        for server, thread in servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        shared.dec_thread_sharing()
