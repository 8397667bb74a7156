"""Demo data of permits (`paco_demo.seeding`): Aracaju offers alvará de funcionamento, de construção,
licença sanitária and alvará de evento; Gravataí funcionamento and evento. Each with its checklist,
fees, template and routing rules; Aracaju's high-risk alvarás de funcionamento go to SEMA and the
sanitary unit (SEMUS-VISA) in parallel, then to the licensing unit, and its high-risk licenças
sanitárias to SEMUS-VISA, then to the licensing unit. gov.br levels (`/admin-municipal/govbr/niveis/`):
Aracaju's alvará de construção asks a prata account, Gravataí's alvará de evento any gov.br account
(bronze); the demo citizen's gov.br stand-in account is prata."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_tenants.utils import tenant_context

from paco_demo.cities import DEMO_PASSWORD, demo_staff_ensure
from tenant_apps.accounts.models import User
from tenant_apps.catalog.services import service_ensure
from tenant_apps.doctemplates.models import DocumentTemplate
from tenant_apps.doctemplates.services import template_create
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.govbr.models import ReliabilityRequirement
from tenant_apps.govbr.services import reliability_requirement_set
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.services import org_unit_ensure
from tenants.models import Municipality

from .demo_requests import requests_seed
from .enums import FeeMode, IssueMode, KindType, RiskLevel
from .models import Permit, PermitKind, RoutingRule
from .services import checklist_item_save, permit_kind_save, risk_override_set, routing_rule_save

TEMPLATE_NAME = "Alvará (modelo padrão)"
TEMPLATE_BODY = (
    "<h2>{{ municipio.nome }}</h2>"
    "<p>Processo {{ caso.nup }} — {{ caso.servico }}.</p>"
    "<p>Requerente: {{ requerente.nome }}.</p>"
    "<p>{{ municipio.nome }} ({{ municipio.uf }}), {{ data.hoje_extenso }}.</p>"
    "<p>{{ signatario.nome }}<br>{{ signatario.cargo }}</p>"
)
DOMAIN = {"aracaju": "aracaju.se.gov.br", "gravatai": "gravatai.rs.gov.br"}
# the minimum gov.br level per permit kind (the reusable check of tenant_apps.govbr)
GOVBR_LEVELS = {"aracaju": {"alvara-construcao": "prata"}, "gravatai": {"alvara-evento": "bronze"}}
# (code, acronym, name, parent acronym)
UNITS = {
    "aracaju": [
        ("10070", "SEPLOG-ALV", "Coordenação de Licenciamento e Alvarás", "SEPLOG"),
        ("10071", "SEMUS-VISA", "Vigilância Sanitária Municipal", "SEMUS"),
    ],
    "gravatai": [("20070", "SMF-ALV", "Setor de Alvarás", "SMF")],
}
LICENSING = {"aracaju": "SEPLOG-ALV", "gravatai": "SMF-ALV"}

BASE_FIELDS: list[dict[str, Any]] = [
    {
        "key": "cpf_cnpj",
        "label": "CPF ou CNPJ do requerente",
        "kind": "text",
        "help_text": "Só números ou com pontuação.",
    },
    {"key": "nome_razao_social", "label": "Nome ou razão social", "kind": "text"},
    {
        "key": "mei",
        "label": "É microempreendedor individual (MEI)?",
        "kind": "choice",
        "choices": ["Não", "Sim"],
    },
    {"key": "endereco", "label": "Endereço do local", "kind": "address"},
    {"key": "bairro", "label": "Bairro", "kind": "text"},
]
ACTIVITY = {
    "key": "cnae",
    "label": "Atividades (códigos CNAE)",
    "kind": "text",
    "help_text": "Ex.: 4781-4/00, 5611-2/01",
}
AREA = {"key": "area_m2", "label": "Área utilizada (m²)", "kind": "number"}
TECHNICIAN = {"key": "responsavel_tecnico", "label": "Responsável técnico (nome e CREA/CAU)", "kind": "text"}
EVENT = [
    {"key": "data_inicio", "label": "Data de início do evento", "kind": "date"},
    {"key": "data_fim", "label": "Data de término do evento", "kind": "date"},
    {"key": "publico_estimado", "label": "Público estimado", "kind": "number"},
]
PDF = ["application/pdf"]
PDF_OR_IMAGE = ["application/pdf", "image/jpeg", "image/png"]

KINDS: dict[str, list[dict[str, Any]]] = {
    "aracaju": [
        {
            "code": "alvara-funcionamento",
            "name": "Alvará de funcionamento",
            "type": KindType.OPERATION,
            "fields": [*BASE_FIELDS, ACTIVITY, AREA],
            "risk": True,
            "fee": (FeeMode.RISK, {"I": "0", "II": "90.00", "III": "250.00"}),
            "checklist": [
                (
                    "Contrato social ou certificado MEI",
                    PDF,
                    None,
                    ["contrato social", "ccmei", "certificado da condicao de microempreendedor"],
                ),
                (
                    "Comprovante de endereço",
                    PDF_OR_IMAGE,
                    90,
                    ["comprovante de endereco", "conta de luz", "energia", "fatura"],
                ),
            ],
        },
        {
            "code": "alvara-construcao",
            "name": "Alvará de construção",
            "type": KindType.CONSTRUCTION,
            "fields": [*BASE_FIELDS, AREA, TECHNICIAN],
            "risk": False,
            "level": RiskLevel.HIGH,
            "fee": (FeeMode.AREA, {"faixas": [[100, "120.00"], [500, "480.00"], [None, "1500.00"]]}),
            "checklist": [
                ("Projeto arquitetônico", PDF, None, ["projeto", "planta"]),
                (
                    "ART ou RRT do responsável técnico",
                    PDF,
                    None,
                    ["art", "rrt", "anotacao de responsabilidade"],
                ),
                ("Certidão de matrícula do imóvel", PDF, 90, ["matricula", "registro de imoveis"]),
            ],
        },
        {
            "code": "licenca-sanitaria",
            "name": "Licença sanitária",
            "type": KindType.SANITARY,
            "fields": [*BASE_FIELDS, ACTIVITY, AREA],
            "risk": True,
            "fee": (FeeMode.FIXED, {"valor": "180.00"}),
            "checklist": [
                ("Manual de boas práticas", PDF, None, ["boas praticas"]),
                (
                    "Comprovante de endereço",
                    PDF_OR_IMAGE,
                    90,
                    ["comprovante de endereco", "conta de luz", "energia"],
                ),
            ],
        },
        {
            "code": "alvara-evento",
            "name": "Alvará de evento",
            "type": KindType.EVENT,
            "fields": [*BASE_FIELDS, *EVENT],
            "risk": False,
            "level": RiskLevel.HIGH,
            "fee": (FeeMode.FIXED, {"valor": "200.00"}),
            "checklist": [
                ("Plano de segurança do evento", PDF, None, ["seguranca", "plano"]),
                ("Autorização do Corpo de Bombeiros", PDF, 30, ["bombeiros", "cbm"]),
            ],
        },
    ],
    "gravatai": [
        {
            "code": "alvara-funcionamento",
            "name": "Alvará de funcionamento",
            "type": KindType.OPERATION,
            "fields": [*BASE_FIELDS, ACTIVITY, AREA],
            "risk": True,
            "fee": (FeeMode.AREA, {"faixas": [[50, "60.00"], [None, "160.00"]]}),
            "checklist": [
                ("Contrato social ou certificado MEI", PDF, None, ["contrato social", "ccmei"]),
                ("Comprovante de endereço", PDF_OR_IMAGE, 90, ["comprovante de endereco", "energia"]),
            ],
        },
        {
            "code": "alvara-evento",
            "name": "Alvará de evento",
            "type": KindType.EVENT,
            "fields": [*BASE_FIELDS, *EVENT],
            "risk": False,
            "level": RiskLevel.HIGH,
            "fee": (FeeMode.FIXED, {"valor": "150.00"}),
            "checklist": [("Plano de segurança do evento", PDF, None, ["seguranca", "plano"])],
        },
    ],
}
TERMS = (
    "Declaro, sob as penas da lei, que conheço e cumpro os requisitos de segurança sanitária, ambiental"
    " e de prevenção contra incêndio da atividade, e que o estabelecimento poderá ser fiscalizado a"
    " qualquer tempo (Decreto 10.178/2019, art. 3º, II)."
)


def seed(*, municipality: Municipality) -> None:
    """The kinds, units, rules and levels (once), then, where `PERMITS_DEMO_REQUESTS` is on (`make
    demo`; off in the test session, whose tests count their own requests), the requests' history."""
    if municipality.slug not in KINDS:
        return
    if not PermitKind.objects.exists():
        _catalogue_seed(municipality.slug)
    if municipality.slug == "aracaju":
        _sanitary_rule_ensure()
    if settings.PERMITS_DEMO_REQUESTS:
        requests_seed(municipality=municipality)


