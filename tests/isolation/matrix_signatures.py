"""Isolation-harness entries of document templates (tenant_apps.doctemplates) and signatures
(tenant_apps.signatures), merged by test_isolation.py.

Samples: a city-wide published template made by the municipal admin (so the unit manager, who
manages only their unit's templates, gets 404 on its admin pages, while every staff member may use
it), and a signing block of the harness's restricted sample document (SEPLOG-PROT in Aracaju,
SMF-FISC in Gravataí) made by the demo staff member for the unit's manager. The admin works in
another unit: the block and the document are a 404 for them. The verification code is the
harness's restricted sample: the public page says only that it exists (200) and its PDF is a 404.
Empty POSTs are refused field by field (400) and change nothing.
"""

from __future__ import annotations

OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
UNAUTHORIZED, FORBIDDEN = 401, 403
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")
SAMPLE_TEMPLATE = "Amostra de isolamento: modelo"
SAMPLE_BLOCK = "Amostra de isolamento: bloco"
_not_allowed_all = dict.fromkeys(ROLES, NOT_ALLOWED)


def template_id_of(municipality) -> int:
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo
    from tenant_apps.accounts.models import User
    from tenant_apps.doctemplates.models import DocumentTemplate
    from tenant_apps.doctemplates.services import template_create

    with tenant_context(municipality):
        template = DocumentTemplate.objects.filter(name=SAMPLE_TEMPLATE).first()
        if template is None:
            admin_email = next(
                spec for spec in demo.DEMO_MUNICIPALITIES if spec.slug == municipality.slug
            ).admin.email
            template = template_create(
                name=SAMPLE_TEMPLATE,
                kind="OFIC",
                body="<p>{{ caso.nup }}</p>",
                created_by=User.objects.get(email=admin_email),
                is_published=True,
            )
        return template.pk


def block_id_of(municipality) -> int:
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo
    from tenant_apps.accounts.models import User
    from tenant_apps.signatures.models import SigningBlock
    from tenant_apps.signatures.services import signing_block_create
    from tests.isolation.test_isolation import document_of

    document = document_of(municipality)
    with tenant_context(municipality):
        block = SigningBlock.objects.filter(title=SAMPLE_BLOCK).first()
        if block is None:
            block = signing_block_create(
                title=SAMPLE_BLOCK,
                author=User.objects.get(email=demo.DEMO_STAFF[municipality.slug]["email"]),
                documents=[document],
                signers=[User.objects.get(email=f"gestor@{municipality.slug}.gov.br")],
                level="simples",
            )
        return block.pk


PARAMETER_FACTORIES: dict[str, object] = {"template_id": template_id_of, "block_id": block_id_of}
# the demo's stand-in of gov.br assinatura (/demo-govbr-assinatura/ on the control plane) is off
# outside `make demo`: 404 for everyone (405 for a wrong method)
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "demo_govbr_sign:authorize": {
        "GET": dict.fromkeys(ROLES, NOT_FOUND),
        "POST": dict.fromkeys(ROLES, NOT_FOUND),
    },
    "demo_govbr_sign:token": {"GET": _not_allowed_all, "POST": dict.fromkeys(ROLES, NOT_FOUND)},
    "demo_govbr_sign:certificate": {"GET": dict.fromkeys(ROLES, NOT_FOUND), "POST": _not_allowed_all},
    "demo_govbr_sign:sign": {"GET": _not_allowed_all, "POST": dict.fromkeys(ROLES, NOT_FOUND)},
}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {}

