"""Isolation-harness entries of one module (merged by tests/isolation/test_isolation.py).

TENANT_MATRIX / PUBLIC_MATRIX: route name -> method -> role -> status, as in test_isolation.py.
PARAMETER_FACTORIES: route parameter -> (municipality B) -> value, for the city's routes.
PUBLIC_PARAMETER_FACTORIES: route parameter -> (municipality) -> value, for the control plane's
routes (the municipality is Aracaju for the matrix, Gravataí for the cross-tenant checks).

Self-onboarding (/cadastro/) is public: a city's session is a stranger there. The harness posts an
empty form (400, nothing created); the routes of one signup answer only to the browser that made or
confirmed it (404 otherwise), and an unknown verification token is a 404 for GET and POST alike.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")
OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "onboarding:signup": {"GET": _all(OK), "POST": _all(BAD)},
    "onboarding:municipality_options": {"GET": _all(OK), "POST": _all(NOT_ALLOWED)},
    "onboarding:check_inbox": {"GET": _all(REDIRECT), "POST": _all(NOT_ALLOWED)},
    "onboarding:resend": {"GET": _all(NOT_ALLOWED), "POST": _all(NOT_FOUND)},
    "onboarding:confirm": {"GET": _all(NOT_FOUND), "POST": _all(NOT_FOUND)},
    "onboarding:progress": {"GET": _all(OK), "POST": _all(NOT_ALLOWED)},
    "onboarding:progress_fragment": {"GET": _all(OK), "POST": _all(NOT_ALLOWED)},
    "onboarding:payment": {"GET": _all(NOT_ALLOWED), "POST": _all(NOT_FOUND)},
}
PARAMETER_FACTORIES: dict[str, object] = {}

SAMPLE_SLUG = "amostra-isolamento"


def sample_signup_id(municipality) -> str:
    """A pending signup of Amparo de São Francisco/SE, created once (the municipality is irrelevant:
    signups belong to no city yet)."""
    from shared_apps.onboarding.models import Signup

    signup, _created = Signup.objects.get_or_create(
        slug=SAMPLE_SLUG,
        defaults={
            "ibge_code": "2800100",
            "city_name": "Amparo de São Francisco",
            "uf": "SE",
            "admin_full_name": "Amostra de Isolamento",
            "admin_cpf": "52998224725",
            "admin_email": "amostra@amparo.se.gov.br",
            "plan_code": "pequeno",
            "payment_method": "card",
            "verification_token_hash": "0" * 64,
            "verification_expires_at": timezone.now() + dt.timedelta(hours=48),
        },
    )
    return str(signup.pk)


PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {
    "signup_id": sample_signup_id,
    "token": lambda municipality: "token-que-nao-existe",
}
