"""The two demo municipalities and their demo people (used by `make demo` and by the tests).

Units are the ones named in the seed articles; colours and the generated coat of arms are
placeholders, not the cities' official artwork.
"""

from typing import Any

from django.db import transaction
from django_tenants.utils import schema_context, tenant_context

from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import totp_device_ensure, user_ensure
from tenant_apps.catalog.services import service_ensure
from tenant_apps.org.enums import Role
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.services import membership_ensure
from tenants.models import Municipality
from tenants.services import AdminSpec, MunicipalitySpec, OrgUnitSpec

DEMO_PASSWORD = "Paco#Demo2026"  # noqa: S105 - demo-only credentials, printed by make demo
CITIZEN_PASSWORD = "Cidadao#2026"  # noqa: S105 - demo-only credentials
# RFC 6238's test key ("12345678901234567890"), so any authenticator app can be set up by hand.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"
DEMO_TOTP_SECRET_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # noqa: S105 - public RFC 6238 test key
DEMO_CITIZEN = {"email": "cidadao@exemplo.com.br", "full_name": "Maria da Silva Santos", "cpf": "52998224725"}
SUPPORT_EMAIL = "suporte@paco.localhost"

ARACAJU = MunicipalitySpec(
    slug="aracaju",
    name="Aracaju",
    display_name="Prefeitura Municipal de Aracaju",
    ibge_code="2800308",
    state="SE",
    population=602757,
    primary_color="#0b4f9c",
    secondary_color="#f2b705",
    status="active",
    org_chart=(
        OrgUnitSpec(
            "10001", "SEPLOG", "Secretaria Municipal do Planejamento, Orçamento e Gestão", "secretaria"
        ),
        OrgUnitSpec("10002", "SEFAZ", "Secretaria Municipal da Fazenda", "secretaria"),
        OrgUnitSpec("10003", "SEMA", "Secretaria Municipal do Meio Ambiente", "secretaria"),
        OrgUnitSpec(
            "10004", "SEMFAS", "Secretaria Municipal da Família e da Assistência Social", "secretaria"
        ),
        OrgUnitSpec("10005", "EMSURB", "Empresa Municipal de Serviços Urbanos", "empresa_publica"),
        OrgUnitSpec("10006", "EMURB", "Empresa Municipal de Obras e Urbanização", "empresa_publica"),
        OrgUnitSpec("10007", "CGM", "Controladoria-Geral do Município", "controladoria"),
        OrgUnitSpec("10008", "SEPLOG-PROT", "Protocolo Geral", "setor", parent="SEPLOG"),
        OrgUnitSpec("10009", "SEFAZ-TRIB", "Coordenadoria de Tributos", "setor", parent="SEFAZ"),
    ),
    admin=AdminSpec("admin@aracaju.se.gov.br", "Ana Administradora", DEMO_PASSWORD, unit="SEPLOG"),
)

GRAVATAI = MunicipalitySpec(
    slug="gravatai",
    name="Gravataí",
    display_name="Prefeitura Municipal de Gravataí",
    ibge_code="4309209",
    state="RS",
    population=265070,
    primary_color="#1b6e3a",
    secondary_color="#c8102e",
    status="active",
    org_chart=(
        OrgUnitSpec("20001", "SMF", "Secretaria Municipal da Fazenda", "secretaria"),
        OrgUnitSpec(
            "20002",
            "SMF-FISC",
            "Fiscalização Tributária (fiscais de IPTU, ISS, ITBI e NFS-e)",
            "setor",
            parent="SMF",
        ),
        OrgUnitSpec(
            "20003",
            "SMAMT",
            "Secretaria Municipal de Administração, Modernização e Transparência",
            "secretaria",
        ),
        OrgUnitSpec(
            "20004",
            "SESMT",
            "Serviço Especializado em Segurança e Medicina do Trabalho",
            "setor",
            parent="SMAMT",
        ),
        OrgUnitSpec("20005", "PGM", "Procuradoria-Geral do Município", "secretaria"),
        OrgUnitSpec("20006", "SMS", "Secretaria Municipal da Saúde", "secretaria"),
    ),
    admin=AdminSpec("admin@gravatai.rs.gov.br", "Gustavo Gestor", DEMO_PASSWORD, unit="SMAMT"),
)

