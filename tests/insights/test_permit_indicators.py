"""Permits' indicators (the convention of docs/architecture.md): the insights job aggregates requests,
issued permits (automatically, tacitly), refusals and opinions per unit; the managers' page shows
them with table and CSV from the aggregates only; the open dataset "alvaras-emitidos" is the
public register without the personal data of natural persons."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.insights.aggregation import day_start, days_recompute
from tenant_apps.insights.selectors import Period, Scope
from tenant_apps.org.models import OrgUnit
from tenant_apps.permits import services
from tenant_apps.permits.enums import IssueMode, RequestStatus
from tenant_apps.permits.indicators import kind_figures, percentile, permit_summary, unit_figures
from tenant_apps.permits.models import Opinion, OpinionDay, PermitKind, PermitRequest
from tenant_apps.permits.services import fee_paid_handler
from tests.conftest import ARACAJU_HOST
from tests.documents.conftest import media_root  # noqa: F401 - the fixture
from tests.otp import unused_code
from tests.permits.conftest import operation_answers, operation_files

CITY = Scope(unit_ids=None, label="cidade")
PERSON_NAME = "Ana Pessoa Natural Marcadora"
PERSON_CPF = "39053344705"
MEI_CPF = "52998224725"
MEI_NAME = f"Bruna Empreendedora Marcadora {MEI_CPF}"  # a MEI's razão social: the owner's name and CPF


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


def _pay(request: PermitRequest) -> None:
    fee_paid_handler(SimpleNamespace(reference=str(request.pk), paid_at=timezone.now()))
    services.request_analyse(request_id=request.pk)


def _opinions_back(request: PermitRequest, days: int) -> None:
    """The request's opinions started and were given `days` earlier."""
    request.opinions.update(
        started_at=F("started_at") - dt.timedelta(days=days),
        decided_at=F("decided_at") - dt.timedelta(days=days),
    )


@pytest.fixture
def permit_story(in_aracaju: Any, media_root: Any) -> dict[str, Any]:  # noqa: F811
    """Aracaju, alvará de funcionamento: a level I exemption declaration (a clothing shop); four
    level II: issued automatically to a MEI (no fee), to a company and to a natural person (fees
    paid), and one sent back to the requester 5 days ago (fee unpaid); and five level III (a
    restaurant): issued by staff 10 days after the request and 3 days after the last favourable
    opinion, refused, tacitly approved after 45 days, one waiting for SEMA and VISA, and one whose
    opinions were all favourable 2 days ago, waiting for issuance."""
    exempt = _submit("4781-4/00")
    auto = _submit("4721-1/02", mei="Sim", nome_razao_social=MEI_NAME)
    company = _submit("4721-1/02")
    _pay(company)
    person = _submit("4721-1/02", cpf_cnpj=PERSON_CPF, nome_razao_social=PERSON_NAME)
    _pay(person)
    pending = _submit("4721-1/02", nome_razao_social="Loja Pendente Ltda")
    PermitRequest.objects.filter(pk=pending.pk).update(pre_analysis_at=timezone.now() - dt.timedelta(days=5))
    staff = _submit("5611-2/01", mei="Sim")
    _give(staff, "SEMA")
    _give(staff, "SEMUS-VISA")
    _give(staff, "SEPLOG-ALV")
    _opinions_back(staff, 3)
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
    ready = _submit("5611-2/01", mei="Sim")
    _give(ready, "SEMA")
    _give(ready, "SEMUS-VISA")
    _give(ready, "SEPLOG-ALV")
    _opinions_back(ready, 2)
    today = timezone.localdate()
    days_recompute(first=today - dt.timedelta(days=60), last=today)
    return {
        "exempt": exempt,
        "auto": auto,
        "company": company,
        "person": person,
        "pending": PermitRequest.objects.get(pk=pending.pk),
        "staff": staff,
        "refused": refused,
        "tacit": tacit,
        "ready": PermitRequest.objects.get(pk=ready.pk),
    }


def _days_to_midnight(since: dt.datetime) -> float:
    """Days from `since` to the end of today (when the last day's waits are counted)."""
    return (day_start(timezone.localdate() + dt.timedelta(days=1)) - since).total_seconds() / 86400