def logins(*, municipality: Municipality) -> list[tuple[str, str, str]]:
    """The licensing people `make demo` prints, and the permit a person analysed, issued and signed
    (a path, printed as a link)."""
    slug = municipality.slug
    if slug not in KINDS:
        return []
    rows = [("alvarás: licenciamento", f"alvaras@{DOMAIN[slug]}", DEMO_PASSWORD)]
    if slug == "aracaju":
        rows += [
            ("alvarás: parecer do meio ambiente", "sema.licencas@aracaju.se.gov.br", DEMO_PASSWORD),
            ("alvarás: parecer da vigilância sanitária", "visa@aracaju.se.gov.br", DEMO_PASSWORD),
        ]
    with tenant_context(municipality):
        permit = Permit.objects.filter(mode=IssueMode.STAFF).select_related("document").first()
        if permit is not None:
            rows.append(
                (
                    f"alvará {permit.number}, assinado por servidor",
                    f"/verificar/{permit.document.verification_code}/",
                    "",
                )
            )
    return rows


def _catalogue_seed(slug: str) -> None:
    for code, acronym, name, parent in UNITS[slug]:
        org_unit_ensure(
            code=code,
            acronym=acronym,
            name=name,
            kind="setor",
            parent=OrgUnit.objects.filter(acronym=parent).first(),
        )
    licensing = OrgUnit.objects.get(acronym=LICENSING[slug])
    demo_staff_ensure(email=f"alvaras@{DOMAIN[slug]}", full_name="Lívia Licenciamento", unit=licensing)
    author = User.objects.filter(email__startswith="admin@", kind="staff").order_by("pk").first()
    template = DocumentTemplate.objects.filter(name=TEMPLATE_NAME).first()
    if template is None and author is not None:
        template = template_create(
            name=TEMPLATE_NAME,
            kind=DocumentKind.PERMIT,
            body=TEMPLATE_BODY,
            created_by=author,
            is_published=True,
        )
    for spec in KINDS[slug]:
        service = service_ensure(
            code=spec["code"],
            name=spec["name"],
            unit=licensing,
            group="Alvarás e licenças",
            description=f"Peça o {spec['name'].lower()} pela internet; a pré-análise é automática.",
            deadline_days=30,
            fields=spec["fields"],
        )
        fee_mode, fee_table = spec["fee"]
        kind = permit_kind_save(
            service=service,
            kind_type=spec["type"],
            uses_activity_risk=spec["risk"],
            fixed_level=spec.get("level", RiskLevel.HIGH),
            template=template,
            validity_days=365,
            signature_level="avancada",
            decision_days=30,
            fee_mode=fee_mode,
            fee_table=fee_table,
            terms_text=TERMS,
            conditions="Manter este alvará em local visível.",
        )
        for position, (name, types, validity, words) in enumerate(spec["checklist"]):
            checklist_item_save(
                kind=kind,
                name=name,
                accepted_types=types,
                validity_days=validity,
                match_words=words,
                position=position,
            )
    for code, level in GOVBR_LEVELS[slug].items():
        reliability_requirement_set(target=ReliabilityRequirement.Target.PERMIT, code=code, level=level)
    if slug == "aracaju":
        sema = OrgUnit.objects.get(acronym="SEMA")
        visa = OrgUnit.objects.get(acronym="SEMUS-VISA")
        demo_staff_ensure(
            email="sema.licencas@aracaju.se.gov.br", full_name="Sebastião do Meio Ambiente", unit=sema
        )
        demo_staff_ensure(email="visa@aracaju.se.gov.br", full_name="Vera da Vigilância", unit=visa)
        # the city's own list: restaurants are high risk in Aracaju (Decreto 10.178/2019, art. 3º, §1º)
        risk_override_set(cnae="5611-2/01", level=RiskLevel.HIGH, note="Decreto municipal (demonstração)")
        routing_rule_save(
            name="Alto risco: meio ambiente e vigilância sanitária, depois o licenciamento",
            conditions=[
                {"campo": "risco", "valor": "III"},
                {"campo": "tipo", "valor": "alvara-funcionamento"},
            ],
            stages=[
                [{"unidade": sema.pk, "dias": 10}, {"unidade": visa.pk, "dias": 10}],
                [{"unidade": licensing.pk, "dias": 5}],
            ],
            is_published=True,
        )
        routing_rule_save(
            name="Construção acima de 500 m²: meio ambiente",
            conditions=[
                {"campo": "tipo", "valor": "alvara-construcao"},
                {"campo": "area_acima", "valor": "500"},
            ],
            stages=[[{"unidade": sema.pk, "dias": 15}], [{"unidade": licensing.pk, "dias": 5}]],
            is_published=True,
            position=1,
        )
    if not RoutingRule.objects.filter(conditions=[{"campo": "tipo", "valor": "alvara-evento"}]).exists():
        routing_rule_save(
            name="Eventos: licenciamento",
            conditions=[{"campo": "tipo", "valor": "alvara-evento"}],
            stages=[[{"unidade": licensing.pk, "dias": 5}]],
            is_published=True,
            position=2,
        )


SANITARY_RULE = "Licença sanitária de alto risco: vigilância sanitária, depois o licenciamento"


def _sanitary_rule_ensure() -> None:
    """Aracaju's high-risk licença sanitária goes to the sanitary unit (SEMUS-VISA), then to the
    licensing unit, as the other kinds' rules do (added where missing, also in a city seeded before
    the rule existed)."""
    if RoutingRule.objects.filter(name=SANITARY_RULE).exists():
        return
    visa = OrgUnit.objects.filter(acronym="SEMUS-VISA").first()
    licensing = OrgUnit.objects.filter(acronym=LICENSING["aracaju"]).first()
    if visa is None or licensing is None:
        return
    routing_rule_save(
        name=SANITARY_RULE,
        conditions=[
            {"campo": "risco", "valor": "III"},
            {"campo": "tipo", "valor": "licenca-sanitaria"},
        ],
        stages=[[{"unidade": visa.pk, "dias": 10}], [{"unidade": licensing.pk, "dias": 5}]],
        is_published=True,
        position=3,
    )
