"""A read-only city: pages still work (with the banner), every write is refused with a 403."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case, CaseEvent
from tenant_apps.cases.services import case_open, nup_digits
from tenant_apps.catalog.models import Service
from tenants.enums import MunicipalityStatus
from tenants.services import municipality_set_status
from tests.conftest import cache_clear, client_for

BANNER = "Portal somente para consulta."
REFUSAL = "Este portal está temporariamente somente para consulta"
FORM = {
    "endereco": "Rua das Laranjeiras, 10",
    "motivo": "Outro",
    "subject": "Poda",
    "description": "Galho caído",
}


@pytest.fixture
def case(aracaju):
    with tenant_context(aracaju):
        return case_open(
            service=Service.objects.get(code="poda-de-arvore"),
            opened_by=User.objects.get(email="cidadao@exemplo.com.br"),
            form_data={"endereco": "Rua A, 1", "motivo": "Outro"},
            subject="Pedido anterior à suspensão",
        )


@pytest.fixture(params=[MunicipalityStatus.READ_ONLY, MunicipalityStatus.SUSPENDED])
def read_only(request, aracaju, case):
    municipality_set_status(municipality=aracaju, status=request.param)
    cache_clear()  # the host cache is invalidated on commit, which a test's transaction never reaches
    return aracaju


def _counts(aracaju):
    with tenant_context(aracaju):
        return Case.objects.count(), CaseEvent.objects.count()


def test_a_citizen_cannot_open_a_case_but_still_sees_hers(read_only, case):
    citizen = client_for("citizen", read_only)
    before = _counts(read_only)

    refused = citizen.post("/servicos/poda-de-arvore/", FORM)
    mine = citizen.get("/meus-pedidos/")
    detail = citizen.get(f"/protocolos/{nup_digits(nup=case.nup)}/")

    assert refused.status_code == 403
    assert REFUSAL in refused.content.decode()
    assert _counts(read_only) == before
    assert (mine.status_code, detail.status_code) == (200, 200)
    assert BANNER in mine.content.decode()
    assert case.nup in mine.content.decode()


def test_a_staff_action_is_refused_and_changes_nothing(read_only, case):
    staff = client_for("staff", read_only)
    before = _counts(read_only)

    response = staff.post(f"/staff/protocolos/{nup_digits(nup=case.nup)}/despachar/", {"text": "Deferido."})

    assert response.status_code == 403
    assert _counts(read_only) == before
    assert staff.get(f"/staff/protocolos/{nup_digits(nup=case.nup)}/").status_code == 200


def test_the_api_refuses_writes_with_a_message(read_only, case):
    citizen = client_for("citizen", read_only)
    before = _counts(read_only)

    response = citizen.post(
        "/api/v1/cases/", {"service": "poda-de-arvore", "form_data": {}}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "message": "Este portal está temporariamente somente para consulta: é possível ver os pedidos"
        " já feitos, mas não abrir novos nem alterar nada."
    }
    assert _counts(read_only) == before
    assert citizen.get("/api/v1/cases/").status_code == 200


def test_people_can_still_sign_in_and_out(read_only):
    anonymous = client_for("anonymous", None)
    login = anonymous.post(
        "/entrar/",
        {"username": "cidadao@exemplo.com.br", "password": "errada"},
        HTTP_HOST="aracaju.localhost",
    )
    logout = client_for("citizen", read_only).post("/sair/")

    assert login.status_code != 403
    assert logout.status_code == 302


def test_an_active_city_is_not_restricted(aracaju, case):
    municipality_set_status(municipality=aracaju, status=MunicipalityStatus.ACTIVE)
    cache_clear()
    page = client_for("citizen", aracaju).get("/meus-pedidos/")
    assert page.status_code == 200
    assert BANNER not in page.content.decode()
