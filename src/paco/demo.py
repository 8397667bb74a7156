"""The two demo municipalities and their demo people (used by `make demo` and by the tests).

Units are the ones named in the seed articles; colours and the generated coat of arms are
placeholders, not the cities' official artwork.
"""

from tenants.services import AdminSpec, MunicipalitySpec, OrgUnitSpec

DEMO_PASSWORD = "Paco#Demo2026"
CITIZEN_PASSWORD = "Cidadao#2026"
# RFC 6238's test key ("12345678901234567890"), so any authenticator app can be set up by hand.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"
DEMO_TOTP_SECRET_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
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
        OrgUnitSpec("10001", "SEPLOG", "Secretaria Municipal do Planejamento, Orçamento e Gestão", "secretaria"),
        OrgUnitSpec("10002", "SEFAZ", "Secretaria Municipal da Fazenda", "secretaria"),
        OrgUnitSpec("10003", "SEMA", "Secretaria Municipal do Meio Ambiente", "secretaria"),
        OrgUnitSpec("10004", "SEMFAS", "Secretaria Municipal da Família e da Assistência Social", "secretaria"),
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
        OrgUnitSpec("20002", "SMF-FISC", "Fiscalização Tributária (fiscais de IPTU, ISS, ITBI e NFS-e)", "setor", parent="SMF"),
        OrgUnitSpec("20003", "SMAMT", "Secretaria Municipal de Administração, Modernização e Transparência", "secretaria"),
        OrgUnitSpec("20004", "SESMT", "Serviço Especializado em Segurança e Medicina do Trabalho", "setor", parent="SMAMT"),
        OrgUnitSpec("20005", "PGM", "Procuradoria-Geral do Município", "secretaria"),
        OrgUnitSpec("20006", "SMS", "Secretaria Municipal da Saúde", "secretaria"),
    ),
    admin=AdminSpec("admin@gravatai.rs.gov.br", "Gustavo Gestor", DEMO_PASSWORD, unit="SMAMT"),
)

DEMO_MUNICIPALITIES = (ARACAJU, GRAVATAI)
# One staff member per city, in the unit that receives most requests.
DEMO_STAFF = {
    "aracaju": {"email": "servidor@aracaju.se.gov.br", "full_name": "Sérgio Servidor", "unit": "SEPLOG-PROT"},
    "gravatai": {"email": "servidor@gravatai.rs.gov.br", "full_name": "Gabriela Fiscal", "unit": "SMF-FISC"},
}
