"""Isolation-harness entries of gov.br sign-in (tenant_apps.govbr) and its demo stand-in provider.

The test session's cities have no gov.br client (the demo seeds one only where the stand-in
provider is served), so starting a sign-in is a 404 with an explanation; a callback or a link
confirmation without a flow in progress is a 400 that changes nothing. "Conta gov.br" is the
citizen's page (others are sent to the citizen login); unlinking an account that is not linked is
refused with a message (302 back to the page). The client settings and the minimum levels are the
municipal admin's (an empty POST is an unbound form: 400, nothing changes). The demo provider
(/demo-govbr/ on the control plane) is off outside `make demo`: 404 for everyone (405 for a wrong
method).
"""

from __future__ import annotations

OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")

_admin_nobody = {
    "anonymous": REDIRECT,
    "citizen": REDIRECT,
    "staff": NOT_FOUND,
    "manager": NOT_FOUND,
    "support": REDIRECT,
}
_get_only = {"POST": dict.fromkeys(ROLES, NOT_ALLOWED)}
_post_only = {"GET": dict.fromkeys(ROLES, NOT_ALLOWED)}
_demo_get = {"GET": dict.fromkeys(ROLES, NOT_FOUND), **_get_only}

TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "govbr:start": {"GET": dict.fromkeys(ROLES, NOT_FOUND), **_get_only},
    "govbr:callback": {"GET": dict.fromkeys(ROLES, BAD), **_get_only},
    "govbr:link_confirm": {"GET": dict.fromkeys(ROLES, BAD), "POST": dict.fromkeys(ROLES, BAD)},
    "govbr:account": {"GET": {**dict.fromkeys(ROLES, REDIRECT), "citizen": OK}, **_get_only},
    "govbr:unlink": {**_post_only, "POST": dict.fromkeys(ROLES, REDIRECT)},
    "govbr:client_settings": {
        "GET": {**_admin_nobody, "admin": OK},
        "POST": {**_admin_nobody, "admin": BAD},
    },
    "govbr:requirements": {
        "GET": {**_admin_nobody, "admin": OK},
        "POST": {**_admin_nobody, "admin": BAD},
    },
}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "demo_govbr:discovery": _demo_get,
    "demo_govbr:jwks": _demo_get,
    "demo_govbr:authorize": {"GET": dict.fromkeys(ROLES, NOT_FOUND), "POST": dict.fromkeys(ROLES, NOT_FOUND)},
    "demo_govbr:token": {**_post_only, "POST": dict.fromkeys(ROLES, NOT_FOUND)},
    "demo_govbr:userinfo": _demo_get,
    "demo_govbr:reliability": _demo_get,
    "demo_govbr:logout": _demo_get,
}
PARAMETER_FACTORIES: dict[str, object] = {}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {"cpf": lambda municipality: "52998224725"}
