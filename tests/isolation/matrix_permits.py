"""Isolation-harness entries of permits (tenant_apps.permits), merged by test_isolation.py.

Sample: a level I request of the demo citizen (the exemption declaration, issued at once) in each
city, with one real file (so the classification routes act on a file that exists). Its staff page
belongs to the licensing unit (SEPLOG-ALV in Aracaju, SMF-ALV in Gravataí), where none of the
harness's staff or manager works: a 404 for them (the licensing staff's access is
tested in tests/permits). The municipal admin manages the whole city and opens it (200, page and
API); an empty opinion from the admin is a 400, an unknown action or another request's file a 404.
Empty POSTs change nothing: the citizen's action on a request that does not wait for it comes back
with the message (302), the staff's is a 404 (not their request), the admin's empty builder form is
a 400 (kinds, checklist documents, routing rules); the admin's
buttons (move the kind's first document up, publish/unpublish a rule) come back with a 302.
The staff's per-file classification form answers like the staff's other actions, except the
admin's: the service refuses (not the admin's unit) and the page comes back with the message (302).
The API's actions: the requester's (terms, insist, files, appeal) refuse staff (403) and answer the
owner's empty POST with a 400 (a field missing, or the exempt sample does not wait for it); the
staff's (opinion, issue, permit status, appeal decision, file classification) refuse citizens (403),
are a 404 outside the licensing unit, and the admin's empty POST is a 400; nothing changes.
"""

from __future__ import annotations

import io

OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
UNAUTHORIZED, FORBIDDEN = 401, 403
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")


def _cnpj(base: str) -> str:
    for _round in range(2):
        weights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][-len(base) :]
        remainder = sum(int(digit) * weight for digit, weight in zip(base, weights, strict=True)) % 11
        base += "0" if remainder < 2 else str(11 - remainder)
    return base


SAMPLE_CNPJ = {"aracaju": _cnpj("112223330001"), "gravatai": _cnpj("445556660001")}


def request_id_of(municipality) -> int:
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo
    from tenant_apps.accounts.models import User
    from tenant_apps.documents.uploads import Upload
    from tenant_apps.permits.demo_requests import text_pdf
    from tenant_apps.permits.models import PermitKind, PermitRequest
    from tenant_apps.permits.services import permit_request_submit

    with tenant_context(municipality):
        citizen = User.objects.get(email=demo.DEMO_CITIZEN["email"])
        existing = PermitRequest.objects.filter(case__citizen=citizen).order_by("pk").first()
        if existing is not None:
            return existing.pk
        kind = PermitKind.objects.get(service__code="alvara-funcionamento")
        request = permit_request_submit(
            kind=kind,
            citizen=citizen,
            form_data={
                # strings of one city only (the harness treats longer answers as private markers)
                "cpf_cnpj": SAMPLE_CNPJ[municipality.slug],
                "nome_razao_social": f"Amostra {municipality.slug} Ltda",
                "mei": "Não",
                "endereco": f"Rua {municipality.slug}, 1",
                "bairro": "Centro",
                "cnae": "4781400",
                "area_m2": "30",
            },
            # a real file, so the routes that name one (classification) are exercised against it
            uploads=[Upload(name="contrato.pdf", file=io.BytesIO(text_pdf("Contrato social da amostra.")))],
        )
        return request.pk


def request_file_id_of(municipality) -> int:
    """The sample request's file (its contract, classified by the rules)."""
    from django_tenants.utils import tenant_context

    from tenant_apps.permits.models import RequestFile

    request_id = request_id_of(municipality)
    with tenant_context(municipality):
        files = RequestFile.objects.filter(request_id=request_id).order_by("pk")
        return int(files.values_list("pk", flat=True)[0])


def _first_pk(municipality, model_name: str, **filters: object) -> int:
    from django_tenants.utils import tenant_context

    from tenant_apps.permits import models

    with tenant_context(municipality):
        model = getattr(models, model_name)
        return int(model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True).first() or 1)


def kind_id_of(municipality) -> int:
    return _first_pk(municipality, "PermitKind", service__code="alvara-funcionamento")


def checklist_item_id_of(municipality) -> int:
    """The kind's first document: moving it up (the harness's POST) changes nothing."""
    from django_tenants.utils import tenant_context

    from tenant_apps.permits.models import ChecklistItem

    with tenant_context(municipality):
        item = (
            ChecklistItem.objects.filter(kind_id=kind_id_of(municipality)).order_by("position", "id").first()
        )
        return item.pk if item is not None else 1


def routing_rule_id_of(municipality) -> int:
    """A rule of the city (Gravataí's demo has none: a draft sample is made for it)."""
    from django_tenants.utils import tenant_context

    from tenant_apps.org.models import OrgUnit
    from tenant_apps.permits.models import PermitKind, RoutingRule
    from tenant_apps.permits.services import routing_rule_save

    with tenant_context(municipality):
        rule = RoutingRule.objects.order_by("pk").first()
        if rule is None:
            unit = OrgUnit.objects.get(pk=PermitKind.objects.get(pk=kind_id_of(municipality)).service.unit_id)
            rule = routing_rule_save(
                name="Amostra",
                conditions=[{"campo": "risco", "valor": "III"}],
                stages=[[{"unidade": unit.pk, "dias": 5}]],
            )
        return rule.pk


