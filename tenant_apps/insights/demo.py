"""Demo data of the indicators (`paco_demo.seeding`): each city's bairros and price per page, and
a year of history written in bulk (`history.py`), then the aggregates built from it, so the
indicators page, the paper saved and the open data show real figures on first open."""

from __future__ import annotations

from decimal import Decimal

from paco_demo.cities import DEMO_STAFF
from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case
from tenant_apps.ombudsman.services import ombudsman_services_ensure
from tenants.models import Municipality

from .history import SEQUENCE_START, HistorySpec, history_generate
from .services import aggregates_rebuild, insights_settings_update, neighbourhoods_ensure

DEMO_HISTORY: dict[str, HistorySpec] = {
    "aracaju": HistorySpec(
        cases_per_day=14,
        manifestations_per_day=1.5,
        neighbourhoods=(
            "Centro",
            "Atalaia",
            "Siqueira Campos",
            "Jardins",
            "Farolândia",
            "Santos Dumont",
            "Grageru",
            "Coroa do Meio",
            "Luzia",
            "Industrial",
            "São Conrado",
            "Ponto Novo",
        ),
        slow_units=("SEFAZ-TRIB",),
    ),
    "gravatai": HistorySpec(
        cases_per_day=7,
        manifestations_per_day=0.8,
        neighbourhoods=(
            "Centro",
            "Morada do Vale",
            "Parque dos Anjos",
            "Barnabé",
            "São Geraldo",
            "Itacolomy",
            "Passo das Pedras",
            "Bom Sucesso",
            "Salgado Filho",
        ),
        slow_units=("PGM",),
    ),
}
COST_PER_PAGE = {"aracaju": Decimal("0.35"), "gravatai": Decimal("0.30")}


def seed(*, municipality: Municipality) -> None:
    spec = DEMO_HISTORY[municipality.slug]
    insights_settings_update(cost_per_page=COST_PER_PAGE[municipality.slug], small_cell_threshold=5)
    neighbourhoods_ensure(names=list(spec.neighbourhoods))
    if Case.objects.filter(nup__contains=f".{SEQUENCE_START:06d}/").exists():
        return  # the history is already there (safe to run again)
    ombudsman_services_ensure()
    staff = User.objects.get(email=DEMO_STAFF[municipality.slug]["email"])
    history_generate(spec=spec, staff_user_id=staff.pk, seed=municipality.slug)
    aggregates_rebuild()
