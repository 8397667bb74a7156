"""FHIR R4 resources of the health module (Appointment, Slot, Schedule, Practitioner, Location),
built and validated with the fhir.resources package — the format the national health data network
(RNDS) speaks. Every resource is constructed as a fhir.resources model (which validates it against
the specification) and serialised from it; nothing here writes JSON by hand.

fhir.resources 8 carries R5 at its top level and R4B (4.3.0, the R4 line: these five resources are
unchanged from 4.0.1 in what we fill) under `fhir.resources.R4B`; we use the latter. Identifiers use
the Ministry of Health's naming systems for CNES and CNS and the CBO code system of the RNDS profiles.
No clinical note ever goes into these resources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.schedule import Schedule as FhirSchedule
from fhir.resources.R4B.slot import Slot as FhirSlot

from tenant_apps.scheduling.enums import AppointmentStatus
from tenant_apps.scheduling.models import Appointment
from tenant_apps.scheduling.slots import Slot

from .models import HealthUnit, Professional, Schedule

CNES_SYSTEM = "http://www.saude.gov.br/fhir/r4/NamingSystem/cnes"
CNS_SYSTEM = "http://www.saude.gov.br/fhir/r4/NamingSystem/cns"
CBO_SYSTEM = "http://www.saude.gov.br/fhir/r4/CodeSystem/BRCBO"

APPOINTMENT_STATUS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.IN_PROGRESS: "arrived",
    AppointmentStatus.DONE: "fulfilled",
    AppointmentStatus.NO_SHOW: "noshow",
    AppointmentStatus.CANCELLED: "cancelled",
}


def _instant(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat()


def as_json(resource: Any) -> dict[str, Any]:
    """The resource as FHIR JSON (what fhir.resources serialises, None fields left out)."""
    return resource.model_dump(mode="json", exclude_none=True, by_alias=True)


def location(unit: HealthUnit) -> Location:
    return Location.model_validate(
        dict(
            id=f"unit-{unit.pk}",
            identifier=[{"system": CNES_SYSTEM, "value": unit.cnes}],
            status="active" if unit.is_active else "inactive",
            name=unit.name,
            address={"text": unit.address} if unit.address else None,
            mode="instance",
        )
    )


def practitioner(professional: Professional) -> Practitioner:
    return Practitioner.model_validate(
        dict(
            id=f"professional-{professional.pk}",
            identifier=[{"system": CNS_SYSTEM, "value": professional.cns}],
            active=professional.is_active,
            name=[{"text": professional.name}],
            qualification=[{"code": {"coding": [{"system": CBO_SYSTEM, "code": professional.cbo}]}}],
        )
    )


def schedule(item: Schedule) -> FhirSchedule:
    return FhirSchedule.model_validate(
        dict(
            id=f"schedule-{item.pk}",
            active=item.is_active,
            serviceType=[{"text": item.specialty.name}],
            specialty=[{"text": item.specialty.name}],
            actor=[
                {
                    "reference": f"Practitioner/professional-{item.professional_id}",
                    "display": item.professional.name,
                },
                {"reference": f"Location/unit-{item.unit_id}", "display": item.unit.name},
            ],
            comment=item.specialty.name,
        )
    )


def slot(item: Schedule, value: Slot, *, kind_code: str) -> FhirSlot:
    return FhirSlot.model_validate(
        dict(
            id=f"slot-{item.pk}-{int(value.starts_at.timestamp())}",
            schedule={"reference": f"Schedule/schedule-{item.pk}"},
            status="free" if value.is_free else "busy",
            start=_instant(value.starts_at),
            end=_instant(value.ends_at),
            serviceType=[{"text": item.specialty.name}],
            appointmentType={"text": kind_code},
        )
    )


def appointment(item: Appointment, *, patient_cns: str | None, checked_in: bool) -> FhirAppointment:
    schedule_row = item.agenda.health_schedule
    status = APPOINTMENT_STATUS.get(AppointmentStatus(item.status), "booked")
    if status == "booked" and checked_in:
        status = "checked-in"
    participants: list[dict[str, Any]] = [
        {
            "actor": {"reference": f"Practitioner/professional-{schedule_row.professional_id}"},
            "required": "required",
            "status": "accepted",
        },
        {
            "actor": {"reference": f"Location/unit-{schedule_row.unit_id}"},
            "required": "required",
            "status": "accepted",
        },
    ]
    if patient_cns:
        participants.append(
            {
                "actor": {"identifier": {"system": CNS_SYSTEM, "value": patient_cns}, "type": "Patient"},
                "required": "required",
                "status": "accepted",
            }
        )
    return FhirAppointment.model_validate(
        dict(
            id=f"appointment-{item.pk}",
            identifier=[{"value": item.code}],
            status=status,
            serviceType=[{"text": schedule_row.specialty.name}],
            appointmentType={"text": item.slot_kind.code if item.slot_kind else "primeira"},
            start=_instant(item.starts_at),
            end=_instant(item.ends_at),
            created=_instant(item.created_at),
            participant=participants,
            cancelationReason={"text": item.cancel_reason}
            if item.status == AppointmentStatus.CANCELLED and item.cancel_reason
            else None,
        )
    )


def bundle(resources: Iterable[Any], *, base_url: str) -> Bundle:
    entries = [
        {"fullUrl": f"{base_url}{resource.get_resource_type()}/{resource.id}", "resource": resource}
        for resource in resources
    ]
    return Bundle.model_validate({"type": "searchset", "total": len(entries), "entry": entries})
