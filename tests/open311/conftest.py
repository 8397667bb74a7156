"""An Open311 client of each demo city and helpers to call `/open311/v2/` on a city's host."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - parsing our own responses in tests

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from tenant_apps.open311.services import api_client_create

BASE = "/open311/v2"


def city_client(municipality: Any) -> Client:
    return Client(HTTP_HOST=f"{municipality.slug}.localhost")


def xml_of(response: Any) -> ET.Element:
    return ET.fromstring(response.content)  # noqa: S314 - our own response


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
