"""Isolation-harness entries of a city's own domain (/admin-municipal/dominio/, issue 18).

The municipal admin's pages: other staff get a 404, the rest are sent to the staff login; an empty
POST is a form with errors (400). The sample is the city's pending demo domain: "Verificar agora"
looks it up (the test settings' DNS answers nothing: it stays pending) and redirects back to the
page; "Remover" deletes it and redirects. Both are POST only. An id of another city's domain is a
404 (tests/tenants/test_custom_domains.py).
"""

from __future__ import annotations

OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")


def custom_domain_id_of(municipality) -> int:
    from tenants.models import CustomDomain
    from tenants.services import custom_domain_add

    hostname = f"servicos.{municipality.slug}.{municipality.state.lower()}.gov.br"
    row = CustomDomain.objects.filter(hostname=hostname).first()
    if row is None:
        row = custom_domain_add(municipality=municipality, hostname=hostname)
    return row.pk


_admin_nobody = {
    "anonymous": REDIRECT,
    "citizen": REDIRECT,
    "staff": NOT_FOUND,
    "manager": NOT_FOUND,
    "support": REDIRECT,
}
_admin_action = {"GET": dict.fromkeys(ROLES, NOT_ALLOWED), "POST": {**_admin_nobody, "admin": REDIRECT}}

TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "domains:list": {"GET": {**_admin_nobody, "admin": OK}, "POST": {**_admin_nobody, "admin": BAD}},
    "domains:verify": _admin_action,
    "domains:remove": _admin_action,
}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {}
PARAMETER_FACTORIES: dict[str, object] = {"custom_domain_id": custom_domain_id_of}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {}
