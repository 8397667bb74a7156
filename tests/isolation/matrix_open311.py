"""Isolation-harness entries of Open311 (tenant_apps.open311), merged by test_isolation.py.

GeoReport v2 at /open311/v2/: reading is public, POST needs an api_key (missing: 403), a method a
resource does not have is a 405, any other path an Open311 404. The session's cities publish no
service, so the sample case's request id is a 404 for all; a token is a bearer secret that reveals
its NUP, so the harness asks for one that does not exist.

The Open311 panel of a service's admin page posts to /admin-municipal/servicos/<id>/open311/: the
municipal admin's (other staff 404, the rest to the staff login); the harness's empty POST names no
action (400) and changes nothing.
"""

from __future__ import annotations

OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 403, 404, 405
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")

_everyone = dict.fromkeys(ROLES, OK)
_not_allowed = dict.fromkeys(ROLES, NOT_ALLOWED)
_not_found = dict.fromkeys(ROLES, NOT_FOUND)
_read_only = {"GET": _everyone, "POST": _not_allowed}
_admin_nobody = {
    "anonymous": REDIRECT,
    "citizen": REDIRECT,
    "staff": NOT_FOUND,
    "manager": NOT_FOUND,
    "support": REDIRECT,
}

PARAMETER_FACTORIES: dict[str, object] = {
    "format": lambda municipality: "json",
    "token": lambda municipality: "token-inexistente",
    "path": lambda municipality: "nada.json",
}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {}
TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "open311:discovery": _read_only,
    "open311:service_list": _read_only,
    "open311:service_definition": {"GET": _not_found, "POST": _not_allowed},
    "open311:request_collection": {"GET": _everyone, "POST": dict.fromkeys(ROLES, FORBIDDEN)},
    "open311:request_detail": {"GET": _not_found, "POST": _not_allowed},
    "open311:token_detail": {"GET": _not_found, "POST": _not_allowed},
    "open311:root": {"GET": _not_found, "POST": _not_found},
    "open311:not_found": {"GET": _not_found, "POST": _not_found},
    "open311_admin:service_publication": {
        "GET": _not_allowed,
        "POST": {**_admin_nobody, "admin": BAD},
    },
}
