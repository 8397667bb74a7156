"""Isolation-harness entries of scheduling (tenant_apps.scheduling), merged by test_isolation.py.

The sample is a video agenda of the demo staff member's unit (Aracaju: SEPLOG-PROT, where the unit
manager also works; Gravataí: SMF-FISC) attended by the demo staff member, open every day, and a
booked appointment of the demo citizen 20 days ahead, made again whenever a route (a cancel) ended
it. So: the citizen sees their appointment (others 404); the attendant and the unit's manager see it
in the staff pages (the admin, of another unit, 404); starting it now is too early (400, nothing
changes); an empty POST is refused field by field (400); removing the sample rule or absence works
(302, made again for the next route). Feed tokens are bearer secrets: the harness asks for one that
does not exist (404). Attendants' names are public (the citizen chooses one), so they are no
private marker (`public_names`).
"""

from __future__ import annotations

import datetime as dt

OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
UNAUTHORIZED, FORBIDDEN = 401, 403
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")
SAMPLE_CODE = "amostra-de-isolamento-agenda"


def _sample(municipality):
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo
    from tenant_apps.accounts.models import User
    from tenant_apps.org.models import OrgUnit
    from tenant_apps.scheduling.models import Agenda, AgendaResource, AvailabilityRule, Resource

    with tenant_context(municipality):
        staff = User.objects.get(email=demo.DEMO_STAFF[municipality.slug]["email"])
        unit = OrgUnit.objects.get(acronym=demo.DEMO_STAFF[municipality.slug]["unit"])
        agenda, _created = Agenda.objects.get_or_create(
            code=SAMPLE_CODE,
            defaults={
                "name": "Amostra de isolamento do agendamento",
                "unit": unit,
                "mode": "video",
                "closes_on_holidays": False,
                "horizon_days": 60,
            },
        )
        resource, _created = Resource.objects.get_or_create(
            user=staff, defaults={"name": staff.full_name, "unit": unit}
        )
        AgendaResource.objects.get_or_create(agenda=agenda, resource=resource)
        if not AvailabilityRule.objects.filter(
            agenda=agenda, resource=resource, start_time=dt.time(0, 0)
        ).exists():
            for weekday in range(7):
                AvailabilityRule.objects.create(
                    agenda=agenda,
                    resource=resource,
                    weekday=weekday,
                    start_time=dt.time(0, 0),
                    end_time=dt.time(4, 0),
                )
        return agenda, resource


def appointment_code_of(municipality) -> str:
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from tenant_apps.accounts.models import User
    from tenant_apps.scheduling.models import Appointment
    from tenant_apps.scheduling.services import appointment_book
    from tenant_apps.scheduling.slots import agenda_zone

    agenda, resource = _sample(municipality)
    with tenant_context(municipality):
        booked = Appointment.objects.filter(agenda=agenda, status="agendado").first()
        if booked is None:
            day = timezone.localdate() + dt.timedelta(days=20)
            starts_at = dt.datetime.combine(day, dt.time(2, 0), agenda_zone(agenda))
            booked = appointment_book(
                agenda=agenda,
                citizen=User.objects.get(email="cidadao@exemplo.com.br"),
                starts_at=starts_at,
                resource=resource,
                booked_by=resource.user,
                channel="balcao",
            )
        return booked.code


def rule_id_of(municipality) -> int:
    from django_tenants.utils import tenant_context

    from tenant_apps.scheduling.models import AvailabilityRule

    agenda, resource = _sample(municipality)
    with tenant_context(municipality):
        rule, _created = AvailabilityRule.objects.get_or_create(
            agenda=agenda, resource=resource, weekday=6, start_time=dt.time(23, 0), end_time=dt.time(23, 30)
        )
        return rule.pk


def exception_id_of(municipality) -> int:
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from tenant_apps.scheduling.models import AvailabilityException

    _agenda, resource = _sample(municipality)
    with tenant_context(municipality):
        start = timezone.now().replace(microsecond=0) + dt.timedelta(days=200)
        exception = AvailabilityException.objects.filter(
            resource=resource, reason="Amostra de isolamento"
        ).first()
        if exception is None:
            exception = AvailabilityException.objects.create(
                resource=resource,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                reason="Amostra de isolamento",
            )
        return exception.pk


def public_names(municipality) -> set[str]:
    """People named on the city's public booking pages (the attendants of public agendas)."""
    from django_tenants.utils import tenant_context

    from tenant_apps.scheduling.models import Resource

    _sample(municipality)
    with tenant_context(municipality):
        return set(
            Resource.objects.filter(agendas__is_public=True, agendas__is_active=True).values_list(
                "name", flat=True
            )
        )


PARAMETER_FACTORIES: dict[str, object] = {
    "agenda_code": lambda municipality: _sample(municipality)[0].code,
    "appointment_code": appointment_code_of,
    "appointment_action": lambda municipality: "iniciar",
    "feed_token": lambda municipality: "token-inexistente",
    "agenda_id": lambda municipality: _sample(municipality)[0].pk,
    "resource_id": lambda municipality: _sample(municipality)[1].pk,
    "rule_id": rule_id_of,
    "exception_id": exception_id_of,
}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {}

