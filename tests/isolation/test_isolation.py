"""Isolation harness: every route of both URLconfs, every role, across tenants.

For each role of tenant A (anonymous, citizen, staff, unit manager, municipal admin, vendor
support), each route is requested with A's session on tenant B's host, with GET and POST:
the answer must be exactly what an anonymous visitor of B gets, contain no private data of B
(nor of A), and leave every table of B's schema byte-for-byte unchanged. The authorization
matrix then pins the status each role gets on its own city's host. A new route fails the
matrix test until its expectations are written down here.
"""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.ombudsman.demo import DEMO_OMBUDSMAN
from tests.conftest import ROLES, client_for, fresh_clients
from tests.isolation import (
    matrix_branding_invites,
    matrix_domains,
    matrix_govbr,
    matrix_health,
    matrix_insights,
    matrix_metering,
    matrix_offboarding,
    matrix_onboarding,
    matrix_open311,
    matrix_payments,
    matrix_permits,
    matrix_privacy,
    matrix_scheduling,
    matrix_signatures,
    matrix_support,
)
from tests.isolation.routes import Route, path_for, routes

TENANT_ROUTES = routes("paco.urls_tenant")
PUBLIC_ROUTES = routes("paco.urls_public")

# Values for route parameters, per parameter name, pointing at tenant B's objects. Modules that
# add parameterized routes register a factory here: (municipality B) -> value.
DEMO_CASE_REQUESTS = {
    "aracaju": ("poda-de-arvore", {"endereco": "Rua A, 1", "motivo": "Outro"}),
    "gravatai": ("duvidas-sobre-iss", {"cnpj": "11.222.333/0001-81", "pergunta": "Alíquota?"}),
}


SAMPLE_SUBJECT = "Amostra do teste de isolamento"


def case_of(municipality) -> str:
    """The NUP digits of a case of `municipality`, opened by its demo citizen if none exists yet."""
    from tenant_apps.cases.models import Case
    from tenant_apps.cases.services import case_open, nup_digits
    from tenant_apps.catalog.models import Service

    with tenant_context(municipality):
        case = Case.objects.filter(subject=SAMPLE_SUBJECT).order_by("id").first()
        if case is None:
            code, form_data = DEMO_CASE_REQUESTS[municipality.slug]
            citizen = User.objects.get(email="cidadao@exemplo.com.br")
            case = case_open(
                service=Service.objects.get(code=code),
                opened_by=citizen,
                form_data=form_data,
                subject=SAMPLE_SUBJECT,
            )
        return nup_digits(nup=case.nup)


def service_code_of(municipality) -> str:
    return DEMO_CASE_REQUESTS[municipality.slug][0]


ISOLATION_DOCUMENT_TITLE = "Parecer técnico reservado (amostra de isolamento)"


def document_of(municipality):
    """A restrito document of the demo staff member's unit, with one attachment (created once)."""
    import io

    from paco_demo.cities import DEMO_STAFF
    from tenant_apps.documents.enums import AccessLevel, DocumentKind
    from tenant_apps.documents.models import Document
    from tenant_apps.documents.services import attachment_store, document_create
    from tenant_apps.org.models import OrgUnit

    with tenant_context(municipality):
        document = Document.objects.filter(title=ISOLATION_DOCUMENT_TITLE).first()
        if document is None:
            document = document_create(
                kind=DocumentKind.OTHER,
                unit=OrgUnit.objects.get(acronym=DEMO_STAFF[municipality.slug]["unit"]),
                title=ISOLATION_DOCUMENT_TITLE,
                body="Conteúdo reservado da amostra.",
                access_level=AccessLevel.RESTRICTED,
                legal_basis="Informação pessoal (Lei 12.527/2011, art. 31)",
            )
            attachment_store(
                file=io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), name="planta.png", document=document
            )
        return document


def document_id_of(municipality) -> int:
    return document_of(municipality).pk


def attachment_id_of(municipality) -> int:
    document = document_of(municipality)
    with tenant_context(municipality):
        return document.attachments.get().pk


def verification_code_of(municipality) -> str:
    return document_of(municipality).verification_code


ISOLATION_SAMPLE_NAME = "Amostra de isolamento"


def service_id_of(municipality) -> int:
    """A service of `municipality` for the admin's catalogue pages (made again if a test removed it)."""
    from tenant_apps.catalog.models import Service
    from tenant_apps.catalog.services import FieldSpec, service_create
    from tenant_apps.org.models import OrgUnit

    with tenant_context(municipality):
        service = Service.objects.filter(code="amostra-de-isolamento").first()
        if service is None:
            service = service_create(
                code="amostra-de-isolamento",
                name=ISOLATION_SAMPLE_NAME,
                unit_id=OrgUnit.objects.filter(is_active=True).order_by("code").first().pk,
                fields=[FieldSpec(key="detalhe", label="Detalhe")],
            )
        return service.pk