DEMO_MUNICIPALITIES = (ARACAJU, GRAVATAI)
# One staff member per city, in the unit that receives most requests ("unit"), plus other units
# they also work in ("also"): in Aracaju the Protocolo Geral clerk also serves EMSURB's requests.
DEMO_STAFF: dict[str, dict[str, Any]] = {
    "aracaju": {
        "email": "servidor@aracaju.se.gov.br",
        "full_name": "Sérgio Servidor",
        "unit": "SEPLOG-PROT",
        "also": ["EMSURB"],
    },
    "gravatai": {"email": "servidor@gravatai.rs.gov.br", "full_name": "Gabriela Fiscal", "unit": "SMF-FISC"},
}


def demo_people_seed(municipality: Municipality) -> dict[str, User]:
    """The demo citizen, staff member and admin of one city, with the shared demo TOTP key."""
    spec = next(spec for spec in DEMO_MUNICIPALITIES if spec.slug == municipality.slug)
    with tenant_context(municipality), transaction.atomic():
        citizen = user_ensure(
            email=DEMO_CITIZEN["email"],
            full_name=DEMO_CITIZEN["full_name"],
            cpf=DEMO_CITIZEN["cpf"],
            kind=UserKind.CITIZEN,
            password=CITIZEN_PASSWORD,
        )
        staff_spec = DEMO_STAFF[municipality.slug]
        staff = user_ensure(
            email=staff_spec["email"],
            full_name=staff_spec["full_name"],
            kind=UserKind.STAFF,
            password=DEMO_PASSWORD,
        )
        for acronym in [staff_spec["unit"], *staff_spec.get("also", [])]:
            membership_ensure(user_id=staff.pk, unit=OrgUnit.objects.get(acronym=acronym), role=Role.STAFF)
        totp_device_ensure(user=staff, key_hex=DEMO_TOTP_KEY_HEX)
        people = {"citizen": citizen, "staff": staff}
        if spec.admin:
            admin = user_ensure(email=spec.admin.email, full_name=spec.admin.full_name, kind=UserKind.STAFF)
            totp_device_ensure(user=admin, key_hex=DEMO_TOTP_KEY_HEX)
            people["admin"] = admin
    return people


def demo_support_seed() -> User:
    with schema_context("public"), transaction.atomic():
        support = user_ensure(
            email=SUPPORT_EMAIL,
            full_name="Equipe de Suporte Paço",
            kind=UserKind.SUPPORT,
            password=DEMO_PASSWORD,
        )
        totp_device_ensure(user=support, key_hex=DEMO_TOTP_KEY_HEX)
    return support