def test_per_kind_and_risk_requests_issued_automatic_share_tacit_refused_and_days(permit_story):
    today = timezone.localdate()
    rows = {
        row["risk_level"]: row for row in kind_figures(CITY, Period(today - dt.timedelta(days=60), today))
    }
    assert rows["II"] == {
        "kind_code": "alvara-funcionamento",
        "kind": "Alvará de funcionamento",
        "risk_level": "II",
        "requested": 4,
        "issued": 3,
        "auto_issued": 3,
        "auto_share": 100.0,
        "tacit": 0,
        "refused": 0,
        "exempted": 0,
        "p50": 0,
        "p90": 0,
    }
    # the level I declaration: its own count, not an issued (nor automatic) permit, no days
    assert rows["I"] == {
        "kind_code": "alvara-funcionamento",
        "kind": "Alvará de funcionamento",
        "risk_level": "I",
        "requested": 1,
        "issued": 0,
        "auto_issued": 0,
        "auto_share": None,
        "tacit": 0,
        "refused": 0,
        "exempted": 1,
        "p50": None,
        "p90": None,
    }
    assert permit_story["exempt"].permit.mode == IssueMode.EXEMPTION
    high = rows["III"]
    assert (high["requested"], high["issued"], high["auto_issued"], high["tacit"], high["refused"]) == (
        5,
        2,
        0,
        1,
        1,
    )
    assert (high["auto_share"], high["exempted"]) == (0.0, 0)
    # days from request to issuance: 10 (staff) and 45 (tacit): nearest-rank p50 10, p90 45
    assert (high["p50"], high["p90"]) == (10, 45)
    # the request rows sit on the day each request was made
    last_week = kind_figures(CITY, Period(today - dt.timedelta(days=7), today))
    assert {row["risk_level"]: row["requested"] for row in last_week} == {"I": 1, "II": 4, "III": 3}
    assert permit_story["tacit"].permit.mode == IssueMode.TACIT
    assert PermitRequest.objects.get(pk=permit_story["refused"].pk).status == RequestStatus.REFUSED


def test_the_headline_is_per_kind_and_level_and_the_overall_days_leave_the_exemptions_out(permit_story):
    today = timezone.localdate()
    summary = permit_summary(CITY, Period(today - dt.timedelta(days=60), today))
    # permits only: 3 automatic (0 days), staff (10), tacit (45); the declaration apart
    assert (summary["requested"], summary["issued"], summary["exempted"]) == (10, 5, 1)
    assert (summary["auto_share"], summary["tacit"], summary["refused"]) == (60.0, 1, 1)
    assert (summary["p50"], summary["p90"], summary["baseline_days"]) == (0, 45, 60)
    assert [(row["risk_level"], row["p50"], row["p90"]) for row in summary["headline"]] == [
        ("II", 0, 0),
        ("III", 10, 45),
    ]