def holiday_id_of(municipality) -> int:
    """A municipal holiday of `municipality` (made again if a test removed it)."""
    import datetime as dt

    from tenant_apps.workdays.models import MunicipalHoliday
    from tenant_apps.workdays.services import municipal_holiday_create

    with tenant_context(municipality):
        holiday = MunicipalHoliday.objects.filter(date=dt.date(2026, 6, 24)).first()
        if holiday is None:
            holiday = municipal_holiday_create(date=dt.date(2026, 6, 24), name=ISOLATION_SAMPLE_NAME)
        return holiday.pk


PARAMETER_FACTORIES: dict[str, object] = {
    "nup": case_of,
    "code": service_code_of,
    "action": lambda municipality: "despachar",
    "document_id": document_id_of,
    "attachment_id": attachment_id_of,
    "verification_code": verification_code_of,
    "service_id": service_id_of,
    "holiday_id": holiday_id_of,
    # a link that was never issued: the confirm page answers "this link is no longer valid"
    "uidb64": lambda municipality: "MA",
    "token": lambda municipality: "ct3m5q-0123456789abcdef0123456789abcdef",
    # a forged activation link: it redirects to the page that says it is no longer valid (410)
    "activation_token": lambda municipality: "eyJ1IjoxfQ:forjado:assinatura",
}

ANY = "any"  # a status that varies legitimately (not used for cross-tenant checks)
OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405

