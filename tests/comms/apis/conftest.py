"""Staff of Aracaju around memos and circulars, each with an API session (second factor passed)."""

from __future__ import annotations

import pytest
from django.test import Client

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.org.enums import Role
from tests.api.conftest import session_client, staff_create


@pytest.fixture
def writer(in_aracaju) -> User:
    """Staff of EMSURB, who writes the memos."""
    return staff_create("edna@aracaju.se.gov.br", "Edna Emsurb", "EMSURB")


@pytest.fixture
def reader(in_aracaju) -> User:
    """Staff of SEMA, where the memos and circulars go."""
    return staff_create("sandro@aracaju.se.gov.br", "Sandro Sema", "SEMA")


@pytest.fixture
def outsider(in_aracaju) -> User:
    """Staff of SEFAZ, which takes part in nothing."""
    return staff_create("otavio@aracaju.se.gov.br", "Otávio Sefaz", "SEFAZ")


@pytest.fixture
def boss(in_aracaju) -> User:
    """EMSURB's manager, who sends the circulars."""
    return staff_create("mauro@aracaju.se.gov.br", "Mauro Gestor", "EMSURB", Role.MANAGER)


@pytest.fixture
def citizen(in_aracaju) -> User:
    return User.objects.get(email=demo.DEMO_CITIZEN["email"])


@pytest.fixture
def api(aracaju, writer, reader, outsider, boss, citizen) -> dict[str, Client]:
    return {
        name: session_client(user, aracaju)
        for name, user in {
            "writer": writer,
            "reader": reader,
            "outsider": outsider,
            "boss": boss,
            "citizen": citizen,
        }.items()
    }
