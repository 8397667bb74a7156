import re
from io import StringIO

from django.core.management import call_command
from django_tenants.utils import schema_context

from shared_apps.support.models import SupportAccessPolicy
from tenant_apps.accounts.models import User
from tenant_apps.org.models import OrgUnit
from tenants.models import Municipality


def _counts() -> dict[str, int]:
    counts = {"municipalities": Municipality.objects.count()}
    for slug in ("aracaju", "gravatai"):
        with schema_context(slug):
            counts[f"{slug}_users"] = User.objects.count()
            counts[f"{slug}_units"] = OrgUnit.objects.count()
    with schema_context("public"):
        counts["support_users"] = User.objects.count()
    return counts


def test_demo_setup_prints_urls_and_logins_and_is_safe_to_run_twice(db, caplog):
    # given the demo cities already provisioned (the session's fixture); when the setup runs twice
    # (each run seeds what the session left out, a year of indicators included: one test for both)
    before = _counts()
    output = StringIO()
    with caplog.at_level("INFO", logger="tenants.services"):
        call_command("demo_setup", "--port", "18000", stdout=output)
        call_command("demo_setup", "--port", "18000", stdout=StringIO())
    # then nothing claims a provisioning that did not happen
    assert [r.getMessage() for r in caplog.records if "provisioned" in r.getMessage()] == []

    text = output.getvalue()
    assert "http://localhost:18000/" in text
    assert "http://aracaju.localhost:18000/" in text
    assert "http://gravatai.localhost:18000/" in text
    for login in (
        "cidadao@exemplo.com.br / Cidadao#2026",
        "servidor@aracaju.se.gov.br / Paco#Demo2026",
        "admin@aracaju.se.gov.br / Paco#Demo2026",
        "servidor@gravatai.rs.gov.br / Paco#Demo2026",
        "admin@gravatai.rs.gov.br / Paco#Demo2026",
        "suporte@paco.localhost / Paco#Demo2026",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    ):
        assert login in text
    for login in ("alvaras@aracaju.se.gov.br / Paco#Demo2026", "alvaras@gravatai.rs.gov.br / Paco#Demo2026"):
        assert login in text
    # a module's page to open (the signed sample's verification) is a link, not a login
    assert re.search(
        r"documento assinado \(2 assinaturas\) aracaju +http://aracaju\.localhost:18000/verificar/[A-Z0-9-]+/\n",
        text,
    ), text
    assert "/ /  (at" not in text
    # every label in one column: "ombudsman aracaju" never runs into its e-mail
    assert "  ombudsman aracaju  " in text
    assert "aracajuouvidoria" not in text
    assert _counts() == before
    assert dict(SupportAccessPolicy.objects.values_list("municipality__slug", "mode")) == {
        "aracaju": "allowed",
        "gravatai": "approval",
    }
