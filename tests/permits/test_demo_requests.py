"""The demo's permit requests (`make demo`; the test session leaves them out): every state in both
cities through the real services, the charts and the open register filled, safe to run again."""

from __future__ import annotations

from collections import Counter

from django_tenants.utils import tenant_context

from tenant_apps.insights.selectors import Scope, period_default
from tenant_apps.payments.enums import GuideStatus
from tenant_apps.payments.models import PaymentGuide
from tenant_apps.permits import demo_requests, indicators
from tenant_apps.permits.builders import routing_rule_draft_of
from tenant_apps.permits.demo import LICENSING
from tenant_apps.permits.enums import IssueMode, OpinionStatus, RequestStatus
from tenant_apps.permits.fees import FEE_PURPOSE
from tenant_apps.permits.models import Permit, PermitRequest, RoutingRule
from tenant_apps.signatures.enums import SignatureLevel
from tenant_apps.signatures.models import Signature

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
            assert max(row["p90"] or 0 for row in rows) >= 40
            units = indicators.unit_figures(scope, period_default())
            assert units
            given = [row for row in units if row["decided"]]
            assert given
            assert all(row["average_days"] >= 1 for row in given)  # dated back: not 0.0 days
            register = list(indicators.datasets()[0].rows(None))
            assert len(register) == 4  # the exemption declaration is not in the register
            assert all(row[-1] for row in register)  # companies: their names are public
