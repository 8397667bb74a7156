"""Gravataí's pages through the accessibility sweep (tests/e2e/sweep.py): its green as the primary
colour of buttons, links and tags, its data and its modules, at both widths and in high contrast."""

import pytest

from tests.e2e.sweep import run_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_every_page_of_gravatai_passes_axe_and_labels_its_fields(live_url, browser):
    run_sweep("gravatai", live_url, browser)
