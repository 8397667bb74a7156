"""Isolation-harness entries of payments (tenant_apps.payments), merged by test_isolation.py.

The sample is the demo citizen's guide waiting for payment (demo data of both cities). The citizen
sees and pays only their own guides; staff see every guide of the city; managers and municipal
admins record manual payments and cancel (an empty form is a 400 and changes nothing); the
municipal admin edits the city's Pix key. The API lists the caller's guides (401 without
credentials); the webhook is the PSP's, authenticated by the city's secret: an unsigned POST is
a 401 for everyone and records nothing.
"""

from __future__ import annotations

OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
UNAUTHORIZED = 401
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")
CITIZEN_EMAIL = "cidadao@exemplo.com.br"


def _sample_guide(municipality):
    from django_tenants.utils import tenant_context

    from tenant_apps.payments.models import PaymentGuide

    with tenant_context(municipality):
        return (
            PaymentGuide.objects.filter(owner__email=CITIZEN_EMAIL, status="pendente")
            .order_by("number")
            .first()
        )


PARAMETER_FACTORIES: dict[str, object] = {
    "year": lambda municipality: _sample_guide(municipality).year,
    "number": lambda municipality: _sample_guide(municipality).number,
}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {}

_not_allowed = dict.fromkeys(ROLES, NOT_ALLOWED)
_to_login = dict.fromkeys(ROLES, REDIRECT)
_citizen_page = {
    "GET": {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": NOT_FOUND, "citizen": OK},
    "POST": _not_allowed,
}
_staff_page = {
    "GET": {**_to_login, "staff": OK, "manager": OK, "admin": OK},
    "POST": {**_to_login, "staff": NOT_ALLOWED, "manager": NOT_ALLOWED, "admin": NOT_ALLOWED},
}
_settle = {
    "GET": {**_to_login, "staff": NOT_ALLOWED, "manager": NOT_ALLOWED, "admin": NOT_ALLOWED},
    "POST": {**_to_login, "staff": NOT_FOUND, "manager": BAD, "admin": BAD},
}
_admin = {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND}
_api_read = {
    "GET": {**dict.fromkeys(ROLES, OK), "anonymous": UNAUTHORIZED, "support": UNAUTHORIZED},
    "POST": {**dict.fromkeys(ROLES, NOT_ALLOWED), "anonymous": UNAUTHORIZED, "support": UNAUTHORIZED},
}

TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "payments:my_guides": _citizen_page,
    "payments:my_guide": _citizen_page,
    "payments:staff_guide_list": _staff_page,
    "payments:staff_guide": _staff_page,
    "payments:staff_guide_mark_paid": _settle,
    "payments:staff_guide_cancel": _settle,
    "payments:staff_guide_new": {
        "GET": {**_to_login, "staff": NOT_FOUND, "manager": OK, "admin": OK},
        "POST": {**_to_login, "staff": NOT_FOUND, "manager": BAD, "admin": BAD},
    },
    # the demo's waiting guide is not paid: an empty refund form is a 400 and nothing is refunded
    "payments:staff_guide_refund": _settle,
    "payments:pix_settings": {"GET": {**_admin, "admin": OK}, "POST": {**_admin, "admin": BAD}},
    # the harness's empty POST is an unbound form: a 400 that saves nothing
    "payments:psp_settings": {"GET": {**_admin, "admin": OK}, "POST": {**_admin, "admin": BAD}},
    # with no PSP in the test settings the button says so and redirects, calling nothing
    "payments:psp_webhook_register": {
        "GET": {**_admin, "admin": NOT_ALLOWED},
        "POST": {**_admin, "admin": REDIRECT},
    },
    # the new secret is shown once, on the answer to the POST
    "payments:pix_secret_rotate": {"GET": {**_admin, "admin": NOT_ALLOWED}, "POST": {**_admin, "admin": OK}},
    "payments_api:guide_list": _api_read,
    "payments_api:guide_detail": _api_read,
    "payments_api:webhook": {"GET": _not_allowed, "POST": dict.fromkeys(ROLES, UNAUTHORIZED)},
    # the PSP's own webhook: without the ingress's mutual-TLS headers, a 401 for everyone
    "payments_api:psp_webhook": {"GET": _not_allowed, "POST": dict.fromkeys(ROLES, UNAUTHORIZED)},
    # the demo's stand-in bank is off outside `make demo`
    "demo_bank:pay": {"GET": dict.fromkeys(ROLES, NOT_FOUND), "POST": dict.fromkeys(ROLES, NOT_FOUND)},
}
