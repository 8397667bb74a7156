"""Demo data of health (`paco_demo.seeding`): Gravataí's Secretaria da Saúde with two UBS and five
professionals in three specialties (clínico geral, pediatria, ginecologia), weekly agendas Monday to
Friday opened week by week (next week on Friday at 07:00); Aracaju with one UBS. The demo citizen is a
patient with a CNS. Safe to run again.
"""

from __future__ import annotations

import datetime as dt

from paco_demo.cities import DEMO_CITIZEN, DEMO_PASSWORD, demo_staff_ensure
from tenant_apps.accounts.models import User
from tenant_apps.org.enums import Role
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.services import org_unit_ensure
from tenants.models import Municipality

from .enums import KIND_FIRST, KIND_PRIORITY, KIND_RETURN
from .models import HealthUnit, Patient, Professional, Schedule
from .services import (
    health_settings_save,
    health_unit_save,
    patient_register,
    professional_save,
    schedule_create,
    schedule_window_add,
    specialty_save,
)

SPECIALTIES = {"clinico-geral": "Clínico geral", "pediatria": "Pediatria", "ginecologia": "Ginecologia"}
CBO = {"clinico-geral": "225125", "pediatria": "225124", "ginecologia": "225250"}
# (code, acronym, name, CNES, address)
UNITS = {
    "gravatai": [
        ("20061", "UBS-MV", "UBS Morada do Vale", "2232073", "Rua Anápio Gomes, 1200 — Morada do Vale"),
        ("20062", "UBS-PA", "UBS Parque dos Anjos", "2232081", "Av. Dorival Cândido Luz de Oliveira, 4500"),
    ],
    "aracaju": [
        ("10061", "UBS-AF", "UBS Augusto Franco", "0002283", "Av. Tancredo Neves, s/n — Augusto Franco")
    ],
}
# (name, e-mail, specialty, unit acronym)
PROFESSIONALS = {
    "gravatai": [
        ("Dra. Helena Prado", "medica1@gravatai.rs.gov.br", "clinico-geral", "UBS-MV"),
        ("Dr. Rodrigo Teixeira", "medico2@gravatai.rs.gov.br", "clinico-geral", "UBS-PA"),
        ("Dra. Camila Rocha", "medica3@gravatai.rs.gov.br", "pediatria", "UBS-MV"),
        ("Dr. Paulo Nunes", "medico4@gravatai.rs.gov.br", "pediatria", "UBS-PA"),
        ("Dra. Luíza Martins", "medica5@gravatai.rs.gov.br", "ginecologia", "UBS-MV"),
    ],
    "aracaju": [("Dr. José Santana", "medico1@aracaju.se.gov.br", "clinico-geral", "UBS-AF")],
}
SECRETARIAT = {"gravatai": ("20006", "SMS"), "aracaju": ("10060", "SEMUS")}
DOMAIN = {"gravatai": "gravatai.rs.gov.br", "aracaju": "aracaju.se.gov.br"}
# the example printed in ANVISA's RNI validation rules (rni-docs.anvisa.gov.br, "validacaoCNS")
DEMO_PATIENT_CNS = "898000000043208"


def cns_for(seed: int) -> str:
    """A valid provisional CNS (first digit 7) for demo and test people: 14 digits from `seed`, the
    15th chosen so that the weighted sum is divisible by 11."""
    for bump in range(100):
        head = f"7{(seed * 7919 + bump) % 10**13:013d}"
        total = sum(int(digit) * (15 - position) for position, digit in enumerate(head))
        last = (-total) % 11
        if last < 10:
            return f"{head}{last}"
    raise ValueError(seed)


def seed(*, municipality: Municipality) -> None:
    slug = municipality.slug
    if Schedule.objects.exists():
        return
    code, acronym = SECRETARIAT[slug]
    secretariat = OrgUnit.objects.filter(acronym=acronym).first() or org_unit_ensure(
        code=code, acronym=acronym, name="Secretaria Municipal da Saúde", kind="secretaria"
    )
    health_settings_save(secretariat=secretariat, opens_weekday=4, opens_time=dt.time(7, 0))
    manager = demo_staff_ensure(
        email=f"gestor.saude@{DOMAIN[slug]}",
        full_name="Sônia Gestora da Saúde",
        unit=secretariat,
        role=Role.MANAGER,
    )
    del manager
    units: dict[str, HealthUnit] = {}
    for index, (unit_code, unit_acronym, name, cnes, address) in enumerate(UNITS[slug], start=1):
        org_unit = org_unit_ensure(
            code=unit_code, acronym=unit_acronym, name=name, kind="setor", parent=secretariat
        )
        units[unit_acronym] = health_unit_save(
            name=name, cnes=cnes, org_unit=org_unit, kind="ubs", address=address
        )
        demo_staff_ensure(
            email=f"recepcao{index}@{DOMAIN[slug]}", full_name=f"Recepção {name}", unit=org_unit
        )
    specialties = {code_: specialty_save(name=name) for code_, name in SPECIALTIES.items()}
    for index, (name, email, specialty_code, unit_acronym) in enumerate(PROFESSIONALS[slug], start=1):
        unit = units[unit_acronym]
        person = demo_staff_ensure(email=email, full_name=name, unit=unit.org_unit)
        professional = Professional.objects.filter(user=person).first() or professional_save(
            user=person,
            cns=cns_for(index + (100 if slug == "aracaju" else 0)),
            cbo=CBO[specialty_code],
            council=f"CRM {index}{index}{index}{index}",
            specialties=[specialties[specialty_code]],
        )
        schedule = schedule_create(
            professional=professional, unit=unit, specialty=specialties[specialty_code], slot_minutes=20
        )
        weekdays = [0, 1, 2, 3, 4]
        schedule_window_add(
            schedule=schedule, weekdays=weekdays, start_time=dt.time(8), end_time=dt.time(10), kind=KIND_FIRST
        )
        schedule_window_add(
            schedule=schedule,
            weekdays=weekdays,
            start_time=dt.time(10),
            end_time=dt.time(11),
            kind=KIND_RETURN,
        )
        schedule_window_add(
            schedule=schedule,
            weekdays=weekdays,
            start_time=dt.time(11),
            end_time=dt.time(11, 40),
            kind=KIND_PRIORITY,
        )
    citizen = User.objects.filter(email=DEMO_CITIZEN["email"]).first()
    if citizen is not None and not Patient.objects.filter(user=citizen).exists():
        patient_register(user=citizen, cns=DEMO_PATIENT_CNS, birth_date=dt.date(1985, 4, 12))


def logins(*, municipality: Municipality) -> list[tuple[str, str, str]]:
    slug = municipality.slug
    first = PROFESSIONALS[slug][0]
    return [
        (f"health professional ({first[0]})", first[1], DEMO_PASSWORD),
        ("health reception", f"recepcao1@{DOMAIN[slug]}", DEMO_PASSWORD),
        ("health manager", f"gestor.saude@{DOMAIN[slug]}", DEMO_PASSWORD),
    ]
