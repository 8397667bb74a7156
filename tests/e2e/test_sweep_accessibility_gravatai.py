"""Gravataí's pages through the accessibility sweep (tests/e2e/sweep.py): its green as the primary
colour of buttons, links and tags, its data and its modules, at both widths.

High contrast is left to Aracaju's run: it replaces every colour, the city's included, with
black, white and yellow (`html.paco-contrast` in paco.css, all `!important`), so it looks the
same in every city and a second run would check the same colours on the same templates."""

import pytest

from tests.e2e.sweep import run_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_every_page_of_gravatai_passes_axe_and_labels_its_fields(live_url, browser):
    run_sweep("gravatai", live_url, browser, modes=("desktop", "phone"))