_not_allowed = dict.fromkeys(ROLES, NOT_ALLOWED)
_to_login = dict.fromkeys(ROLES, REDIRECT)
_staff_all = {**_to_login, "staff": OK, "manager": OK, "admin": OK}
_staff_all_bad = {**_to_login, "staff": BAD, "manager": BAD, "admin": BAD}
# the sample document and block: the demo staff member and the unit's manager; the admin is elsewhere
_unit_people = {**_to_login, "staff": OK, "manager": OK, "admin": NOT_FOUND}
_unit_people_bad = {**_to_login, "staff": BAD, "manager": BAD, "admin": NOT_FOUND}
_staff_off = {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": NOT_FOUND}
_managers = {**_to_login, "staff": NOT_FOUND, "manager": OK, "admin": OK}
_managers_bad = {**_to_login, "staff": NOT_FOUND, "manager": BAD, "admin": BAD}
_admin_only = {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": OK}
_admin_only_bad = {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": BAD}
_api_nobody = {"anonymous": UNAUTHORIZED, "support": UNAUTHORIZED, "citizen": FORBIDDEN}
_api_wrong_method = {**dict.fromkeys(ROLES, NOT_ALLOWED), **_api_nobody}
_api_staff = {**_api_nobody, "staff": OK, "manager": OK, "admin": OK}
_api_staff_bad = {**_api_nobody, "staff": BAD, "manager": BAD, "admin": BAD}
_api_unit = {**_api_nobody, "staff": OK, "manager": OK, "admin": NOT_FOUND}
_api_unit_bad = {**_api_nobody, "staff": BAD, "manager": BAD, "admin": NOT_FOUND}

TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    # templates (admin pages: the admin everything; a unit manager their unit's; staff nothing)
    "doctemplates:template_list": {
        "GET": _managers,
        "POST": {**_managers, "manager": NOT_FOUND, "admin": REDIRECT},
    },
    "doctemplates:template_create": {"GET": _managers, "POST": _managers_bad},
    "doctemplates:template_edit": {"GET": _admin_only, "POST": _admin_only_bad},
    "doctemplates:template_preview": {"GET": _admin_only, "POST": _not_allowed},
    "doctemplates:document_generate": {"GET": _staff_all, "POST": _staff_all_bad},
    "doctemplates_api:template_list": {"GET": _api_staff, "POST": _api_staff_bad},
    "doctemplates_api:template_fields": {"GET": _api_staff, "POST": _api_wrong_method},
    "doctemplates_api:template_detail": {"GET": _api_staff, "POST": _api_wrong_method},
    "doctemplates_api:template_preview": {"GET": _api_wrong_method, "POST": _api_staff_bad},
    "doctemplates_api:template_generate": {"GET": _api_wrong_method, "POST": _api_staff_bad},
    # signatures
    "signatures:verify_detail": {"GET": dict.fromkeys(ROLES, OK), "POST": _not_allowed},
    "signatures:verify_signed_pdf": {"GET": dict.fromkeys(ROLES, NOT_FOUND), "POST": _not_allowed},
    "signatures:document_sign": {"GET": _unit_people, "POST": _unit_people_bad},
    # an empty edit saves nothing and goes back to the document (with the message)
    "signatures:document_edit": {
        "GET": _not_allowed,
        "POST": {**_unit_people, "staff": REDIRECT, "manager": REDIRECT},
    },
    # "Tentar de novo": only the signer's own failed signature; with none, nothing changes and the
    # person goes back to the document (with the message)
    "signatures:request_retry": {
        "GET": _not_allowed,
        "POST": {**_unit_people, "staff": REDIRECT, "manager": REDIRECT},
    },
    "signatures:pending_list": {"GET": _staff_all, "POST": _staff_all_bad},
    "signatures:block_create": {"GET": _staff_all, "POST": _staff_all_bad},
    "signatures:block_detail": {"GET": _unit_people, "POST": _unit_people_bad},
    "signatures:policy_edit": {"GET": _admin_only, "POST": _admin_only_bad},
    # gov.br assinatura: off unless configured (the harness runs without it: 404 for staff)
    "signatures:govbr_document_start": {"GET": _not_allowed, "POST": _staff_off},
    "signatures:govbr_blocks_start": {"GET": _not_allowed, "POST": _staff_off},
    "signatures:govbr_callback": {"GET": _staff_off, "POST": _not_allowed},
    "signatures_api:document_signatures": {"GET": _api_unit, "POST": _api_wrong_method},
    "signatures_api:document_sign": {"GET": _api_wrong_method, "POST": _api_unit_bad},
    "signatures_api:block_list": {"GET": _api_staff, "POST": _api_staff_bad},
    "signatures_api:block_sign": {"GET": _api_wrong_method, "POST": _api_staff_bad},
    "signatures_api:block_detail": {"GET": _api_unit, "POST": _api_wrong_method},
    "signatures_api:block_refuse": {"GET": _api_wrong_method, "POST": _api_unit_bad},
}
