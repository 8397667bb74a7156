"""What a citizen's phone downloads on a first visit to the portal, per city.

Every response Chromium receives for the portal home (HTML, styles, scripts, fonts, images) is
counted as sent (the raw bytes) and as production serves it: static files compressed as
collectstatic does with whitenoise (brotli, skipping already compressed types such as woff2 and
PNG), the page itself as it leaves Django. The figures go to test-artifacts/first-visit.json
(docs/tests.md); the budget below fails the test if a change makes the first visit much heavier.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import brotli
import pytest
from django.conf import settings
from whitenoise.compress import Compressor

from tests.e2e.conftest import ARTIFACTS, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# bytes over the wire for the home page on a first visit, compressed as production serves it:
# 175,536 (Aracaju) and 173,862 (Gravataí) since Font Awesome is cut to our icons (was 304,059
# with the whole font, 119 KB of it)
FIRST_VISIT_BUDGET = 220 * 1024


def _served_size(url: str, body: bytes) -> int:
    path = urlsplit(url).path
    extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if not path.startswith(settings.STATIC_URL) or extension in settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS:
        return len(body)
    # whitenoise keeps a compressed copy only when it saves at least 5%
    compressed = len(brotli.compress(body))
    return compressed if compressed < len(body) * 0.95 else len(body)


@pytest.mark.parametrize("city", ["aracaju", "gravatai"])
def test_the_first_visit_to_the_portal_fits_the_budget(city, live_url, browser):
    assert set(Compressor.SKIP_COMPRESS_EXTENSIONS) <= set(settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS)
    context = browser.new_context(viewport=PHONE, locale="pt-BR", is_mobile=True, has_touch=True)
    page = context.new_page()
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(live_url.format(host=f"{city}.localhost") + "/", wait_until="networkidle")
    page.evaluate("async () => { await document.fonts.ready; }")
    hosts = {urlsplit(response.url).hostname for response in responses}
    paths = [urlsplit(response.url).path for response in responses]
    files = []
    for response in responses:
        body = response.body() if response.status == 200 else b""
        files.append(
            {
                "url": urlsplit(response.url).path,
                "sent": len(body),
                "served": _served_size(response.url, body),
            }
        )
    context.close()
    total_sent = sum(file["sent"] for file in files)
    total_served = sum(file["served"] for file in files)
    report = ARTIFACTS / "first-visit.json"
    ARTIFACTS.mkdir(exist_ok=True)
    figures = json.loads(report.read_text()) if report.exists() else {}
    figures[city] = {"files": files, "uncompressed": total_sent, "compressed": total_served}
    report.write_text(json.dumps(figures, indent=1))

    # nothing from another host; the gov.br font (Raleway, of which Rawline is a variant) is ours
    assert hosts == {f"{city}.localhost"}
    fonts = sorted(file["url"] for file in files if "/fonts/raleway/" in file["url"])
    assert fonts, paths
    assert all(font.endswith("-normal.woff2") and "-latin-" in font for font in fonts), fonts
    assert 0 < total_served < FIRST_VISIT_BUDGET, files
    # Font Awesome cut to the icons we use (src/paco/icons.py), not the whole package
    icon_files = [file for file in files if "/fontawesome/" in file["url"]]
    assert {file["url"].rsplit("/", 1)[-1] for file in icon_files} == {"icons.min.css", "fa-solid-900.woff2"}
    assert sum(file["served"] for file in icon_files) < 20 * 1024, icon_files
