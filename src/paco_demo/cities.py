"""The two demo municipalities and their demo people (used by `make demo` and by the tests).

Units are the ones named in the seed articles; colours and the generated coat of arms are
placeholders, not the cities' official artwork. What each module shows in the demo is seeded by
that module's own `demo.py` (see `paco_demo.seeding`); `demo_staff_ensure` gives it a login.
"""

from typing import Any

from django.db import transaction
from django_tenants.utils import schema_context, tenant_context

from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import totp_device_ensure, user_ensure
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


def demo_staff_ensure(*, email: str, full_name: str, unit: OrgUnit, role: str = Role.STAFF) -> User:
    """A demo staff login of a module (run inside the city's schema): the demo password, the shared
    demo TOTP key and a membership in `unit`."""
    person = user_ensure(email=email, full_name=full_name, kind=UserKind.STAFF, password=DEMO_PASSWORD)
    membership_ensure(user_id=person.pk, unit=unit, role=role)
    totp_device_ensure(user=person, key_hex=DEMO_TOTP_KEY_HEX)
    return person