DEMO_CATALOG: dict[str, list[dict[str, Any]]] = {
    "aracaju": [
        {
            "code": "poda-de-arvore",
            "name": "Poda de árvore",
            "unit": "EMSURB",
            "group": "Meio urbano",
            "description": "Pedido de poda ou avaliação de árvore em calçada ou área pública.",
            "deadline_days": 15,
            "fields": [
                {"key": "endereco", "label": "Endereço da árvore", "kind": "address"},
                {"key": "referencia", "label": "Ponto de referência", "kind": "text", "is_required": False},
                {
                    "key": "motivo",
                    "label": "Motivo",
                    "kind": "choice",
                    "choices": ["Risco de queda", "Galhos na fiação", "Obstrução de calçada", "Outro"],
                },
            ],
            "attachments": [{"name": "Foto da árvore", "is_required": False}],
        },
        {
            "code": "certidao-negativa-de-debitos",
            "name": "Certidão negativa de débitos",
            "unit": "SEFAZ-TRIB",
            "group": "Tributos",
            "description": "Certidão de que não há débitos municipais em nome do contribuinte.",
            "deadline_days": 5,
            "fields": [
                {"key": "cpf_contribuinte", "label": "CPF do contribuinte", "kind": "cpf"},
                {"key": "inscricao", "label": "Inscrição imobiliária", "kind": "text", "is_required": False},
                {"key": "finalidade", "label": "Finalidade", "kind": "text"},
            ],
            "attachments": [{"name": "Documento de identificação", "is_required": True}],
        },
        {
            "code": "alvara-de-funcionamento",
            "name": "Alvará de funcionamento",
            "unit": "SEFAZ-TRIB",
            "group": "Empresas",
            "description": "Licença para o funcionamento de estabelecimento.",
            "deadline_days": 30,
            "deadline_kind": "calendar",
            "fields": [
                {"key": "cnpj", "label": "CNPJ", "kind": "cnpj"},
                {"key": "razao_social", "label": "Razão social", "kind": "text"},
                {"key": "endereco", "label": "Endereço do estabelecimento", "kind": "address"},
                {"key": "atividade", "label": "Atividade principal", "kind": "text"},
            ],
            "attachments": [
                {"name": "Contrato social", "is_required": True},
                {"name": "Comprovante de endereço", "is_required": True},
            ],
        },
    ],
    "gravatai": [
        {
            "code": "revisao-de-iptu",
            "name": "Revisão de IPTU",
            "unit": "SMF-FISC",
            "group": "Tributos",
            "description": "Pedido de revisão do valor ou dos dados do IPTU.",
            "deadline_days": 30,
            "fields": [
                {"key": "inscricao", "label": "Inscrição do imóvel", "kind": "text"},
                {"key": "motivo", "label": "Motivo do pedido", "kind": "long_text"},
            ],
            "attachments": [{"name": "Matrícula do imóvel", "is_required": False}],
        },
        {
            "code": "duvidas-sobre-iss",
            "name": "Dúvidas sobre ISS",
            "unit": "SMF-FISC",
            "group": "Tributos",
            "description": "Pergunta à fiscalização sobre o Imposto Sobre Serviços.",
            "deadline_days": 10,
            "fields": [
                {"key": "cnpj", "label": "CNPJ da empresa", "kind": "cnpj"},
                {"key": "pergunta", "label": "Sua dúvida", "kind": "long_text"},
            ],
        },
        {
            "code": "atendimento-por-video-com-fiscal",
            "name": "Atendimento por vídeo com fiscal",
            "unit": "SMF-FISC",
            "group": "Atendimento",
            "description": (
                "Agende pela internet uma conversa por vídeo com um dos fiscais tributários: tire dúvidas, "
                "mostre documentos e encaminhe soluções sem sair de casa. O horário é escolhido em "
                "/agendamento/, e o atendimento fica registrado neste protocolo."
            ),
            "deadline_days": 5,
            "fields": [
                {
                    "key": "assunto",
                    "label": "Assunto",
                    "kind": "choice",
                    "choices": ["IPTU", "ISS", "ITBI", "NFS-e"],
                },
            ],
        },
        {
            "code": "avaliacao-sesmt",
            "name": "Avaliação do SESMT",
            "unit": "SESMT",
            "group": "Servidores",
            "description": "Pedido interno de avaliação de segurança e medicina do trabalho.",
            "deadline_days": 10,
            "is_public": False,
            "fields": [{"key": "local", "label": "Local de trabalho", "kind": "text"}],
        },
    ],
}
DEMO_CATALOG["aracaju"].append(
    {
        "code": "atendimento-na-sefaz",
        "name": "Atendimento na SEFAZ",
        "unit": "SEFAZ-TRIB",
        "group": "Atendimento",
        "description": (
            "Atendimento presencial na Secretaria da Fazenda com hora marcada: escolha o assunto e o "
            "horário em /agendamento/; o atendimento fica registrado neste protocolo."
        ),
        "deadline_days": 5,
        "fields": [
            {
                "key": "assunto",
                "label": "Assunto",
                "kind": "choice",
                "choices": ["IPTU", "ISS", "Certidões", "Dívida ativa"],
            }
        ],
    }
)


