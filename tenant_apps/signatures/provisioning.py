"""Provisioning step: a new city's internal certificate authority (runs inside its schema)."""

from typing import Any

from .models import CityAuthority
from .services import authority_ensure


def authority_seed(*, municipality: Any, spec: Any) -> CityAuthority:
    return authority_ensure()
