"""Permits' indicators (the convention of docs/architecture.md): the insights job aggregates requests,
issued permits (automatically, tacitly), refusals and opinions per unit; the managers' page shows
them with table and CSV from the aggregates only; the open dataset "alvaras-emitidos" is the
public register without the personal data of natural persons."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.insights.aggregation import days_recompute
from tenant_apps.insights.selectors import Period, Scope
from tenant_apps.org.models import OrgUnit
from tenant_apps.permits import services
from tenant_apps.permits.enums import IssueMode, RequestStatus
from tenant_apps.permits.fees import fee_paid_handler
from tenant_apps.permits.indicators import kind_figures, percentile, unit_figures
from tenant_apps.permits.models import OpinionDay, PermitKind, PermitRequest
from tests.conftest import ARACAJU_HOST
from tests.documents.conftest import media_root  # noqa: F401 - the fixture
from tests.otp import unused_code
from tests.permits.conftest import operation_answers, operation_files

CITY = Scope(unit_ids=None, label="cidade")
PERSON_NAME = "Ana Pessoa Natural Marcadora"
PERSON_CPF = "39053344705"


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _submit(cnae: str, **answers: str) -> PermitRequest:
    kind = PermitKind.objects.get(service__code="alvara-funcionamento")
    today = timezone.localdate().strftime("%d/%m/%Y")
    request = services.permit_request_submit(
        kind=kind,
        citizen=_user(demo.DEMO_CITIZEN["email"]),
        form_data=operation_answers(cnae, **answers),
        uploads=operation_files(today_text=today),
        accept_terms=True,
    )
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    return request


def _give(request: PermitRequest, acronym: str, *, favourable: bool = True) -> None:
    email = {
        "SEMA": "sema.licencas@aracaju.se.gov.br",
        "SEMUS-VISA": "visa@aracaju.se.gov.br",
        "SEPLOG-ALV": "alvaras@aracaju.se.gov.br",
    }[acronym]
    services.opinion_give(
        opinion=request.opinions.get(unit__acronym=acronym),
        actor=_user(email),
        is_favourable=favourable,
        text="Parecer de teste.",
    )


def _back(request: PermitRequest, days: int) -> None:
    PermitRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days, hours=1)
    )


@pytest.fixture
def permit_story(in_aracaju: Any, media_root: Any) -> dict[str, Any]:  # noqa: F811
    """Aracaju, alvará de funcionamento: one level II issued automatically (a company, MEI), one
    level II of a natural person (fee paid), and four level III (a restaurant): issued by staff
    after 10 days, refused, tacitly approved after 45 days, and one waiting for SEMA and VISA."""
    auto = _submit("4721-1/02", mei="Sim")
    person = _submit("4721-1/02", cpf_cnpj=PERSON_CPF, nome_razao_social=PERSON_NAME)
    fee_paid_handler(SimpleNamespace(reference=str(person.pk), paid_at=timezone.now()))
    services.request_analyse(request_id=person.pk)
    staff = _submit("5611-2/01", mei="Sim")
    _give(staff, "SEMA")
    _give(staff, "SEMUS-VISA")
    _give(staff, "SEPLOG-ALV")
    licensing = _user("alvaras@aracaju.se.gov.br")
    services.permit_issue(
        request=PermitRequest.objects.get(pk=staff.pk),
        actor=licensing,
        otp_token=unused_code(licensing.email),
    )
    _back(staff, 10)
    sema_given = staff.opinions.get(unit__acronym="SEMA")
    sema_given.started_at = sema_given.decided_at - dt.timedelta(days=4)
    sema_given.save(update_fields=["started_at"])
    refused = _submit("5611-2/01", mei="Sim")
    _give(refused, "SEMA", favourable=False)
    tacit = _submit("5611-2/01", mei="Sim")
    assert services.tacit_approvals_run(today=tacit.decision_due + dt.timedelta(days=1)) == 1
    _back(tacit, 45)
    waiting = _submit("5611-2/01", mei="Sim")
    waiting.opinions.filter(status="pendente").update(started_at=timezone.now() - dt.timedelta(days=3))
    today = timezone.localdate()
    days_recompute(first=today - dt.timedelta(days=60), last=today)
    return {"auto": auto, "person": person, "staff": staff, "refused": refused, "tacit": tacit}


def test_per_kind_and_risk_requests_issued_automatic_share_tacit_refused_and_days(permit_story):
    today = timezone.localdate()
    rows = {
        row["risk_level"]: row for row in kind_figures(CITY, Period(today - dt.timedelta(days=60), today))
    }
    assert rows["II"] == {
        "kind_code": "alvara-funcionamento",
        "kind": "Alvará de funcionamento",
        "risk_level": "II",
        "requested": 2,
        "issued": 2,
        "auto_issued": 2,
        "auto_share": 100.0,
        "tacit": 0,
        "refused": 0,
        "p50": 0,
        "p90": 0,
    }
    high = rows["III"]
    assert (high["requested"], high["issued"], high["auto_issued"], high["tacit"], high["refused"]) == (
        4,
        2,
        0,
        1,
        1,
    )
    assert high["auto_share"] == 0.0
    # days from request to issuance: 10 (staff) and 45 (tacit): nearest-rank p50 10, p90 45
    assert (high["p50"], high["p90"]) == (10, 45)
    # the request rows sit on the day each request was made
    last_week = kind_figures(CITY, Period(today - dt.timedelta(days=7), today))
    assert {row["risk_level"]: row["requested"] for row in last_week} == {"II": 2, "III": 2}
    assert permit_story["tacit"].permit.mode == IssueMode.TACIT
    assert PermitRequest.objects.get(pk=permit_story["refused"].pk).status == RequestStatus.REFUSED


def test_opinions_waiting_given_and_days_waited_per_unit(permit_story):
    today = timezone.localdate()
    units = {row["unit"]: row for row in unit_figures(CITY, Period(today - dt.timedelta(days=60), today))}
    # SEMA: two given (4 days and ~0), one waiting; VISA: one given, one waiting (the refused
    # request's VISA opinion stopped waiting when SEMA refused it; the tacit one's when it was issued)
    assert (units["SEMA"]["decided"], units["SEMA"]["waiting"]) == (2, 1)
    assert units["SEMA"]["average_days"] == 2.0
    assert (units["SEMUS-VISA"]["decided"], units["SEMUS-VISA"]["waiting"]) == (1, 1)
    assert (units["SEPLOG-ALV"]["decided"], units["SEPLOG-ALV"]["waiting"]) == (1, 0)
    # the waiting count is each day's end: two days ago the 3-day-old opinions were waiting, and
    # SEMA's opinion given today after 4 days
    before = {
        row["unit"]: row["waiting"]
        for row in unit_figures(CITY, Period(today - dt.timedelta(days=2), today - dt.timedelta(days=2)))
    }
    assert before == {"SEMA": 2, "SEMUS-VISA": 1}
    assert OpinionDay.objects.filter(day=today - dt.timedelta(days=5), waiting__gt=0).count() == 0
    # idempotent: the same days again, the same rows
    days_recompute(first=today - dt.timedelta(days=60), last=today)
    again = {row["unit"]: row for row in unit_figures(CITY, Period(today - dt.timedelta(days=60), today))}
    assert again == units
    # a SEMA manager's scope: SEMA's opinions only; the kinds belong to the licensing unit
    sema = Scope(unit_ids=frozenset({OrgUnit.objects.get(acronym="SEMA").pk}), label="SEMA")
    assert [row["unit"] for row in unit_figures(sema, Period(today - dt.timedelta(days=60), today))] == [
        "SEMA"
    ]
    assert kind_figures(sema, Period(today - dt.timedelta(days=60), today)) == []


def test_percentile_is_the_nearest_rank():
    assert percentile({}, 0.5) is None
    assert percentile({3: 1}, 0.9) == 3
    assert percentile({1: 5, 2: 4, 30: 1}, 0.5) == 1
    assert percentile({1: 5, 2: 4, 30: 1}, 0.9) == 2
    assert percentile({1: 5, 2: 4, 30: 1}, 0.95) == 30


def test_the_managers_page_shows_both_charts_with_table_and_csv(permit_story, aracaju, login_as):
    from django.core.cache import cache

    cache.clear()
    client = login_as("admin", aracaju)
    today = timezone.localdate()
    first = today - dt.timedelta(days=60)
    body = client.get(f"/staff/indicadores/?de={first}&ate={today}", HTTP_HOST=ARACAJU_HOST).content.decode()
    for chart in ("alvaras", "alvaras-pareceres"):
        assert f'id="grafico-{chart}"' in body
        assert f"/staff/indicadores/{chart}.csv" in body
    assert "Alvará de funcionamento — nível III" in body
    csv = client.get(f"/staff/indicadores/alvaras.csv?de={first}&ate={today}", HTTP_HOST=ARACAJU_HOST)
    text = csv.content.decode("utf-8")
    assert text.startswith(
        "\ufeffTipo e nível de risco;Pedidos;Emitidos;Emitidos automaticamente (%);Aprovações tácitas;"
        "Indeferidos;Mediana (dias);P90 (dias)"
    )
    assert "Alvará de funcionamento — nível III;4;2;0,00;1;1;10;45" in text
    units = client.get(
        f"/staff/indicadores/alvaras-pareceres.csv?de={first}&ate={today}", HTTP_HOST=ARACAJU_HOST
    ).content.decode("utf-8")
    assert "SEMA;1;2;2,00" in units


def _text(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_open_register_of_issued_permits_has_no_personal_data(permit_story, client):
    text = _text(client.get("/dados-abertos/alvaras-emitidos.csv", HTTP_HOST=ARACAJU_HOST))
    header, *lines = text.lstrip("\ufeff").splitlines()
    assert header == (
        "numero;tipo_codigo;tipo;nivel_risco;atividades_cnae;bairro;situacao;emissao;emitido_em;"
        "valido_ate;titular"
    )
    by_number = {line.split(";")[0]: line.split(";") for line in lines}
    company = by_number[permit_story["auto"].permit.number]
    assert company[1:8] == [
        "alvara-funcionamento",
        "Alvará de funcionamento",
        "II",
        "4721-1/02",
        "Centro",
        "Vigente",
        "Automático (nível II)",
    ]
    assert company[10] == "Loja Exemplo Ltda"  # a company: its name, as the public register shows
    person = by_number[permit_story["person"].permit.number]
    assert person[10] == ""  # a natural person: no name
    assert PERSON_NAME not in text
    assert PERSON_CPF not in text
    assert by_number[permit_story["tacit"].permit.number][7] == "Aprovação tácita"
    assert permit_story["refused"].pk not in by_number  # refused: nothing issued
    catalogue = client.get("/dados-abertos/catalogo.json", HTTP_HOST=ARACAJU_HOST).content.decode()
    assert "alvaras-emitidos.csv" in catalogue
    year = timezone.localdate().year
    last_year = client.get(f"/dados-abertos/alvaras-emitidos.csv?ano={year - 1}", HTTP_HOST=ARACAJU_HOST)
    assert _text(last_year).splitlines()[1:] == []