def demo_catalog_seed(municipality: Municipality) -> None:
    with tenant_context(municipality), transaction.atomic():
        for spec in DEMO_CATALOG[municipality.slug]:
            spec = dict(spec)
            unit = OrgUnit.objects.get(acronym=spec.pop("unit"))
            service_ensure(unit=unit, **spec)


# Ouvidoria (tenant_apps.ombudsman): the office that sees protected identities and one ombudsman
# per city; its two internal services are created on the first manifestation. Aracaju's office
# is the Controladoria-Geral (CGM); Gravataí's the Secretaria de Administração, Modernização e
# Transparência (SMAMT).
DEMO_OMBUDSMAN: dict[str, dict[str, str]] = {
    "aracaju": {"unit": "CGM", "email": "ouvidoria@aracaju.se.gov.br", "full_name": "Olívia Ouvidora"},
    "gravatai": {"unit": "SMAMT", "email": "ouvidoria@gravatai.rs.gov.br", "full_name": "Otávio Ouvidor"},
}


def demo_ombudsman_seed(municipality: Municipality) -> None:
    from tenant_apps.ombudsman.models import OmbudsmanSettings
    from tenant_apps.ombudsman.services import system_user

    spec = DEMO_OMBUDSMAN[municipality.slug]
    with tenant_context(municipality), transaction.atomic():
        unit = OrgUnit.objects.get(acronym=spec["unit"])
        if not OmbudsmanSettings.objects.exists():
            OmbudsmanSettings.objects.create(ombudsman_unit=unit)
        system_user()
        ombudsman = user_ensure(
            email=spec["email"], full_name=spec["full_name"], kind=UserKind.STAFF, password=DEMO_PASSWORD
        )
        membership_ensure(user_id=ombudsman.pk, unit=unit, role=Role.MANAGER)
        totp_device_ensure(user=ombudsman, key_hex=DEMO_TOTP_KEY_HEX)


# Vendor support access (shared_apps.support): Aracaju's admins have pre-consented (sessions start at
# once, still time-boxed, read-only and logged); Gravataí's approve each session.
DEMO_SUPPORT_ACCESS = {"aracaju": "allowed", "gravatai": "approval"}


def demo_support_access_seed(municipality: Municipality) -> None:
    from shared_apps.support.models import SupportAccessPolicy
    from shared_apps.support.services import support_policy_set

    if not SupportAccessPolicy.objects.filter(municipality=municipality).exists():
        support_policy_set(
            municipality=municipality,
            mode=DEMO_SUPPORT_ACCESS[municipality.slug],
            changed_by=next(s for s in DEMO_MUNICIPALITIES if s.slug == municipality.slug).admin.email,  # type: ignore[union-attr]
        )


# Scheduling (tenant_apps.scheduling). Gravataí: video attendance with its ten tax inspectors (the seed
# article: IPTU, ISS, ITBI and NFS-e; Gabriela Fiscal, the demo staff member, is one of them) and with
# SESMT; Aracaju: in-person attendance at the SEFAZ counter. Weekly hours Monday to Friday.
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


def demo_scheduling_seed(municipality: Municipality) -> None:
    """The demo agendas with their attendants and weekly hours (only what is missing is added)."""
    import datetime as dt

    from tenant_apps.catalog.models import Service
    from tenant_apps.scheduling.models import Agenda, AvailabilityRule, Resource
    from tenant_apps.scheduling.services import agenda_save, availability_rule_add

    with tenant_context(municipality), transaction.atomic():
        for spec in DEMO_AGENDAS[municipality.slug]:
            if Agenda.objects.filter(code=spec["code"]).exists():
                continue
            unit = OrgUnit.objects.get(acronym=spec["unit"])
            people = []
            for full_name, email in spec["people"]:
                person = user_ensure(
                    email=email, full_name=full_name, kind=UserKind.STAFF, password=DEMO_PASSWORD
                )
                membership_ensure(user_id=person.pk, unit=unit, role=Role.STAFF)
                totp_device_ensure(user=person, key_hex=DEMO_TOTP_KEY_HEX)
                people.append(person)
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
