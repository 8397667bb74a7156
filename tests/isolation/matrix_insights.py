"""Isolation-harness entries of the indicators (tenant_apps.insights), merged by test_isolation.py.

The manager page and its CSV: unit managers (their units) and the municipal admin (the city); plain
staff get a 404, people who are not staff go to the login. The annual PDFs are for the whole city
only (the admin). The REST summary follows the page (401 without credentials, 403 for citizens).
The settings page is the municipal admin's (an empty POST is a form with errors: 400, nothing
saved). Open data is public: everyone reads it, nobody posts to it.
"""

from __future__ import annotations

OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
UNAUTHORIZED, FORBIDDEN = 401, 403
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")


def this_year(municipality) -> int:
    from django.utils import timezone

    return timezone.localdate().year


PARAMETER_FACTORIES: dict[str, object] = {
    "chart": lambda municipality: "servicos",
    "year": this_year,
    "report": lambda municipality: "lai",
    "dataset": lambda municipality: "protocolos-por-servico",
}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {}

_not_allowed = dict.fromkeys(ROLES, NOT_ALLOWED)
_to_login = dict.fromkeys(ROLES, REDIRECT)
_public = {"GET": dict.fromkeys(ROLES, OK), "POST": _not_allowed}
_api_nobody = {"anonymous": UNAUTHORIZED, "support": UNAUTHORIZED}
_managers = {"GET": {**_to_login, "staff": NOT_FOUND, "manager": OK, "admin": OK}, "POST": _not_allowed}

TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "insights:manager": _managers,
    "insights:manager_csv": _managers,
    "insights:annual_report": {
        "GET": {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": OK},
        "POST": _not_allowed,
    },
    "insights:settings": {
        "GET": {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": OK},
        "POST": {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": BAD},
    },
    "insights:opendata": _public,
    "insights:opendata_dcat": _public,
    "insights:opendata_csv": _public,
    "insights:opendata_json": _public,
    "insights:opendata_dictionary": _public,
    "insights:opendata_schema": _public,
    # REST: the summary is the page's (staff without a managed unit: 404); datasets are public
    "insights_api:summary": {
        "GET": {**_api_nobody, "citizen": FORBIDDEN, "staff": NOT_FOUND, "manager": OK, "admin": OK},
        "POST": {
            **_api_nobody,
            "citizen": FORBIDDEN,
            "staff": NOT_ALLOWED,
            "manager": NOT_ALLOWED,
            "admin": NOT_ALLOWED,
        },
    },
    "insights_api:dataset_list": _public,
    "insights_api:dataset_rows": _public,
}