def test_where_requests_wait_opinions_per_unit_issuance_and_the_requester(permit_story):
    today = timezone.localdate()
    units = {row["unit"]: row for row in unit_figures(CITY, Period(today - dt.timedelta(days=60), today))}
    issuance = "SEPLOG-ALV: aguardando a emissão (pareceres favoráveis)"
    requester = "SEPLOG-ALV: pendências com o requerente"
    assert set(units) == {"SEMA", "SEMUS-VISA", "SEPLOG-ALV", issuance, requester}
    # opinions — SEMA: three given (4 days, ~0, ~0), one waiting (3 days); VISA: two given, one
    # waiting (the refused request's VISA opinion stopped waiting when SEMA refused it; the tacit
    # one's when it was issued); the licensing unit's own opinions: two given, none waiting
    assert (units["SEMA"]["decided"], units["SEMA"]["waiting"]) == (3, 1)
    assert units["SEMA"]["average_days"] == 1.3
    sema_since = Opinion.objects.get(request__status=RequestStatus.IN_ANALYSIS, unit__acronym="SEMA")
    assert units["SEMA"]["waiting_days"] == round(_days_to_midnight(sema_since.started_at), 1)
    assert (units["SEMUS-VISA"]["decided"], units["SEMUS-VISA"]["waiting"]) == (2, 1)
    assert (units["SEPLOG-ALV"]["decided"], units["SEPLOG-ALV"]["waiting"]) == (2, 0)
    assert units["SEPLOG-ALV"]["step"] == "parecer"
    # issuance: the staff permit waited 3 days after its last favourable opinion; the ready one
    # waits since its last opinion, 2 days ago
    ready_since = max(permit_story["ready"].opinions.values_list("decided_at", flat=True))
    assert units[issuance] == {
        "unit": issuance,
        "acronym": "SEPLOG-ALV",
        "step": "emissao",
        "waiting": 1,
        "waiting_days": round(_days_to_midnight(ready_since), 1),
        "decided": 1,
        "average_days": 3.0,
    }
    assert PermitRequest.objects.get(pk=permit_story["ready"].pk).status == RequestStatus.READY
    # the requester: the request sent back 5 days ago still waits for the fix
    assert units[requester] == {
        "unit": requester,
        "acronym": "SEPLOG-ALV",
        "step": "pendente",
        "waiting": 1,
        "waiting_days": round(_days_to_midnight(permit_story["pending"].pre_analysis_at), 1),
        "decided": 0,
        "average_days": None,
    }
    assert permit_story["pending"].status == RequestStatus.NEEDS_FIX
    # longest waits first: the requester (5+ days), then SEMA (3+ days waiting), issuance (3 days)
    assert [row["unit"] for row in unit_figures(CITY, Period(today - dt.timedelta(days=60), today))][:1] == [
        requester
    ]
    # the waiting count is each day's end: two days ago the 3-day-old opinions were waiting, the
    # staff permit and the ready request waited for issuance, the pendente one for its requester
    # (and the ready request's opinions were given that day: SEPLOG-ALV gave one, waits for none)
    before = {
        (row["unit"], row["waiting"], row["decided"])
        for row in unit_figures(CITY, Period(today - dt.timedelta(days=2), today - dt.timedelta(days=2)))
    }
    assert before == {
        ("SEMA", 1, 1),
        ("SEMUS-VISA", 1, 1),
        ("SEPLOG-ALV", 0, 1),
        (issuance, 2, 0),
        (requester, 1, 0),
    }
    assert OpinionDay.objects.filter(day=today - dt.timedelta(days=8), waiting__gt=0).count() == 0
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
        "Indeferidos;Mediana (dias);P90 (dias);Declarações de dispensa (nível I)\r\n"
    )
    assert "Alvará de funcionamento — nível I;1;0;;0;0;;;1\r\n" in text
    assert "Alvará de funcionamento — nível II;4;3;100,00;0;0;0;0;0\r\n" in text
    assert "Alvará de funcionamento — nível III;5;2;0,00;1;1;10;45;0\r\n" in text
    units = client.get(
        f"/staff/indicadores/alvaras-pareceres.csv?de={first}&ate={today}", HTTP_HOST=ARACAJU_HOST
    ).content.decode("utf-8")
    assert units.startswith(
        "\ufeffEtapa;Aguardando (fim do período);Concluídos no período;Espera média dos concluídos (dias);"
        "Espera média de quem aguarda (dias)\r\n"
    )
    figures = {row["unit"]: row for row in unit_figures(CITY, Period(first, today))}
    issuance = figures["SEPLOG-ALV: aguardando a emissão (pareceres favoráveis)"]
    waiting_days = f"{issuance['waiting_days']:.2f}".replace(".", ",")
    assert f"SEPLOG-ALV: aguardando a emissão (pareceres favoráveis);1;1;3,00;{waiting_days}\r\n" in units
    assert "SEPLOG-ALV: pendências com o requerente;1;0;;" in units
    assert "\r\nSEMA;1;3;1,30;" in units
    # the managers' permits page: the same figures (one owner), the headline per kind and level
    page = client.get("/staff/alvaras/indicadores/", HTTP_HOST=ARACAJU_HOST).content.decode()
    assert "Alvará de funcionamento, nível III: mediana de 10 dias, p90 de 45 dias" in page
    assert "Alvará de funcionamento, nível II: mediana de 0 dias, p90 de 0 dias" in page
    assert (
        "em todos os tipos (sem as declarações de dispensa): mediana (p50) de 0 dias e p90 de 45 dias" in page
    )
    assert "5 alvarás emitidos" in page
    assert "1 declaração de dispensa (nível I, sem alvará)" in page
    assert "<td>SEPLOG-ALV: pendências com o requerente</td><td>1</td><td>0</td><td>—</td>" in page


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
    company = by_number[permit_story["company"].permit.number]
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
    mei = by_number[permit_story["auto"].permit.number]
    assert mei[1:8] == company[1:8]
    assert mei[10] == ""  # a MEI: its razão social is its owner's name (and CPF)
    for personal in (PERSON_NAME, PERSON_CPF, MEI_NAME, MEI_CPF):
        assert personal not in text
    assert permit_story["exempt"].permit.number not in by_number  # the declaration is not a permit
    # the public register page: the same rule
    page = client.get("/alvaras/", HTTP_HOST=ARACAJU_HOST).content.decode()
    assert permit_story["auto"].permit.number in page
    assert "Loja Exemplo Ltda" in page
    for personal in (PERSON_NAME, PERSON_CPF, MEI_NAME, MEI_CPF):
        assert personal not in page
    assert by_number[permit_story["tacit"].permit.number][7] == "Aprovação tácita"
    assert permit_story["refused"].pk not in by_number  # refused: nothing issued
    catalogue = client.get("/dados-abertos/catalogo.json", HTTP_HOST=ARACAJU_HOST).content.decode()
    assert "alvaras-emitidos.csv" in catalogue
    year = timezone.localdate().year
    last_year = client.get(f"/dados-abertos/alvaras-emitidos.csv?ano={year - 1}", HTTP_HOST=ARACAJU_HOST)
    assert _text(last_year).splitlines()[1:] == []
