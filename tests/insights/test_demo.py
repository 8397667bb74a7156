"""The demo hook writes a history in bulk and builds the aggregates from it (shrunk here to a month)."""

from __future__ import annotations

from tenant_apps.cases.models import Case
from tenant_apps.insights import demo
from tenant_apps.insights.history import HistorySpec
from tenant_apps.insights.models import CaseDay, CircularFigure, InsightsSettings, OmbudsmanDay, PaperDay
from tenant_apps.insights.selectors import Scope, figures, period_default


def test_the_demo_history_fills_every_indicator_and_runs_once(in_aracaju, monkeypatch):
    monkeypatch.setitem(
        demo.DEMO_HISTORY,
        "aracaju",
        HistorySpec(days=30, cases_per_day=4, manifestations_per_day=1, neighbourhoods=("Centro",)),
    )
    demo.seed(municipality=in_aracaju)
    cases = Case.objects.count()

    city = figures(Scope(unit_ids=None, label="cidade"), period_default())
    assert city.opened > 0
    assert city.closed > 0
    assert city.median_days is not None
    assert CaseDay.objects.filter(stays_ended__gt=0).exists()
    assert OmbudsmanDay.objects.exists()
    assert CircularFigure.objects.exists()
    assert set(PaperDay.objects.values_list("kind", flat=True)) == {
        "documento",
        "memorando",
        "circular",
        "notificacao",
    }
    assert InsightsSettings.objects.get().cost_per_page == demo.COST_PER_PAGE["aracaju"]

    demo.seed(municipality=in_aracaju)  # safe to run again: no second history
    assert Case.objects.count() == cases