_not_allowed = dict.fromkeys(ROLES, NOT_ALLOWED)
_everyone = dict.fromkeys(ROLES, OK)
_public_page = {"GET": _everyone, "POST": _not_allowed}
_to_login = dict.fromkeys(ROLES, REDIRECT)
# citizen pages: visitors (and support, a stranger on a city's host) to the login, other accounts 404
_citizen = {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": NOT_FOUND}
_citizen_page = {"GET": {**_citizen, "citizen": OK}, "POST": _not_allowed}
# staff pages of the sample appointment: its attendant and the unit's manager; the admin is elsewhere
_staff_sample = {**_to_login, "staff": OK, "manager": OK, "admin": NOT_FOUND}
_staff_all = {**_to_login, "staff": OK, "manager": OK, "admin": OK}
_admin_nobody = {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND}
_api_nobody = {"anonymous": UNAUTHORIZED, "support": UNAUTHORIZED}
_api_staff_refused = {"staff": FORBIDDEN, "manager": FORBIDDEN, "admin": FORBIDDEN}

TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "scheduling:citizen_home": _public_page,
    "scheduling:citizen_slots": _public_page,
    # without a chosen time in the query, the confirmation is a clear 400
    "scheduling:citizen_confirm": {"GET": {**_citizen, "citizen": BAD}, "POST": {**_citizen, "citizen": BAD}},
    "scheduling:citizen_appointment": _citizen_page,
    # the sample is 20 days ahead: the citizen cancels it (302)
    "scheduling:citizen_cancel": {"GET": _not_allowed, "POST": {**_citizen, "citizen": REDIRECT}},
    "scheduling:citizen_reschedule": {
        "GET": {**_citizen, "citizen": OK},
        "POST": {**_citizen, "citizen": BAD},
    },
    "scheduling:citizen_room": _citizen_page,
    "scheduling:citizen_ics": _citizen_page,
    "scheduling:citizen_upload": {"GET": _not_allowed, "POST": {**_citizen, "citizen": BAD}},
    "scheduling:feed": {"GET": dict.fromkeys(ROLES, NOT_FOUND), "POST": _not_allowed},
    "scheduling:staff_agenda": {"GET": _staff_all, "POST": _not_allowed},
    "scheduling:staff_figures": {"GET": {**_staff_all, "staff": NOT_FOUND}, "POST": _not_allowed},
    "scheduling:staff_feed": {
        "GET": _staff_all,
        "POST": {**_to_login, "staff": BAD, "manager": BAD, "admin": BAD},
    },
    "scheduling:staff_appointment": {"GET": _staff_sample, "POST": _not_allowed},
    "scheduling:staff_room": {"GET": _staff_sample, "POST": _not_allowed},
    # starting 20 days early is refused (400) and changes nothing
    "scheduling:staff_appointment_action": {
        "GET": _not_allowed,
        "POST": {**_to_login, "staff": BAD, "manager": BAD, "admin": NOT_FOUND},
    },
    "scheduling:admin_agenda_list": {"GET": {**_admin_nobody, "admin": OK}, "POST": _not_allowed},
    "scheduling:admin_agenda_create": {
        "GET": {**_admin_nobody, "admin": OK},
        "POST": {**_admin_nobody, "admin": BAD},
    },
    "scheduling:admin_agenda_edit": {
        "GET": {**_admin_nobody, "admin": OK},
        "POST": {**_admin_nobody, "admin": BAD},
    },
    "scheduling:admin_resource": {"GET": {**_admin_nobody, "admin": OK}, "POST": _not_allowed},
    "scheduling:admin_rule_add": {"GET": _not_allowed, "POST": {**_admin_nobody, "admin": BAD}},
    "scheduling:admin_rule_remove": {"GET": _not_allowed, "POST": {**_admin_nobody, "admin": REDIRECT}},
    "scheduling:admin_exception_add": {"GET": _not_allowed, "POST": {**_admin_nobody, "admin": BAD}},
    "scheduling:admin_exception_remove": {"GET": _not_allowed, "POST": {**_admin_nobody, "admin": REDIRECT}},
    # REST: agendas and free slots are public; bookings are the citizen's; the agenda is staff's
    "scheduling_api:agenda_list": _public_page,
    "scheduling_api:slot_list": _public_page,
    "scheduling_api:booking_list": {
        "GET": {**_api_nobody, **_api_staff_refused, "citizen": OK},
        "POST": {**_api_nobody, **_api_staff_refused, "citizen": BAD},
    },
    "scheduling_api:booking_detail": {
        "GET": {**_api_nobody, **_api_staff_refused, "citizen": OK},
        "POST": {**_api_nobody, **_api_staff_refused, "citizen": NOT_ALLOWED},
    },
    "scheduling_api:booking_cancel": {
        "GET": {**_api_nobody, **_api_staff_refused, "citizen": NOT_ALLOWED},
        "POST": {**_api_nobody, **_api_staff_refused, "citizen": OK},
    },
    "scheduling_api:booking_reschedule": {
        "GET": {**_api_nobody, **_api_staff_refused, "citizen": NOT_ALLOWED},
        "POST": {**_api_nobody, **_api_staff_refused, "citizen": BAD},
    },
    "scheduling_api:staff_agenda": {
        "GET": {**_api_nobody, "citizen": FORBIDDEN, "staff": OK, "manager": OK, "admin": OK},
        "POST": {
            **_api_nobody,
            "citizen": FORBIDDEN,
            "staff": NOT_ALLOWED,
            "manager": NOT_ALLOWED,
            "admin": NOT_ALLOWED,
        },
    },
}
