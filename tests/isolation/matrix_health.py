"""Isolation-harness entries of health (tenant_apps.health), merged by test_isolation.py.

The sample is a booked health appointment of the demo citizen (a patient in both demo cities) with
the city's first professional, 20 days ahead, made again whenever a route (a cancel) ended it, and a
waiting-list entry of the demo citizen. None of the harness's staff roles (the demo staff member, a
unit manager of another secretariat, the municipal admin) is a health professional, a reception
member or a manager of the health secretariat: every page with patients — reception, the
professional's day, the attendance, the patient's history with the professionals' notes, the
managers' figures, the FHIR export — answers them 404 (403 in the API), as to vendor support
(a stranger on a city host). LGPD art. 11: health data only for those who treat the patient.
The municipal admin configures units, professionals and agendas (no patient data there).
"""

from __future__ import annotations

import datetime as dt

OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
UNAUTHORIZED, FORBIDDEN = 401, 403
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")
CITIZEN_EMAIL = "cidadao@exemplo.com.br"


def _first_schedule(municipality):
    from django_tenants.utils import tenant_context

    from tenant_apps.health.models import Schedule

    with tenant_context(municipality):
        return Schedule.objects.select_related("agenda", "professional__resource").order_by("pk").first()


def health_appointment_code_of(municipality) -> str:
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from paco.errors import ApplicationError
    from tenant_apps.accounts.models import User
    from tenant_apps.scheduling.models import Appointment, SlotKind
    from tenant_apps.scheduling.services import appointment_book
    from tenant_apps.scheduling.slots import agenda_zone

    schedule = _first_schedule(municipality)
    with tenant_context(municipality):
        citizen = User.objects.get(email=CITIZEN_EMAIL)
        booked = Appointment.objects.filter(
            agenda=schedule.agenda, citizen=citizen, status="agendado"
        ).first()
        day = timezone.localdate() + dt.timedelta(days=20)
        while booked is None:
            day += dt.timedelta(days=1)
            if day.weekday() >= 5:
                continue
            try:
                booked = appointment_book(
                    agenda=schedule.agenda,
                    citizen=citizen,
                    starts_at=dt.datetime.combine(day, dt.time(8, 0), agenda_zone(schedule.agenda)),
                    resource=schedule.professional.resource,
                    slot_kind=SlotKind.objects.get(agenda=schedule.agenda, code="primeira"),
                    booked_by=schedule.professional.user,
                    channel="balcao",
                )
            except ApplicationError:
                booked = None
        return booked.code


def entry_id_of(municipality) -> int:
    from django_tenants.utils import tenant_context

    from tenant_apps.health.models import Patient, Specialty, WaitingListEntry

    with tenant_context(municipality):
        patient = Patient.objects.get(user__email=CITIZEN_EMAIL)
        specialty = Specialty.objects.get(code="pediatria")
        entry = WaitingListEntry.objects.filter(
            patient=patient, specialty=specialty, status__in=["waiting", "offered"]
        ).first()
        if entry is None:
            entry = WaitingListEntry.objects.create(patient=patient, specialty=specialty)
        return entry.pk


def patient_id_of(municipality) -> int:
    from django_tenants.utils import tenant_context

    from tenant_apps.health.models import Patient

    with tenant_context(municipality):
        return Patient.objects.get(user__email=CITIZEN_EMAIL).pk


PARAMETER_FACTORIES: dict[str, object] = {
    "health_appointment_code": health_appointment_code_of,
    "specialty_code": lambda municipality: "clinico-geral",
    "offer_token": lambda municipality: "token-inexistente",
    "entry_id": entry_id_of,
    "patient_id": patient_id_of,
    "schedule_id": lambda municipality: _first_schedule(municipality).pk,
    "reception_action": lambda municipality: "chegada",
    "fhir_type": lambda municipality: "Appointment",
}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {}

_not_allowed = dict.fromkeys(ROLES, NOT_ALLOWED)
_public_page = {"GET": dict.fromkeys(ROLES, OK), "POST": _not_allowed}
_to_login = dict.fromkeys(ROLES, REDIRECT)
_citizen = {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": NOT_FOUND}
_citizen_page = {"GET": {**_citizen, "citizen": OK}, "POST": _not_allowed}
# pages with patients: no harness role treats anyone
_health_staff_only = {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": NOT_FOUND}
_admin_only = {**_to_login, "staff": NOT_FOUND, "manager": NOT_FOUND, "admin": OK}
_api_refused = {
    "anonymous": UNAUTHORIZED,
    "support": UNAUTHORIZED,
    "citizen": FORBIDDEN,
    "staff": FORBIDDEN,
    "manager": FORBIDDEN,
    "admin": FORBIDDEN,
}

TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "health:home": _public_page,
    "health:register": {"GET": _not_allowed, "POST": {**_citizen, "citizen": BAD}},
    "health:accesses": _citizen_page,
    "health:offer": {"GET": {**_citizen, "citizen": NOT_FOUND}, "POST": {**_citizen, "citizen": NOT_FOUND}},
    "health:appointment": _citizen_page,
    # the sample is 20 days ahead: the citizen cancels it (302)
    "health:cancel": {"GET": _not_allowed, "POST": {**_citizen, "citizen": REDIRECT}},
    "health:waiting_leave": {"GET": _not_allowed, "POST": {**_citizen, "citizen": REDIRECT}},
    "health:specialty": _public_page,
    # without a chosen time in the query, the confirmation is a clear 400
    "health:confirm": {"GET": {**_citizen, "citizen": BAD}, "POST": {**_citizen, "citizen": BAD}},
    "health:waiting_join": {"GET": _not_allowed, "POST": {**_citizen, "citizen": REDIRECT}},
    "health:reception": {"GET": _health_staff_only, "POST": _not_allowed},
    "health:reception_action": {"GET": _not_allowed, "POST": _health_staff_only},
    "health:suspensions": {"GET": _health_staff_only, "POST": _health_staff_only},
    "health:book_for": {"GET": _health_staff_only, "POST": _health_staff_only},
    "health:day": {"GET": _health_staff_only, "POST": _not_allowed},
    "health:attend": {"GET": _health_staff_only, "POST": _health_staff_only},
    "health:patient": {"GET": _health_staff_only, "POST": _health_staff_only},
    "health:figures": {"GET": _health_staff_only, "POST": _not_allowed},
    "health:admin": {"GET": _admin_only, "POST": {**_admin_only, "admin": BAD}},
    "health:admin_schedule": {"GET": _admin_only, "POST": {**_admin_only, "admin": BAD}},
    "health_api:fhir_search": {"GET": _api_refused, "POST": _api_refused},
}
