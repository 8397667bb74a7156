"""Demo data of scheduling (`paco_demo.seeding`): Gravataí's video attendance with its ten tax
inspectors (the seed article: IPTU, ISS, ITBI and NFS-e; Gabriela Fiscal, the demo staff member, is one
of them) and with SESMT; Aracaju's in-person attendance at the SEFAZ counter. Weekly hours Monday to
Friday. Runs after the catalogue's demo data (the agendas link its services).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from paco_demo.cities import DEMO_PASSWORD, demo_staff_ensure
from tenant_apps.catalog.models import Service
from tenant_apps.org.models import OrgUnit
from tenants.models import Municipality

from .models import Agenda, AvailabilityRule, Resource
from .services import agenda_save, availability_rule_add

DEMO_INSPECTORS = (
    "Gabriela Fiscal",
    "Antônio Barcellos",
    "Beatriz Schmitt",
    "Carlos Eduardo Pires",
    "Daniela Kunz",
    "Eduardo Moraes",
    "Fernanda Lopes",
    "Henrique Weber",
    "Isabel Fontoura",
    "João Pedro Camargo",
)
DEMO_AGENDAS: dict[str, list[dict[str, Any]]] = {
    "gravatai": [
        {
            "code": "atendimento-por-video-com-fiscal",
            "name": "Atendimento por vídeo com fiscal",
            "description": (
                "Converse por vídeo com um fiscal tributário da Secretaria da Fazenda: tire dúvidas, "
                "mostre documentos e encaminhe soluções sem sair de casa."
            ),
            "unit": "SMF-FISC",
            "catalog_service": "atendimento-por-video-com-fiscal",
            "mode": "video",
            "subjects": ["IPTU", "ISS", "ITBI", "NFS-e"],
            "people": [
                (name, "servidor@gravatai.rs.gov.br" if index == 0 else f"fiscal{index}@gravatai.rs.gov.br")
                for index, name in enumerate(DEMO_INSPECTORS)
            ],
            "hours": [("09:00", "12:00"), ("13:30", "16:30")],
        },
        {
            "code": "atendimento-sesmt",
            "name": "Atendimento do SESMT por vídeo",
            "description": (
                "Segurança e medicina do trabalho e recursos humanos: converse por vídeo com a equipe "
                "do SESMT."
            ),
            "unit": "SESMT",
            "catalog_service": None,
            "mode": "video",
            "subjects": ["Saúde ocupacional", "Segurança do trabalho", "Recursos humanos"],
            "people": [
                ("Marta Engenheira de Segurança", "sesmt1@gravatai.rs.gov.br"),
                ("Rafael Médico do Trabalho", "sesmt2@gravatai.rs.gov.br"),
            ],
            "hours": [("08:30", "11:30")],
        },
    ],
    "aracaju": [
        {
            "code": "atendimento-na-sefaz",
            "name": "Atendimento na SEFAZ",
            "description": "Atendimento presencial com hora marcada na Secretaria Municipal da Fazenda.",
            "unit": "SEFAZ-TRIB",
            "catalog_service": "atendimento-na-sefaz",
            "mode": "presencial",
            "location": "Central de Atendimento da Secretaria Municipal da Fazenda, Aracaju (SE)",
            "subjects": ["IPTU", "ISS", "Certidões", "Dívida ativa"],
            "people": [
                ("Lúcia Atendente", "atendimento1@aracaju.se.gov.br"),
                ("Marcos Atendente", "atendimento2@aracaju.se.gov.br"),
                ("Neide Atendente", "atendimento3@aracaju.se.gov.br"),
            ],
            "hours": [("08:00", "12:00"), ("13:00", "17:00")],
        }
    ],
}


def seed(*, municipality: Municipality) -> None:
    """The demo agendas with their attendants and weekly hours (only what is missing is added)."""
    for spec in DEMO_AGENDAS[municipality.slug]:
        if Agenda.objects.filter(code=spec["code"]).exists():
            continue
        unit = OrgUnit.objects.get(acronym=spec["unit"])
        people = []
        for full_name, email in spec["people"]:
            people.append(demo_staff_ensure(email=email, full_name=full_name, unit=unit))
        agenda = agenda_save(
            code=spec["code"],
            name=spec["name"],
            description=spec["description"],
            unit=unit,
            catalog_service=(
                Service.objects.get(code=spec["catalog_service"]) if spec["catalog_service"] else None
            ),
            mode=spec["mode"],
            location=spec.get("location", ""),
            slot_minutes=30,
            buffer_minutes=0,
            horizon_days=30,
            cancel_limit_hours=2,
            subjects=spec["subjects"],
            resource_user_ids=[person.pk for person in people],
        )
        for person in people:
            resource = Resource.objects.get(user=person)
            if AvailabilityRule.objects.filter(agenda=agenda, resource=resource).exists():
                continue
            for start, end in spec["hours"]:
                availability_rule_add(
                    agenda=agenda,
                    resource=resource,
                    weekdays=[0, 1, 2, 3, 4],
                    start_time=dt.time.fromisoformat(start),
                    end_time=dt.time.fromisoformat(end),
                )


def logins(*, municipality: Municipality) -> list[tuple[str, str, str]]:
    """(who, e-mail, password) printed by `make demo`: one attendant per agenda."""
    return [
        (f"attendant ({spec['name']})", spec["people"][1][1], DEMO_PASSWORD)
        for spec in DEMO_AGENDAS.get(municipality.slug, [])
    ]
