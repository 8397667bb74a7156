"""Isolation-harness entries of one module (merged by tests/isolation/test_isolation.py).

TENANT_MATRIX / PUBLIC_MATRIX: route name -> method -> role -> status, as in test_isolation.py.
PARAMETER_FACTORIES: route parameter -> (municipality B) -> value, for the city's routes.
PUBLIC_PARAMETER_FACTORIES: route parameter -> (municipality) -> value, for the control plane's
routes (the municipality is Aracaju for the matrix, Gravataí for the cross-tenant checks).

Vendor support (control plane, /suporte/municipios/): only support gets in, everyone else is sent
to the support login; an empty POST is a form with errors (400), reactivating a city that is not
suspended and resending an invitation nobody is waiting for are clear errors (400); the sample
session is an approved one of support's own, so "Entrar" sends support to the city (302).

Support sessions on the city's host: the handoff link is a bearer secret, so the harness asks for
one that does not exist (404 for everyone); leaving a session without being in one is a 404. The
admins' page of support access (/admin-municipal/suporte/) is the municipal admin's (other staff 404,
the rest to the staff login); the sample session is a request waiting for a decision, made again
for every route, so approving, denying and ending it succeed (302).
"""

from __future__ import annotations

OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")

SAMPLE_REASON = "Amostra do teste de isolamento do suporte."


def _sample_session(municipality, status: str) -> int:
    from django.utils import timezone

    from shared_apps.support.models import SupportSession

    session = SupportSession.objects.filter(
        municipality=municipality, reason=SAMPLE_REASON, status=status
    ).first()
    if session is None:
        session = SupportSession.objects.create(
            municipality=municipality,
            support_email="suporte@paco.localhost",
            support_name="Suporte Paço",
            reason=SAMPLE_REASON,
            target_email=f"servidor@{municipality.slug}.gov.br",
            status=status,
            requested_at=timezone.now(),
        )
    return session.pk


def requested_session_of(municipality) -> int:
    return _sample_session(municipality, "requested")


def approved_session_of(municipality) -> int:
    return _sample_session(municipality, "approved")


_to_support_login = dict.fromkeys(ROLES, REDIRECT)
_support_page = {"GET": {**_to_support_login, "support": OK}, "POST": dict.fromkeys(ROLES, NOT_ALLOWED)}
_support_form = {"GET": dict.fromkeys(ROLES, NOT_ALLOWED), "POST": {**_to_support_login, "support": BAD}}
_support_go = {"GET": dict.fromkeys(ROLES, NOT_ALLOWED), "POST": _to_support_login}

PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "support:municipality_detail": _support_page,
    "support:suspend": _support_form,
    "support:reactivate": _support_form,
    "support:trial_extend": _support_form,
    "support:invite_resend": _support_form,
    "support:session_request": _support_form,
    "support:session_enter": _support_go,
}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {
    "municipality_id": lambda municipality: municipality.pk,
    "session_id": approved_session_of,
}

_admin_nobody = {
    "anonymous": REDIRECT,
    "citizen": REDIRECT,
    "staff": NOT_FOUND,
    "manager": NOT_FOUND,
    "support": REDIRECT,
}
_not_allowed = dict.fromkeys(ROLES, NOT_ALLOWED)
_admin_page = {"GET": {**_admin_nobody, "admin": OK}, "POST": _not_allowed}
_admin_form = {"GET": _not_allowed, "POST": {**_admin_nobody, "admin": BAD}}
_admin_action = {"GET": _not_allowed, "POST": {**_admin_nobody, "admin": REDIRECT}}

TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "support_tenant:enter": {"GET": dict.fromkeys(ROLES, NOT_FOUND), "POST": _not_allowed},
    "support_tenant:end": {"GET": _not_allowed, "POST": dict.fromkeys(ROLES, NOT_FOUND)},
    "support_tenant:admin_page": _admin_page,
    "support_tenant:admin_policy": _admin_form,
    "support_tenant:admin_session": _admin_page,
    "support_tenant:admin_approve": _admin_action,
    "support_tenant:admin_deny": _admin_action,
    "support_tenant:admin_end": _admin_action,
}
PARAMETER_FACTORIES: dict[str, object] = {
    "token": lambda municipality: "token-inexistente",
    "session_id": requested_session_of,
}
