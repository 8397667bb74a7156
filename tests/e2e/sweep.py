"""The accessibility sweep: every page a role can open, checked by axe-core and for labelled gov.br
form fields (run per city by tests/e2e/test_sweep_accessibility*.py).

The pages come from the authorization matrix of the isolation harness (tests/isolation): each
route that answers 200 to a GET is opened once, by the first role that can open it (anonymous,
citizen, staff, manager, admin, then support for the control plane), on a desktop (1366 px), then
resized to a phone (390 px), then with high contrast switched on at phone width (one load per
page keeps the sweep short). axe-core comes from npm and runs inside Debian's Chromium; a serious
or critical violation fails the test, and so does a form field outside a gov.br component or
without a visible label. The sweep runs once per demo city (Aracaju's and Gravataí's colours,
data and modules; the control plane's pages with Aracaju's run). A screenshot of every page at
both widths (and in high contrast, which looks the same in every city, in Aracaju's run) is kept
under test-artifacts/sweep/<city>/ for people to look at, with that city's summary.json.

`PACO_SWEEP_ROUTES=cases:citizen_case,documents:staff_document` sweeps only those routes (for a
change to a few pages; the full sweep in `make test` runs without it).
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.comms.test_fanout_job import _in_thread
from tests.e2e.conftest import ARTIFACTS, CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SWEEP = ARTIFACTS / "sweep"
TENANT_ROLES = ("anonymous", "citizen", "staff", "manager", "admin")
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
BLOCKING = ("serious", "critical")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# second login steps and pages that only redirect without a pending login
SKIPPED = {"accounts:staff_token", "accounts:staff_enroll"}
# machine interfaces (REST, Open311, schema, API docs by third-party bundles): not pages for people
SKIPPED_PREFIXES = ("/api/", "/open311/")

# The whole rule set once per page (desktop); at phone width and in high contrast only the rules
# whose outcome depends on layout or colours (the DOM is the same page).
LAYOUT_RULES = [
    "color-contrast",
    "link-in-text-block",
    "target-size",
    "scrollable-region-focusable",
    "aria-hidden-focus",
    "meta-viewport",
]
COLOUR_RULES = ["color-contrast", "link-in-text-block"]

RUN_AXE = """async (rules) => {
  const only = rules ? {type: "rule", values: rules} : {type: "tag", values: TAGS};
  const result = await axe.run(document, {resultTypes: ["violations"], runOnly: only});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}""".replace("TAGS", json.dumps(AXE_TAGS))

# Every visible form field sits in a gov.br component and has a label a person can see.
FIELD_CHECK = """() => {
  const components = ".br-input,.br-select,.br-textarea,.br-radio,.br-checkbox,.br-upload,.br-switch";
  const problems = [];
  for (const field of document.querySelectorAll("input, select, textarea")) {
    if (["hidden", "submit", "button", "reset"].includes(field.type) || field.closest(".paco-hp")) continue;
    if (field.closest("details:not([open])")) continue;  // checked when a person opens it: same markup
    // not rendered now (a widget's own hidden control, a closed tooltip): no person meets it
    if (!field.getClientRects().length || getComputedStyle(field).visibility === "hidden") continue;
    const labels = Array.from(field.labels || []).filter(label => {
      const box = label.getBoundingClientRect();
      return label.innerText.trim() && box.width > 1 && box.height > 1;
    });
    if (!field.closest(components)) problems.push(`${field.name || field.id}: outside a gov.br component`);
    else if (!labels.length) problems.push(`${field.name || field.id}: no visible label`);
  }
  return problems;
}"""


def _plan(slug: str) -> dict[str, Any]:
    """(role -> [(route name, host, path)]) and each role's session cookie, in the city `slug`
    (the control plane's pages only with Aracaju)."""
    from tenants.models import Municipality
    from tests.conftest import client_for
    from tests.isolation import test_isolation as harness
    from tests.isolation.routes import path_for

    only = {name.strip() for name in os.environ.get("PACO_SWEEP_ROUTES", "").split(",") if name.strip()}
    city = Municipality.objects.get(slug=slug)
    city_host = f"{slug}.localhost"
    pages: dict[str, list[tuple[str, str, str]]] = {role: [] for role in (*TENANT_ROLES, "support")}
    for route in harness.TENANT_ROUTES:
        statuses = harness.TENANT_MATRIX[route.name]["GET"]
        role = next((role for role in TENANT_ROLES if statuses.get(role) == harness.OK), None)
        if role is None or route.name in SKIPPED or (only and route.name not in only):
            continue
        path = path_for(route, harness._values(route, city))
        if not path.startswith(SKIPPED_PREFIXES):
            pages[role].append((route.name, city_host, path))
    for route in harness.PUBLIC_ROUTES if slug == "aracaju" else ():
        statuses = harness.PUBLIC_MATRIX[route.name]["GET"]
        role = next((role for role in ("anonymous", "support") if statuses.get(role) == harness.OK), None)
        if role is None or (only and route.name not in only):
            continue
        path = path_for(route, harness._public_values(route, city))
        if not path.startswith(SKIPPED_PREFIXES):
            pages[role].append((route.name, "localhost", path))
    cookies: dict[str, list[tuple[str, str, str]]] = {"anonymous": []}
    for role in (*TENANT_ROLES[1:], "support"):
        client = client_for(role, None if role == "support" else city)
        host = "localhost" if role == "support" else city_host
        cookies[role] = [(host, morsel.key, morsel.value) for morsel in client.cookies.values()]
    return {"pages": pages, "cookies": cookies}


def _open(page: Any, url: str) -> bool:
    """Load `url`; False for anything that is not an HTML page (a download, a redirect, an error)."""
    from playwright.sync_api import Error

    try:
        response = page.goto(url, wait_until="load")
    except Error as error:  # a file download (CSV, PDF, schema), not a page
        if "Download is starting" in str(error):
            return False
        raise
    if response is None or response.status != 200:
        return False
    if "text/html" not in response.headers.get("content-type", ""):
        return False
    # an htmx fragment (options of a select, a slot list) is checked inside its page
    return bool(response.text().lstrip().lower().startswith("<!doctype html"))


def _check(page: Any, rules: list[str] | None) -> dict[str, Any]:
    return {"violations": page.evaluate(RUN_AXE, rules), "fields": page.evaluate(FIELD_CHECK)}


def _sweep(
    browser: Any, plan: dict[str, Any], roles: list[str], live_url: str, shots: Path, modes: tuple[str, ...]
) -> list[dict[str, Any]]:
    """One page per role, each URL loaded once: desktop, then the same page resized to a phone,
    then high contrast switched on (as the header button does) at phone width."""
    report: list[dict[str, Any]] = []
    for role in roles:
        context = browser.new_context(viewport=WIDTHS["desktop"], locale="pt-BR", bypass_csp=True)
        if plan["cookies"][role]:
            context.add_cookies(
                [
                    {"name": name, "value": value, "url": live_url.format(host=host)}
                    for host, name, value in plan["cookies"][role]
                ]
            )
        context.add_init_script(path=str(AXE))  # axe-core in every page the context opens
        page = context.new_page()
        page.set_default_timeout(20000)
        for route, host, path in plan["pages"][role]:
            page.set_viewport_size(WIDTHS["desktop"])
            if not _open(page, live_url.format(host=host) + path):
                continue
            for mode in modes:
                if mode == "phone":
                    page.set_viewport_size(WIDTHS["phone"])
                if mode == "phone-contraste":
                    page.evaluate("document.documentElement.classList.add('paco-contrast')")
                result = _check(page, {"desktop": None, "phone": LAYOUT_RULES}.get(mode, COLOUR_RULES))
                shot = shots / f"{role}-{route.replace(':', '-')}-{mode}.jpg"
                page.screenshot(path=str(shot), full_page=mode == "phone", type="jpeg", quality=70)
                report.append({"role": role, "route": route, "path": path, "mode": mode, **result})
        context.close()
    return report


def _sweep_with_own_browser(
    plan: dict[str, Any], roles: list[str], live_url: str, shots: Path, modes: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The same on a second Chromium driven from this thread (Playwright's sync API: one per thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            return _sweep(browser, plan, roles, live_url, shots, modes)
        finally:
            browser.close()


MODES = ("desktop", "phone", "phone-contraste")


def run_sweep(city: str, live_url: str, browser: Any, *, modes: tuple[str, ...] = MODES) -> None:
    """Sweep `city` in `modes`; fails on a blocking violation or an unlabelled field."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make setup runs npm ci)")
    plan = _in_thread(lambda: _plan(city))
    shots = SWEEP / city
    shots.mkdir(parents=True, exist_ok=True)
    # two browsers side by side (one per core), each with about half of the pages
    roles = sorted(plan["pages"], key=lambda role: -len(plan["pages"][role]))
    halves: list[list[str]] = [[], []]
    for role in roles:
        min(halves, key=lambda half: sum(len(plan["pages"][r]) for r in half)).append(role)
    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(_sweep_with_own_browser, plan, halves[1], live_url, shots, modes)
        report = _sweep(browser, plan, halves[0], live_url, shots, modes) + other.result()
    (shots / "summary.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    blocking = [
        f"{row['role']} {row['mode']} {row['path']}: {v['impact']} {v['id']} {v['nodes']}"
        for row in report
        for v in row["violations"]
        if v["impact"] in BLOCKING
    ]
    unlabelled = sorted(
        {f"{row['role']} {row['path']}: {problem}" for row in report for problem in row["fields"]}
    )
    pages_checked = len({(row["role"], row["path"]) for row in report})
    assert pages_checked > (0 if os.environ.get("PACO_SWEEP_ROUTES") else 40), report
    assert not blocking, "\n".join(blocking)
    assert not unlabelled, "\n".join(unlabelled)