PARAMETER_FACTORIES: dict[str, object] = {
    "permit_request_id": request_id_of,
    "kind_code": lambda municipality: "alvara-funcionamento",
    "permit_action": lambda municipality: "termo",
    "request_file_id": request_file_id_of,
    "permit_kind_id": kind_id_of,
    "checklist_item_id": checklist_item_id_of,
    "item_action": lambda municipality: "subir",
    "routing_rule_id": routing_rule_id_of,
}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {}

_everyone = dict.fromkeys(ROLES, OK)
_not_allowed = dict.fromkeys(ROLES, NOT_ALLOWED)
_to_login = dict.fromkeys(ROLES, REDIRECT)
_citizen_only = {**_to_login, "citizen": OK}
_staff_all = {**_to_login, "staff": OK, "manager": OK, "admin": OK}
_staff_405 = {**_to_login, "staff": NOT_ALLOWED, "manager": NOT_ALLOWED, "admin": NOT_ALLOWED}
_staff_404 = {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": NOT_FOUND}

_api_anonymous = {"anonymous": UNAUTHORIZED, "support": UNAUTHORIZED}
_api_people = {**_api_anonymous, "citizen": OK, "staff": OK, "manager": OK, "admin": OK}
_api_people_405 = {**dict.fromkeys(ROLES, NOT_ALLOWED), **_api_anonymous}
_api_staff_only = {**_api_anonymous, "citizen": FORBIDDEN}

_api_not_staff = {**_api_anonymous, "staff": FORBIDDEN, "manager": FORBIDDEN, "admin": FORBIDDEN}
_api_citizen_action = {
    "GET": {**_api_not_staff, "citizen": NOT_ALLOWED},
    "POST": {**_api_not_staff, "citizen": BAD},
}
_api_staff_action = {
    "GET": {**_api_staff_only, "staff": NOT_ALLOWED, "manager": NOT_ALLOWED, "admin": NOT_ALLOWED},
    "POST": {**_api_staff_only, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": BAD},
}

_admin_only_404 = {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND}
# the admin's builder pages: an empty POST is a 400 with the form's messages
_admin_form = {
    "GET": {**_admin_only_404, "admin": OK},
    "POST": {**_admin_only_404, "admin": BAD},
}

TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "permits_api:kind_list": {"GET": _everyone, "POST": _not_allowed},
    "permits_api:register": {"GET": _everyone, "POST": _not_allowed},
    "permits_api:request_list": {
        "GET": _api_people,
        # submitting a request: citizens only (an empty body: 400, the kind is missing)
        "POST": {
            **_api_anonymous,
            "citizen": BAD,
            "staff": FORBIDDEN,
            "manager": FORBIDDEN,
            "admin": FORBIDDEN,
        },
    },
    "permits_api:request_detail": {
        "GET": {**_api_people, "staff": NOT_FOUND, "manager": NOT_FOUND},
        "POST": _api_people_405,
    },
    "permits_api:request_opinion": _api_staff_action,
    # the requester's actions: the owner's empty POST is a 400 (a field missing, or the sample, already
    # exempt, does not wait for it); staff are refused by role
    "permits_api:request_accept_terms": _api_citizen_action,
    "permits_api:request_insist": _api_citizen_action,
    "permits_api:request_files": _api_citizen_action,
    "permits_api:request_appeal": _api_citizen_action,
    # the staff's actions: a 404 outside the licensing unit; the admin (who sees the city's requests)
    # gets a 400 for the empty body (or, issuing, for a request that does not wait for it)
    "permits_api:request_issue": _api_staff_action,
    "permits_api:request_permit_status": _api_staff_action,
    "permits_api:request_appeal_decision": _api_staff_action,
    "permits_api:request_file_classify": _api_staff_action,
    "permits:register": {"GET": _everyone, "POST": _not_allowed},
    "permits:kind_list": {"GET": _everyone, "POST": _not_allowed},
    "permits:request_new": {"GET": _everyone, "POST": {**_to_login, "citizen": BAD}},
    "permits:request_list": {"GET": _citizen_only, "POST": _not_allowed},
    "permits:request_detail": {"GET": _citizen_only, "POST": _not_allowed},
    "permits:request_action": {"GET": _not_allowed, "POST": _to_login},
    "permits:staff_list": {"GET": _staff_all, "POST": _staff_405},
    "permits:staff_figures": {"GET": {**_staff_all, "staff": NOT_FOUND}, "POST": _staff_405},
    "permits:staff_detail": {"GET": {**_staff_404, "admin": OK}, "POST": _staff_405},
    "permits:staff_action": {"GET": _staff_405, "POST": _staff_404},
    "permits:admin_home": _admin_form,
    # the sample's own file: the admin reaches the service, which refuses (not the admin's unit): 302
    "permits:staff_file_classify": {"GET": _staff_405, "POST": {**_staff_404, "admin": REDIRECT}},
    "permits:admin_kind_edit": _admin_form,
    "permits:admin_item_new": _admin_form,
    "permits:admin_item_edit": _admin_form,
    "permits:admin_item_action": {
        "GET": {**_admin_only_404, "admin": NOT_ALLOWED},
        "POST": {**_admin_only_404, "admin": REDIRECT},
    },
    "permits:admin_rule_edit": _admin_form,
    "permits:admin_rule_publish": {
        "GET": {**_admin_only_404, "admin": NOT_ALLOWED},
        "POST": {**_admin_only_404, "admin": REDIRECT},
    },
}
