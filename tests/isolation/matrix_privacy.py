"""Isolation-harness entries of privacy (tenant_apps.privacy): Meus dados and the privacy page.

The privacy page is public (it names the city's encarregado, LGPD art. 41). Meus dados and its
actions are the citizen's own (anyone else is sent to the citizen login). An export link with a
token that does not match is refused to the citizen with a 403 and a message, nothing changes. An
empty correction request is an unbound form (400, nothing filed). The privacy notice editor is the
municipal admin's (other staff 404; an empty POST is 400).
"""

from __future__ import annotations

OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 403, 404, 405
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")

_citizen_get = {
    "GET": {**dict.fromkeys(ROLES, REDIRECT), "citizen": OK},
    "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
}
_citizen_post = {"GET": dict.fromkeys(ROLES, NOT_ALLOWED), "POST": dict.fromkeys(ROLES, REDIRECT)}
_admin_nobody = {
    "anonymous": REDIRECT,
    "citizen": REDIRECT,
    "staff": NOT_FOUND,
    "manager": NOT_FOUND,
    "support": REDIRECT,
}

TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "privacy:notice": {"GET": dict.fromkeys(ROLES, OK), "POST": dict.fromkeys(ROLES, NOT_ALLOWED)},
    "privacy:my_data": _citizen_get,
    "privacy:export_request": _citizen_post,
    "privacy:export_download": {
        "GET": {**dict.fromkeys(ROLES, REDIRECT), "citizen": FORBIDDEN},
        "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
    },
    "privacy:subject_request": {
        "GET": {**dict.fromkeys(ROLES, REDIRECT), "citizen": OK},
        "POST": {**dict.fromkeys(ROLES, REDIRECT), "citizen": BAD},
    },
    "privacy:consents": _citizen_post,
    "privacy:notice_edit": {"GET": {**_admin_nobody, "admin": OK}, "POST": {**_admin_nobody, "admin": BAD}},
}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {}
# export_id comes from matrix_offboarding (an id that is not the citizen's export either way)
PARAMETER_FACTORIES: dict[str, object] = {"fmt": lambda municipality: "pdf"}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {}
