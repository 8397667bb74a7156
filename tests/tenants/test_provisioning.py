import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.org.enums import Role
from tenant_apps.org.models import Membership, OrgUnit
from tenants.models import Domain, Municipality
from tenants.services import AdminSpec, MunicipalitySpec, OrgUnitSpec, municipality_provision

ESTANCIA = MunicipalitySpec(
    slug="estancia",
    name="Estância",
    display_name="Prefeitura Municipal de Estância",
    ibge_code="2802106",
    state="SE",
    population=69000,
    primary_color="#004d99",
    secondary_color="#ffcc00",
    org_chart=(
        OrgUnitSpec("30001", "SEAD", "Secretaria de Administração", "secretaria"),
        OrgUnitSpec("30002", "SEAD-PROT", "Protocolo", "setor", parent="SEAD"),
        OrgUnitSpec("30003", "CGM", "Controladoria-Geral", "controladoria"),
    ),
    admin=AdminSpec("admin@estancia.se.gov.br", "Eva Admin", "Senha#Forte2026", unit="SEAD"),
)


def _tables(schema_name: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY table_name",
            [schema_name],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize("method", ["pool", "blueprint", "clone", "migrate"])
def test_provision_creates_a_complete_branded_tenant(db, method):
    # when
    municipality = municipality_provision(spec=ESTANCIA, method=method)

    # then
    assert municipality.schema_name == "estancia"
    assert schema_exists("estancia")
    assert _tables("estancia") == _tables(settings.TENANT_BASE_SCHEMA)
    assert list(Domain.objects.filter(tenant=municipality).values_list("domain", "is_primary")) == [
        ("estancia.localhost", True)
    ]
    assert municipality.coat_of_arms == "branding/brasao.svg"
    with tenant_context(municipality):
        assert default_storage.open("branding/brasao.svg").read().startswith(b"<svg")
        units = {unit.acronym: unit for unit in OrgUnit.objects.all()}
        assert sorted(units) == ["CGM", "SEAD", "SEAD-PROT"]
        assert units["SEAD-PROT"].parent == units["SEAD"]
        admin = User.objects.get(email="admin@estancia.se.gov.br")
        assert admin.check_password("Senha#Forte2026")
        assert list(Membership.objects.filter(user=admin).values_list("unit__acronym", "role")) == [
            ("SEAD", Role.ADMIN)
        ]
        # the new tenant starts with no rows of any other tenant
        assert User.objects.count() == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_migrations")
            assert cursor.fetchone()[0] > 10


def test_provision_is_idempotent(db):
    first = municipality_provision(spec=ESTANCIA)

    second = municipality_provision(spec=ESTANCIA)

    assert second.pk == first.pk
    assert Municipality.objects.filter(slug="estancia").count() == 1
    assert Domain.objects.filter(tenant=first).count() == 1
    with tenant_context(first):
        assert OrgUnit.objects.count() == 3
        assert User.objects.count() == 1
        assert Membership.objects.count() == 1


def test_provision_rejects_bad_ibge_code_and_creates_nothing(db):
    bad = MunicipalitySpec(**{**ESTANCIA.__dict__, "ibge_code": "28021"})

    with pytest.raises(ApplicationError) as error:
        municipality_provision(spec=bad)

    assert "7 dígitos" in error.value.message
    assert not Municipality.objects.filter(slug="estancia").exists()
    assert not schema_exists("estancia")


def test_provision_refuses_a_slug_owned_by_another_city(db):
    municipality_provision(spec=ESTANCIA)
    impostor = MunicipalitySpec(**{**ESTANCIA.__dict__, "ibge_code": "2800100"})

    with pytest.raises(ApplicationError) as error:
        municipality_provision(spec=impostor)

    assert "já pertence a outro município" in error.value.message
    assert Municipality.objects.get(slug="estancia").ibge_code == "2802106"


def test_provision_failure_rolls_back_the_schema(db):
    broken = MunicipalitySpec(
        **{**ESTANCIA.__dict__, "org_chart": (OrgUnitSpec("3", "X", "Código curto", "secretaria"),)}
    )

    with pytest.raises(Exception, match="5 dígitos"):
        municipality_provision(spec=broken)

    assert not Municipality.objects.filter(slug="estancia").exists()
    assert not schema_exists("estancia")


def test_demo_cities_have_their_own_org_charts(in_aracaju, gravatai):
    aracaju_units = set(OrgUnit.objects.values_list("acronym", flat=True))
    with tenant_context(gravatai):
        gravatai_units = set(OrgUnit.objects.values_list("acronym", flat=True))

    assert {"SEPLOG", "SEFAZ", "SEMA", "SEMFAS", "EMSURB", "EMURB", "CGM"} <= aracaju_units
    assert {"SMF", "SESMT", "SMAMT", "PGM", "SMS"} <= gravatai_units
    assert not aracaju_units & gravatai_units


def test_provision_command_wraps_the_service_and_reports_steps(db):
    from io import StringIO

    from django.core.management import CommandError, call_command

    output = StringIO()
    call_command(
        "provision_municipality",
        "--slug",
        "lagarto",
        "--name",
        "Lagarto",
        "--ibge-code",
        "2803500",
        "--state",
        "se",
        "--admin-email",
        "admin@lagarto.se.gov.br",
        stdout=output,
    )

    municipality = Municipality.objects.get(slug="lagarto")
    assert (municipality.state, municipality.display_name) == ("SE", "Prefeitura Municipal de Lagarto")
    assert "Lagarto/SE is ready (schema lagarto)" in output.getvalue()
    for step in ("row", "schema", "branding", "org_chart", "admin"):
        assert f"  {step} " in output.getvalue()
    with tenant_context(municipality):
        assert User.objects.get().email == "admin@lagarto.se.gov.br"
    with pytest.raises(CommandError, match="já pertence a outro município"):
        call_command(
            "provision_municipality",
            "--slug",
            "lagarto",
            "--name",
            "X",
            "--ibge-code",
            "2800100",
            "--state",
            "SE",
            stdout=StringIO(),
        )