# Authorization matrix on the city's own host: route -> method -> role -> status.
_everyone = dict.fromkeys(ROLES, OK)
_login_pages = {"GET": _everyone, "POST": dict.fromkeys(ROLES, BAD)}
_get_only_public = {"GET": _everyone, "POST": dict.fromkeys(ROLES, NOT_ALLOWED)}
_staff_only = {
    "GET": {
        "anonymous": REDIRECT,
        "citizen": REDIRECT,
        "staff": OK,
        "manager": OK,
        "admin": OK,
        "support": REDIRECT,
    },
    "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
}
_document_readers = {
    "GET": {**dict.fromkeys(ROLES, REDIRECT), "staff": OK, "manager": OK, "admin": NOT_FOUND},
    "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
}
# REST API (/api/v1/): no credentials is 401; the sample case is the demo citizen's, in EMSURB, where
# only the sample staff member works; the harness posts an empty form (refused field by field: 400).
UNAUTHORIZED, FORBIDDEN = 401, 403
_api_nobody = {"anonymous": UNAUTHORIZED, "support": UNAUTHORIZED}
_api_case_read = {
    "GET": {**_api_nobody, "citizen": OK, "staff": OK, "manager": NOT_FOUND, "admin": NOT_FOUND},
    "POST": {**dict.fromkeys(ROLES, NOT_ALLOWED), **_api_nobody},
}
_api_case_staff_action = {
    "GET": {**dict.fromkeys(ROLES, NOT_ALLOWED), **_api_nobody, "citizen": FORBIDDEN},
    "POST": {**_api_nobody, "citizen": FORBIDDEN, "staff": BAD, "manager": NOT_FOUND, "admin": NOT_FOUND},
}
# Municipal admin pages (/admin-municipal/...), like portal:municipal_admin: the harness's empty POST
# is a form with errors (400), or on a remove route removes the sample object (302).
_admin_nobody = {
    "anonymous": REDIRECT,
    "citizen": REDIRECT,
    "staff": NOT_FOUND,
    "manager": NOT_FOUND,
    "support": REDIRECT,
}
_admin_page = {"GET": {**_admin_nobody, "admin": OK}, "POST": dict.fromkeys(ROLES, NOT_ALLOWED)}
_admin_form = {"GET": {**_admin_nobody, "admin": OK}, "POST": {**_admin_nobody, "admin": BAD}}
_admin_post_form = {"GET": dict.fromkeys(ROLES, NOT_ALLOWED), "POST": {**_admin_nobody, "admin": BAD}}
_admin_remove = {"GET": dict.fromkeys(ROLES, NOT_ALLOWED), "POST": {**_admin_nobody, "admin": REDIRECT}}
TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "healthz": _get_only_public,
    "portal:home": _get_only_public,
    "portal:accessibility": _get_only_public,
    "portal:coat_of_arms": _get_only_public,
    "portal:my_requests": {
        "GET": {
            "anonymous": REDIRECT,
            "citizen": OK,
            "staff": NOT_FOUND,
            "manager": NOT_FOUND,
            "admin": NOT_FOUND,
            "support": REDIRECT,
        },
        "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
    },
    "portal:staff_home": _staff_only,
    "portal:municipal_admin": {
        "GET": {
            "anonymous": REDIRECT,
            "citizen": REDIRECT,
            "staff": NOT_FOUND,
            "manager": NOT_FOUND,
            "admin": OK,
            "support": REDIRECT,
        },
        "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
    },
    "accounts:login": _login_pages,
    "accounts:register": _login_pages,
    "accounts:register_sent": _get_only_public,
    "accounts:activate": {"GET": dict.fromkeys(ROLES, REDIRECT), "POST": dict.fromkeys(ROLES, NOT_ALLOWED)},
    "accounts:activate_confirm": {"GET": dict.fromkeys(ROLES, 410), "POST": dict.fromkeys(ROLES, 410)},
    "accounts:password_reset": _login_pages,
    "accounts:password_reset_done": _get_only_public,
    "accounts:password_reset_confirm": {"GET": _everyone, "POST": _everyone},
    "accounts:password_reset_complete": _get_only_public,
    "accounts:logout": {"GET": dict.fromkeys(ROLES, NOT_ALLOWED), "POST": dict.fromkeys(ROLES, REDIRECT)},
    "accounts:staff_login": _login_pages,
    # without a pending password step, the code pages send the person back to the password page
    "accounts:staff_token": {"GET": dict.fromkeys(ROLES, REDIRECT), "POST": dict.fromkeys(ROLES, REDIRECT)},
    "accounts:staff_enroll": {"GET": dict.fromkeys(ROLES, REDIRECT), "POST": dict.fromkeys(ROLES, REDIRECT)},
    "cases:service_list": _get_only_public,
    "cases:service_request": {
        "GET": _everyone,
        "POST": {**dict.fromkeys(ROLES, REDIRECT), "citizen": BAD},
    },
    "cases:citizen_case": {
        "GET": {
            "anonymous": REDIRECT,
            "citizen": OK,
            "staff": NOT_FOUND,
            "manager": NOT_FOUND,
            "admin": NOT_FOUND,
            "support": REDIRECT,
        },
        "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
    },
    "cases:citizen_answer": {
        "GET": dict.fromkeys(ROLES, NOT_ALLOWED),
        # the citizen's case has no pending question: a clear error, nothing changes
        "POST": {
            "anonymous": REDIRECT,
            "citizen": BAD,
            "staff": NOT_FOUND,
            "manager": NOT_FOUND,
            "admin": NOT_FOUND,
            "support": REDIRECT,
        },
    },
    # the sample document_id is a unit document outside any case: not part of the citizen's file
    "cases:citizen_document_pdf": {
        "GET": {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": REDIRECT, "support": REDIRECT},
        "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
    },
    # same: the sample document is outside the citizen's case, so its files are a 404 for everyone
    "cases:citizen_attachment": {
        "GET": {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": REDIRECT, "support": REDIRECT},
        "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
    },
    "cases:citizen_attachment_preview": {
        "GET": {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": REDIRECT, "support": REDIRECT},
        "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
    },
    # the requester signs their own documents with gov.br: off unless gov.br assinatura is configured
    # (the harness runs without it: 404 once signed in)
    "cases:citizen_govbr_sign_start": {
        "GET": dict.fromkeys(ROLES, NOT_ALLOWED),
        "POST": {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": REDIRECT, "support": REDIRECT},
    },
    "cases:citizen_govbr_sign_callback": {
        "GET": {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": REDIRECT, "support": REDIRECT},
        "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
    },
    "cases:staff_inbox": _staff_only,
    "cases:staff_new": _staff_only,
    "cases:staff_new_service": {
        "GET": {**dict.fromkeys(ROLES, REDIRECT), "staff": OK, "manager": OK, "admin": OK},
        "POST": {**dict.fromkeys(ROLES, REDIRECT), "staff": BAD, "manager": BAD, "admin": BAD},
    },
    # the sample case sits in EMSURB, where only the sample staff member works
    "cases:staff_case": {
        "GET": {**dict.fromkeys(ROLES, REDIRECT), "staff": OK, "manager": NOT_FOUND, "admin": NOT_FOUND},
        "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
    },
    "cases:staff_case_action": {
        "GET": dict.fromkeys(ROLES, NOT_ALLOWED),
        "POST": {**dict.fromkeys(ROLES, REDIRECT), "staff": BAD, "manager": NOT_FOUND, "admin": NOT_FOUND},
    },
    "cases:staff_deadlines": {
        "GET": {**dict.fromkeys(ROLES, REDIRECT), "staff": NOT_FOUND, "manager": OK, "admin": OK},
        "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
    },
    "documents:verify": _get_only_public,
    # the sample document is restrito: the page confirms it exists, but its PDF is not public
    "documents:verify_pdf": {
        "GET": dict.fromkeys(ROLES, NOT_FOUND),
        "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
    },
    "documents:staff_search": _staff_only,
    # the sample document is restrito, of the unit of the sample staff member and manager
    "documents:staff_document": _document_readers,
    "documents:staff_document_pdf": _document_readers,
    "documents:staff_attachment": _document_readers,
    "documents:staff_attachment_preview": _document_readers,
    "documents:staff_access_log": {
        "GET": {**dict.fromkeys(ROLES, REDIRECT), "staff": NOT_FOUND, "manager": OK, "admin": NOT_FOUND},
        "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
    },
    "catalog_api:service_list": _get_only_public,
    "catalog_api:service_detail": _get_only_public,
    "cases_api:case_list": {
        "GET": {**_api_nobody, "citizen": OK, "staff": OK, "manager": OK, "admin": OK},
        # only citizens open cases here, and the empty form lacks the service
        "POST": {**_api_nobody, "citizen": BAD, "staff": FORBIDDEN, "manager": FORBIDDEN, "admin": FORBIDDEN},
    },
    "cases_api:case_detail": _api_case_read,
    "cases_api:case_history": _api_case_read,
    "cases_api:case_forward": _api_case_staff_action,
    "cases_api:case_dispatch": _api_case_staff_action,
    "cases_api:case_attach": _api_case_staff_action,
    "cases_api:case_request_information": _api_case_staff_action,
    "cases_api:case_close": _api_case_staff_action,
    "cases_api:case_reopen": _api_case_staff_action,
    "cases_api:case_assign": _api_case_staff_action,
    "cases_api:case_answer": {
        "GET": {**dict.fromkeys(ROLES, FORBIDDEN), **_api_nobody, "citizen": NOT_ALLOWED},
        # the sample case has no pending question: a clear 400, nothing changes
        "POST": {**dict.fromkeys(ROLES, FORBIDDEN), **_api_nobody, "citizen": BAD},
    },
    "catalog:admin_service_list": _admin_page,
    "catalog:admin_service_create": _admin_form,
    "catalog:admin_form_row": _admin_page,
    "catalog:admin_service_edit": _admin_form,
    "catalog:admin_service_preview": _admin_page,
    "catalog:admin_service_remove": _admin_remove,
    "workdays:admin_holiday_list": _admin_page,
    "workdays:admin_holiday_create": _admin_post_form,
    "workdays:admin_holiday_delete": _admin_remove,
    # billing (/admin-municipal/assinatura/): without Stripe configured, the admin's POSTs are a clear 400
    "subscription:page": _admin_page,
    "subscription:checkout": _admin_post_form,
    "subscription:boleto": _admin_post_form,
    "subscription:portal": _admin_post_form,
    # the OpenAPI description is public documentation, like the Carta de Serviços
    "api_schema": _get_only_public,
    "api_docs": _get_only_public,
    "api_redoc": _get_only_public,
}

# Notifications: tracking works for anyone with the token; the inbox is staff's, the texts the admin's.
_municipal_admin_get = {
    **dict.fromkeys(ROLES, REDIRECT),
    "staff": NOT_FOUND,
    "manager": NOT_FOUND,
    "admin": OK,
}
_not_allowed = dict.fromkeys(ROLES, NOT_ALLOWED)
TENANT_MATRIX.update(
    {
        "notifications:pixel": {"GET": _everyone, "POST": _not_allowed},
        "notifications:link": {"GET": dict.fromkeys(ROLES, REDIRECT), "POST": _not_allowed},
        # an empty POST is not a signed SNS message
        "notifications:ses_webhook": {"GET": _not_allowed, "POST": dict.fromkeys(ROLES, BAD)},
        "notifications:staff_inbox": _staff_only,
        # the sample notification is the demo staff member's: other staff get a 404
        "notifications:staff_inbox_read": {
            "GET": _not_allowed,
            "POST": {**dict.fromkeys(ROLES, REDIRECT), "manager": NOT_FOUND, "admin": NOT_FOUND},
        },
        "notifications:template_list": {"GET": _municipal_admin_get, "POST": _not_allowed},
        # an empty POST by the admin is a form error (400) and saves nothing
        "notifications:template_edit": {
            "GET": _municipal_admin_get,
            "POST": {**_municipal_admin_get, "admin": BAD},
        },
        "notifications:template_reset": {
            "GET": _not_allowed,
            "POST": {**_municipal_admin_get, "admin": REDIRECT},
        },
    }
)


def notification_of(municipality):
    """The demo staff member's inbox notification, already read, opened and clicked (created once):
    anyone may follow its token, and doing so changes nothing."""
    from django.utils import timezone

    from paco_demo import cities as demo
    from tenant_apps.notifications.enums import Channel, DeliveryStatus
    from tenant_apps.notifications.models import Notification

    with tenant_context(municipality):
        now = timezone.now()
        notification, _created = Notification.objects.get_or_create(
            token=f"isolamento-{municipality.slug}",
            defaults={
                "recipient": User.objects.get(email=demo.DEMO_STAFF[municipality.slug]["email"]),
                "channel": Channel.INBOX,
                "template_key": "unit_inbox",
                "subject": "Teste de isolamento",
                "body": "Teste de isolamento",
                "link_url": f"http://{municipality.slug}.localhost/staff/",
                "status": DeliveryStatus.CLICKED,
                "opened_at": now,
                "clicked_at": now,
                "read_at": now,
            },
        )
    return notification


PARAMETER_FACTORIES.update(
    {
        "notification_token": lambda municipality: notification_of(municipality).token,
        "notification_id": lambda municipality: notification_of(municipality).pk,
        "template_key": lambda municipality: "case_opened",
    }
)


# Memos and circulars (tenant_apps.comms). The sample memo goes from a unit of the demo staff member
# (EMSURB in Aracaju) to another unit; the sample circular from the demo manager's unit to a unit of
# the demo staff member, fanned out at once. In Aracaju the admin (SEPLOG) takes part in neither.
ISOLATION_MEMO_SUBJECT = "Memorando da amostra de isolamento"


def memo_of(municipality):
    from paco_demo import cities as demo
    from tenant_apps.comms.models import Memo
    from tenant_apps.comms.services import memo_send
    from tenant_apps.org.models import OrgUnit

    with tenant_context(municipality):
        memo = Memo.objects.filter(subject=ISOLATION_MEMO_SUBJECT).first()
        if memo is None:
            spec = demo.DEMO_STAFF[municipality.slug]
            sender = OrgUnit.objects.get(acronym=(spec.get("also") or [spec["unit"]])[0])
            addressee = (
                OrgUnit.objects.filter(is_active=True).exclude(pk=sender.pk).exclude(acronym=spec["unit"])
            )
            memo = memo_send(
                author=User.objects.get(email=spec["email"]),
                sender_unit=sender,
                subject=ISOLATION_MEMO_SUBJECT,
                body="Texto da amostra.",
                # a unit where none of the sample people works, when there is one
                to_units=[
                    addressee.filter(memberships__isnull=True).order_by("code").first()
                    or addressee.order_by("code").first()
                ],
            )
        return memo.pk


def circular_of(municipality):
    from paco_demo import cities as demo
    from tenant_apps.comms.fanout import circular_fanout
    from tenant_apps.comms.models import Circular
    from tenant_apps.comms.services import circular_send
    from tenant_apps.org.models import OrgUnit

    with tenant_context(municipality):
        circular = Circular.objects.filter(subject=ISOLATION_MEMO_SUBJECT).first()
        if circular is None:
            spec = demo.DEMO_STAFF[municipality.slug]
            circular = circular_send(
                author=User.objects.get(email=f"gestor@{municipality.slug}.gov.br"),
                sender_unit=OrgUnit.objects.get(acronym=spec["unit"]),
                subject=ISOLATION_MEMO_SUBJECT,
                body="Texto da amostra.",
                unit_ids=[OrgUnit.objects.get(acronym=(spec.get("also") or [spec["unit"]])[0]).pk],
            )
            circular_fanout(circular_id=circular.pk)
        return circular.pk


PARAMETER_FACTORIES.update(
    {
        "memo_id": memo_of,
        "memo_action": lambda municipality: "responder",
        "circular_id": circular_of,
    }
)
_staff_get = {**dict.fromkeys(ROLES, REDIRECT)}
_comms_sender = {"GET": {**_staff_get, "staff": OK, "manager": OK, "admin": NOT_FOUND}, "POST": _not_allowed}
TENANT_MATRIX.update(
    {
        "comms:memo_list": _staff_only,
        "comms:memo_create": {
            "GET": {**_staff_get, "staff": OK, "manager": OK, "admin": OK},
            "POST": {**_staff_get, "staff": BAD, "manager": BAD, "admin": BAD},
        },
        "comms:memo_detail": {
            "GET": {**_staff_get, "staff": OK, "manager": NOT_FOUND, "admin": NOT_FOUND},
            "POST": _not_allowed,
        },
        # an empty reply is refused (400) for whoever sees the memo; the others get a 404
        "comms:memo_action": {
            "GET": _not_allowed,
            "POST": {**_staff_get, "staff": BAD, "manager": NOT_FOUND, "admin": NOT_FOUND},
        },
        "comms:circular_list": _staff_only,
        # a clerk who manages no unit gets the Portuguese "you cannot send circulars" page (403)
        "comms:circular_create": {
            "GET": {**_staff_get, "staff": 403, "manager": OK, "admin": OK},
            "POST": {**_staff_get, "staff": 403, "manager": BAD, "admin": BAD},
        },
        "comms:circular_detail": _comms_sender,
        # the staff member is a recipient: "Ciente" records and redirects back
        "comms:circular_acknowledge": {
            "GET": _not_allowed,
            "POST": {**_staff_get, "staff": REDIRECT, "manager": NOT_FOUND, "admin": NOT_FOUND},
        },
        "comms:circular_receipts": _comms_sender,
        # only the sender unit's manager reminds; an empty POST has no click token (400)
        "comms:circular_remind": {
            "GET": _not_allowed,
            "POST": {**_staff_get, "staff": NOT_FOUND, "manager": BAD, "admin": NOT_FOUND},
        },
        "comms:circular_export_csv": _comms_sender,
        "comms:circular_export_pdf": _comms_sender,
        "comms:unit_activity": _staff_only,
    }
)

# Memos and circulars over REST (/api/v1/memos/, /api/v1/circulars/): verified staff only (a citizen
# gets 403). The sample memo is the staff member's (manager and admin: 404); an empty body is refused
# field by field (400). Only unit managers send circulars, and the sample circular went from the
# manager's unit (where the staff member also works) to the staff member: only recipients declare
# ciência (the manager, a sender, 403), and only the sender unit's manager reminds (empty: no token).
_api_staff_read = {"GET": {**_api_nobody, "citizen": FORBIDDEN, "staff": OK, "manager": OK, "admin": OK}}
_api_post_only = {**dict.fromkeys(ROLES, NOT_ALLOWED), **_api_nobody, "citizen": FORBIDDEN}
_api_comms_sender_read = {
    "GET": {**_api_nobody, "citizen": FORBIDDEN, "staff": OK, "manager": OK, "admin": NOT_FOUND},
    "POST": _api_post_only,
}
_api_memo_action = {
    "GET": _api_post_only,
    "POST": {**_api_nobody, "citizen": FORBIDDEN, "staff": BAD, "manager": NOT_FOUND, "admin": NOT_FOUND},
}
TENANT_MATRIX.update(
    {
        "comms_api:memo_list": {
            **_api_staff_read,
            "POST": {**_api_nobody, "citizen": FORBIDDEN, "staff": BAD, "manager": BAD, "admin": BAD},
        },
        "comms_api:memo_detail": {
            "GET": {**_api_memo_action["POST"], "staff": OK},
            "POST": _api_post_only,
        },
        "comms_api:memo_reply": _api_memo_action,
        "comms_api:memo_forward": _api_memo_action,
        "comms_api:circular_list": {
            **_api_staff_read,
            "POST": {**_api_nobody, "citizen": FORBIDDEN, "staff": FORBIDDEN, "manager": BAD, "admin": BAD},
        },
        "comms_api:circular_detail": _api_comms_sender_read,
        "comms_api:circular_acknowledge": {
            "GET": _api_post_only,
            "POST": {**_api_memo_action["POST"], "staff": OK, "manager": FORBIDDEN},
        },
        "comms_api:circular_receipts": _api_comms_sender_read,
        "comms_api:circular_remind": {
            "GET": _api_post_only,
            "POST": {
                **_api_nobody,
                "citizen": FORBIDDEN,
                "staff": FORBIDDEN,
                "manager": BAD,
                "admin": NOT_FOUND,
            },
        },
    }
)

# Open311 (tests/isolation/matrix_open311.py) asks for the demo samples' service code and NUP.
PARAMETER_FACTORIES.update({"service_code": service_code_of, "request_id": case_of})

# Ouvidoria (tenant_apps.ombudsman). The sample is a protected-identity denúncia that the city's
# ombudsman sent for input to the demo staff member's unit: its staff and manager see it (with the
# pseudonym) and an empty answer is refused (400); the admin's unit was never involved (404). The
# filer's pages need the follow-up code in the session, so everyone else gets a 404.
ISOLATION_MANIFESTATION_SUBJECT = "Amostra de isolamento da ouvidoria"


def manifestation_of(municipality) -> str:
    from paco_demo import cities as demo
    from tenant_apps.cases.services import nup_digits
    from tenant_apps.ombudsman.models import Manifestation
    from tenant_apps.ombudsman.services import manifestation_file, manifestation_input_request
    from tenant_apps.org.models import OrgUnit

    with tenant_context(municipality):
        manifestation = Manifestation.objects.filter(
            case__subject__endswith=ISOLATION_MANIFESTATION_SUBJECT
        ).first()
        if manifestation is None:
            manifestation, _code = manifestation_file(
                kind="denuncia",
                identity_mode="sigilo",
                subject=ISOLATION_MANIFESTATION_SUBJECT,
                description="Descrição reservada da amostra de isolamento da ouvidoria.",
                filer_name=SECRET_NAME,
                filer_email=SECRET_EMAIL,
            )
            manifestation_input_request(
                manifestation=manifestation,
                actor=User.objects.get(email=DEMO_OMBUDSMAN[municipality.slug]["email"]),
                unit=OrgUnit.objects.get(acronym=demo.DEMO_STAFF[municipality.slug]["unit"]),
                question="Manifestem-se sobre a amostra.",
            )
        return nup_digits(nup=manifestation.case.nup)


PARAMETER_FACTORIES.update(
    {"manifestation_nup": manifestation_of, "ombudsman_action": lambda municipality: "responder-unidade"}
)
_staff_form = {
    "GET": {**_staff_get, "staff": OK, "manager": OK, "admin": OK},
    "POST": {**_staff_get, "staff": BAD, "manager": BAD, "admin": BAD},
}
_ombudsman_report = {
    "GET": {**_staff_get, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": OK},
    "POST": _not_allowed,
}
TENANT_MATRIX.update(
    {
        "ombudsman:home": _get_only_public,
        "ombudsman:file": {"GET": _everyone, "POST": dict.fromkeys(ROLES, BAD)},
        "ombudsman:filed": {"GET": dict.fromkeys(ROLES, REDIRECT), "POST": _not_allowed},
        "ombudsman:follow": {"GET": _everyone, "POST": dict.fromkeys(ROLES, BAD)},
        "ombudsman:follow_detail": {"GET": dict.fromkeys(ROLES, NOT_FOUND), "POST": _not_allowed},
        "ombudsman:follow_action": {"GET": _not_allowed, "POST": dict.fromkeys(ROLES, NOT_FOUND)},
        "ombudsman:staff_list": _staff_only,
        "ombudsman:staff_new": _staff_form,
        "ombudsman:staff_report": _ombudsman_report,
        # municipal admins only; an empty POST is a form with errors
        "ombudsman:staff_settings": {
            "GET": {**_staff_get, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": OK},
            "POST": {**_staff_get, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": BAD},
        },
        "ombudsman:staff_report_csv": _ombudsman_report,
        "ombudsman:staff_detail": {
            "GET": {**_staff_get, "staff": OK, "manager": OK, "admin": NOT_FOUND},
            "POST": _not_allowed,
        },
        "ombudsman:staff_action": {
            "GET": _not_allowed,
            "POST": {**_staff_get, "staff": BAD, "manager": BAD, "admin": NOT_FOUND},
        },
    }
)


def test_the_identity_protection_rule_on_the_sample(aracaju):
    """The unit asked for input sees the pseudonym, never the protected name."""
    path = f"/staff/ouvidoria/{manifestation_of(aracaju)}/"
    for role in ("staff", "manager"):
        body = _text(client_for(role, aracaju).get(path, HTTP_HOST="aracaju.localhost"))
        assert "Manifestante " in body
        assert SECRET_NAME not in body
        assert SECRET_EMAIL not in body


_support_only = {
    "GET": {**dict.fromkeys(ROLES, REDIRECT), "support": OK},
    "POST": dict.fromkeys(ROLES, NOT_ALLOWED),
}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "healthz": _get_only_public,
    "controlplane:home": _get_only_public,
    "controlplane:accessibility": _get_only_public,
    "controlplane:support_login": _login_pages,
    "controlplane:support_token": {
        "GET": dict.fromkeys(ROLES, REDIRECT),
        "POST": dict.fromkeys(ROLES, REDIRECT),
    },
    "controlplane:support_enroll": {
        "GET": dict.fromkeys(ROLES, REDIRECT),
        "POST": dict.fromkeys(ROLES, REDIRECT),
    },
    "controlplane:support_logout": {
        "GET": dict.fromkeys(ROLES, NOT_ALLOWED),
        "POST": dict.fromkeys(ROLES, REDIRECT),
    },
    "controlplane:support_console": _support_only,
    # Stripe's webhooks: an unsigned POST is refused (400) and changes nothing
    "billing:stripe_webhook": {"GET": dict.fromkeys(ROLES, NOT_ALLOWED), "POST": dict.fromkeys(ROLES, BAD)},
}

# Modules of the control plane and later issues keep their entries in tests/isolation/matrix_*.py.
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {}
for _module in (
    matrix_onboarding,
    matrix_metering,
    matrix_support,
    matrix_offboarding,
    matrix_branding_invites,
    matrix_scheduling,
    matrix_open311,
    matrix_signatures,
    matrix_health,
    matrix_insights,
    matrix_govbr,
    matrix_privacy,
    matrix_payments,
    matrix_permits,
    matrix_domains,
):
    TENANT_MATRIX.update(_module.TENANT_MATRIX)
    PUBLIC_MATRIX.update(_module.PUBLIC_MATRIX)
    PARAMETER_FACTORIES.update(_module.PARAMETER_FACTORIES)
    PUBLIC_PARAMETER_FACTORIES.update(_module.PUBLIC_PARAMETER_FACTORIES)


def _public_values(route: Route, municipality) -> dict[str, object]:
    missing = [name for name in route.parameters if name not in PUBLIC_PARAMETER_FACTORIES]
    assert not missing, (
        f"register a value factory for {missing} of {route.pattern} in PUBLIC_PARAMETER_FACTORIES"
    )
    return {name: PUBLIC_PARAMETER_FACTORIES[name](municipality) for name in route.parameters}  # type: ignore[operator]


SECRET_NAME = "Zuleide Segredo Sigiloso"
SECRET_EMAIL = "zuleide.segredo@exemplo.com.br"


def schema_fingerprint(schema_name: str) -> dict[str, str]:
    """An md5 of every row of every table of a schema."""
    fingerprint: dict[str, str] = {}
    # schema_context: on the cluster holding the schema (tests/isolation/test_isolation_clusters.py)
    with schema_context(schema_name), connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [schema_name],
        )
        for (table,) in cursor.fetchall():
            rows = f'"{schema_name}"."{table}"'
            digest = "md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
            cursor.execute(f"SELECT {digest} FROM {rows} t")  # noqa: S608
            fingerprint[table] = cursor.fetchone()[0]
    return fingerprint


def private_markers(municipality) -> list[str]:
    """Strings that only B's private data contains: its people's names, e-mails and CPFs."""
    with tenant_context(municipality):
        User.objects.get_or_create(
            email=SECRET_EMAIL,
            defaults={"full_name": SECRET_NAME, "cpf": "86288366757", "kind": UserKind.CITIZEN},
        )
        people = User.objects.exclude(email="cidadao@exemplo.com.br")
        markers = []
        public = matrix_scheduling.public_names(municipality)  # attendants are named on booking pages
        for person in people:
            name = [] if person.full_name in public else [person.full_name]
            markers += [*name, person.email] + ([person.cpf] if person.cpf else [])
        from tenant_apps.cases.models import Case

        for case in Case.objects.all():
            markers += [case.nup] + [str(value) for value in case.form_data.values() if len(str(value)) > 8]
    return markers


def _request(client: Client, method: str, path: str, host: str):
    if method == "GET":
        return client.get(path, HTTP_HOST=host)
    return client.post(path, {}, HTTP_HOST=host)


def _values(route: Route, municipality) -> dict[str, object]:
    missing = [name for name in route.parameters if name not in PARAMETER_FACTORIES]
    assert not missing, f"register a value factory for {missing} of {route.pattern} in PARAMETER_FACTORIES"
    return {name: PARAMETER_FACTORIES[name](municipality) for name in route.parameters}  # type: ignore[operator]


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


# What a stranger gets from a city, per route and method: the same for every role's run, so each
# process asks once per city and cluster (the first role's run), not once per role. Each run makes
# its own sample objects (new ids), so the answers are kept by route, not by path.
_STRANGER_STATUS: dict[tuple[str, str, str, str], int] = {}
_STRANGERS: dict[tuple[str, str], Client] = {}


def _stranger_status(route: Route, method: str, path: str, municipality) -> int:
    """`municipality` None: the control plane."""
    city = ("public", "default")
    if municipality is not None:
        city = (municipality.schema_name, municipality.database)
    key = (*city, route.name, method)
    if key not in _STRANGER_STATUS:
        host = "localhost" if municipality is None else f"{municipality.slug}.localhost"
        visitor = _STRANGERS.setdefault(city, Client())
        _STRANGER_STATUS[key] = _request(visitor, method, path, host).status_code
    return _STRANGER_STATUS[key]


@pytest.mark.parametrize("role", ROLES)
def test_a_role_of_one_city_sees_nothing_private_of_another_and_changes_nothing(role, aracaju, gravatai):
    # given: Aracaju's person (A) and Gravataí's private data (B)
    # B's objects exist first
    paths = [(route, path_for(route, _values(route, gravatai))) for route in TENANT_ROUTES]
    markers_b = private_markers(gravatai)
    own_markers = private_markers(aracaju)
    fingerprint_before = schema_fingerprint("gravatai")
    intruder = client_for(role, aracaju)

    for route, path in paths:
        for method in ("GET", "POST"):
            # when: A's session asks B's host
            response = _request(intruder, method, path, "gravatai.localhost")

            # then: B answers as to a stranger, and leaks nothing private
            where = f"{role} {method} {path}"
            assert response.status_code == _stranger_status(route, method, path, gravatai), where
            body = _text(response)
            leaked = [marker for marker in markers_b + own_markers if marker and marker in body]
            assert not leaked, f"{where} returned {leaked}"

    assert schema_fingerprint("gravatai") == fingerprint_before


@pytest.mark.parametrize("role", ROLES)
def test_a_city_session_is_anonymous_on_the_control_plane(role, aracaju, gravatai):
    client = client_for(role, aracaju)
    paths = [(route, path_for(route, _public_values(route, gravatai))) for route in PUBLIC_ROUTES]
    fingerprint_before = schema_fingerprint("public")
    for route, path in paths:
        if role == "support":
            continue  # support's own matrix is checked below
        for method in ("GET", "POST"):
            response = _request(client, method, path, "localhost")
            stranger = _stranger_status(route, method, path, None)
            assert response.status_code == stranger, f"{role} {method} {path}"
            assert "Sérgio Servidor" not in _text(response)
    assert schema_fingerprint("public") == fingerprint_before


def test_every_route_is_in_the_authorization_matrix():
    assert sorted(route.name for route in TENANT_ROUTES) == sorted(TENANT_MATRIX)
    assert sorted(route.name for route in PUBLIC_ROUTES) == sorted(PUBLIC_MATRIX)


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix_on_the_city_host(role, aracaju):
    clients = fresh_clients(role, aracaju)  # a session of its own per request: logout routes end it
    for route in TENANT_ROUTES:
        path = path_for(route, _values(route, aracaju))
        for method in ("GET", "POST"):
            client = clients()
            response = _request(client, method, path, "aracaju.localhost")
            assert response.status_code == TENANT_MATRIX[route.name][method][role], f"{role} {method} {path}"


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix_on_the_control_plane(role, aracaju):
    clients = fresh_clients(role, aracaju)
    for route in PUBLIC_ROUTES:
        path = path_for(route, _public_values(route, aracaju))
        for method in ("GET", "POST"):
            client = clients()
            response = _request(client, method, path, "localhost")
            assert response.status_code == PUBLIC_MATRIX[route.name][method][role], f"{role} {method} {path}"


def test_fingerprint_notices_a_change(gravatai):
    before = schema_fingerprint("gravatai")
    with tenant_context(gravatai):
        User.objects.filter(email="servidor@gravatai.rs.gov.br").update(full_name="Outro Nome")
    assert schema_fingerprint("gravatai") != before
    assert hashlib.md5(b"", usedforsecurity=False).hexdigest()  # md5 is available for fingerprints
