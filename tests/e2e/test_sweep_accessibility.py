"""Aracaju's pages (and the control plane's) through the accessibility sweep (tests/e2e/sweep.py).

Gravataí's run is its own file, so `make test` can give the two cities to two processes.
"""

import pytest

from tests.e2e.sweep import run_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_every_page_passes_axe_and_labels_its_fields(live_url, browser):
    run_sweep("aracaju", live_url, browser)
