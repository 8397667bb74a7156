from __future__ import annotations

from typing import Any

import pytest

from tests.billing.conftest import _stripe_server, stripe_server  # noqa: F401

LAGARTO = "2803500"
VALID_CPF = "529.982.247-25"


def signup_kwargs(**overrides: Any) -> dict[str, Any]:
    """A valid signup of Lagarto/SE."""
    return {
        "ibge_code": LAGARTO,
        "slug": "lagarto",
        "admin_full_name": "Lúcia Prefeita Lagartense",
        "admin_cpf": VALID_CPF,
        "admin_email": "Gabinete@Lagarto.SE.gov.br",
        "plan_code": "medio",
        "payment_method": "boleto",
        **overrides,
    }


def signup_form_data(**overrides: Any) -> dict[str, Any]:
    return {"uf": "SE", "website": "", **signup_kwargs(), **overrides}


@pytest.fixture
def no_stripe(settings: Any) -> None:
    settings.STRIPE_API_KEY = ""
