"""The API's people of Aracaju around one EMSURB case, and clients for each (tests/api/conftest.py)."""

from tests.api.conftest import (  # noqa: F401 - fixtures
    admin,
    case,
    citizen,
    clients,
    digits,
    manager,
    other_citizen,
    other_staff,
    poda,
    unit_staff,
)
