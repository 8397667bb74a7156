"""The demo's permit requests (`make demo`; the test session leaves them out): every state in both
cities through the real services, the charts and the open register filled, safe to run again."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

from django.utils import timezone
from django_tenants.utils import tenant_context

from paco_demo.cities import DEMO_CITIZEN
from tenant_apps.accounts.models import User
from tenant_apps.insights.selectors import Scope, period_default
from tenant_apps.org.models import OrgUnit
from tenant_apps.payments.enums import GuideStatus
from tenant_apps.payments.models import PaymentGuide
from tenant_apps.permits import demo, demo_requests, indicators, services
from tenant_apps.permits.builders import routing_rule_draft_of
from tenant_apps.permits.demo import LICENSING
from tenant_apps.permits.demo_requests import text_pdf
from tenant_apps.permits.enums import IssueMode, OpinionStatus, RequestStatus
from tenant_apps.permits.fees import FEE_PURPOSE
from tenant_apps.permits.models import Permit, PermitKind, PermitRequest, RoutingRule
from tenant_apps.permits.routing import RequestFacts
from tenant_apps.permits.services import fee_paid_handler
from tenant_apps.signatures.enums import SignatureLevel
from tenant_apps.signatures.models import Signature
from tests.permits.conftest import COMPANY_CNPJ, upload

EXPECTED = {
    "aracaju": {
        RequestStatus.EXEMPT: 1,
        RequestStatus.ISSUED: 4,  # two automatic, one tacit, one by staff after the opinions
        RequestStatus.NEEDS_FIX: 1,
        RequestStatus.IN_ANALYSIS: 2,
        RequestStatus.REFUSED: 1,
    },
    "gravatai": {
        RequestStatus.EXEMPT: 1,
        RequestStatus.ISSUED: 4,
        RequestStatus.NEEDS_FIX: 1,
        RequestStatus.IN_ANALYSIS: 1,
        RequestStatus.REFUSED: 1,
    },
}


def test_both_demo_cities_get_requests_in_every_state_and_a_rule_draft(aracaju, gravatai, media_root):
    for city in (aracaju, gravatai):
        with tenant_context(city):
            demo_requests.requests_seed(municipality=city)
            demo_requests.requests_seed(municipality=city)  # safe to run again: nothing added

            assert Counter(PermitRequest.objects.values_list("status", flat=True)) == EXPECTED[city.slug]
            assert Counter(Permit.objects.values_list("mode", flat=True)) == {
                IssueMode.EXEMPTION: 1,
                IssueMode.AUTOMATIC: 2,
                IssueMode.TACIT: 1,
                IssueMode.STAFF: 1,
            }
            # the high-risk one a person issued: signed at the advanced level by the licensing unit's
            # staff member (not the system seal), after opinions given on different days
            staff_issued = Permit.objects.select_related("request").get(mode=IssueMode.STAFF)
            signature = Signature.objects.get(document=staff_issued.document)
            assert signature.level == SignatureLevel.ADVANCED
            assert signature.signer.email == demo_requests.STAFF[LICENSING[city.slug]]
            opinions = list(staff_issued.request.opinions.order_by("decided_at"))
            assert all(o.status == OpinionStatus.FAVOURABLE for o in opinions)
            assert len({o.decided_at.date() for o in opinions}) == len(opinions)
            assert all((o.decided_at - o.started_at).days >= 3 for o in opinions)
            assert (staff_issued.issued_at - staff_issued.request.created_at).days >= 10
            fix = PermitRequest.objects.get(status=RequestStatus.NEEDS_FIX)
            problems = {check["code"] for check in fix.pre_analysis if check["status"] == "problema"}
            assert "taxa" in problems
            guides = Counter(
                PaymentGuide.objects.filter(purpose=FEE_PURPOSE).values_list("status", flat=True)
            )
            assert guides[GuideStatus.PAID] >= 2
            assert guides[GuideStatus.PENDING] >= 1
            tacit = Permit.objects.get(mode=IssueMode.TACIT)
            assert (tacit.issued_at - tacit.request.created_at).days >= 40

            published = RoutingRule.objects.get(name=demo_requests.RULE_DRAFTS[city.slug][0])
            draft = routing_rule_draft_of(published)
            assert published.is_published
            assert (draft.version, draft.is_published) == (2, False)

            # the managers' charts and the open register read them
            scope = Scope(unit_ids=None, label="cidade")
            rows = indicators.kind_figures(scope, period_default())
            assert sum(row["tacit"] for row in rows) == 1
            assert sum(row["refused"] for row in rows) == 1
            # the refused one's opinions not given were ended by the refusal, with no deadline left
            refused = PermitRequest.objects.get(status=RequestStatus.REFUSED)
            assert {(o.status, o.due) for o in refused.opinions.exclude(decided_at__isnull=False)} <= {
                (OpinionStatus.CLOSED, None)
            }
            assert max(row["p90"] or 0 for row in rows) >= 40
            units = indicators.unit_figures(scope, period_default())
            assert units
            given = [row for row in units if row["decided"]]
            assert given
            assert all(row["average_days"] >= 1 for row in given)  # dated back: not 0.0 days
            register = list(indicators.datasets()[0].rows(None))
            assert len(register) == 4  # the exemption declaration is not in the register
            # companies: their names are public; a MEI's (its owner's name) never
            issued = PermitRequest.objects.filter(permit__isnull=False).exclude(
                permit__mode=IssueMode.EXEMPTION
            )
            assert sorted(row[-1] for row in register) == sorted(
                "" if request.is_mei else request.requester_name for request in issued
            )
            assert {row[-1] == "" for row in register} == {True, False}


def test_a_high_risk_sanitary_licence_goes_to_the_sanitary_unit_then_the_licensing_unit(
    in_aracaju, media_root
):
    """Aracaju's demo rules: a restaurant (5611-2/01, level III in the city) asking the licença
    sanitária is routed to SEMUS-VISA, then SEPLOG-ALV; the alvará de funcionamento keeps SEMA and
    SEMUS-VISA in parallel, then SEPLOG-ALV; a level II sanitary licence goes nowhere (automatic)."""
    units = dict(OrgUnit.objects.values_list("pk", "acronym"))

    def route(kind_code: str, level: str) -> list[list[str]]:
        facts = RequestFacts(kind_code=kind_code, risk_level=level, activities=("5611201",))
        stages = services.routing_test(facts=facts, include_drafts=False).stages
        return [sorted(units[unit_id] for unit_id, _days in stage) for stage in stages]

    assert route("licenca-sanitaria", "III") == [["SEMUS-VISA"], ["SEPLOG-ALV"]]
    assert route("alvara-funcionamento", "III") == [["SEMA", "SEMUS-VISA"], ["SEPLOG-ALV"]]
    assert route("licenca-sanitaria", "II") == []
    # safe to seed again: the rule is not added twice
    demo.seed(municipality=in_aracaju)
    assert RoutingRule.objects.filter(name=demo.SANITARY_RULE, is_published=True).count() == 1

    # a real request through the flow: files checked, fee paid, then the opinions the rule asks
    kind = PermitKind.objects.get(service__code="licenca-sanitaria")
    today = timezone.localdate().strftime("%d/%m/%Y")
    request = services.permit_request_submit(
        kind=kind,
        citizen=User.objects.get(email=DEMO_CITIZEN["email"]),
        form_data={
            "cpf_cnpj": COMPANY_CNPJ,
            "nome_razao_social": "Restaurante Sanitário Ltda",
            "mei": "Não",
            "endereco": "Rua João Pessoa, 100",
            "bairro": "Centro",
            "cnae": "5611-2/01",
            "area_m2": "120",
        },
        uploads=[
            upload(
                "manual.pdf",
                text_pdf("Manual de boas praticas de manipulacao de alimentos."),
                "Manual de boas práticas",
            ),
            upload(
                "endereco.pdf",
                text_pdf(f"Conta de energia. Emitida em {today}. Rua Joao Pessoa, 100."),
                "Comprovante de endereço",
            ),
        ],
        accept_terms=True,
    )
    fee_paid_handler(SimpleNamespace(reference=str(request.pk), paid_at=timezone.now()))
    services.request_analyse(request_id=request.pk)
    request.refresh_from_db()
    assert (request.risk_level, request.status) == ("III", RequestStatus.IN_ANALYSIS)
    assert [
        (opinion.stage, opinion.unit.acronym, opinion.status)
        for opinion in request.opinions.select_related("unit").order_by("stage", "id")
    ] == [(0, "SEMUS-VISA", OpinionStatus.PENDING), (1, "SEPLOG-ALV", OpinionStatus.WAITING)]
