"""docs/configuration.md stays true: every variable the settings read from the environment is in
its table of settings, and nothing is documented there that the settings do not read."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "src" / "paco" / "settings"
DOCS = ROOT / "docs" / "configuration.md"

# env("X"), env.str("X", ...), env.list(\n    "X", ...) in src/paco/settings/*.py
ENV_READ = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")
# a table row of the settings table: | `NAME` | or | `NAME` / `_MIN` / `_MAX` |
DOC_ROW = re.compile(r"^\|\s*(`[A-Z][A-Z0-9_]*`(?:\s*/\s*`[A-Z0-9_]+`)*)\s*\|", re.MULTILINE)
SETTINGS_HEADING = "## Settings"


def variables_read() -> set[str]:
    names: set[str] = set()
    for module in SETTINGS.glob("*.py"):
        names.update(ENV_READ.findall(module.read_text()))
    return names


def variables_documented() -> set[str]:
    text = DOCS.read_text()
    start = text.index(SETTINGS_HEADING)
    end = text.find("\n## ", start + 1)
    section = text[start : end if end != -1 else len(text)]
    names: set[str] = set()
    for cell in DOC_ROW.findall(section):
        parts = re.findall(r"`([A-Z0-9_]+)`", cell)
        first = parts[0]
        names.add(first)
        # `SUPPORT_SESSION_MINUTES_DEFAULT` / `_MIN` / `_MAX`: suffixes replace the first's last word
        stem = first.rsplit("_", 1)[0]
        names.update(f"{stem}{part}" if part.startswith("_") else part for part in parts[1:])
    return names


def test_every_setting_read_from_the_environment_is_documented() -> None:
    missing = variables_read() - variables_documented()

    assert not missing, f"read in src/paco/settings but not in docs/configuration.md: {sorted(missing)}"


def test_nothing_is_documented_that_the_settings_do_not_read() -> None:
    unread = variables_documented() - variables_read()

    assert not unread, f"in docs/configuration.md's settings table but never read: {sorted(unread)}"


def test_the_reader_sees_multi_line_calls() -> None:
    # given the one call split over lines in the settings (a list with a long default)
    names = variables_read()

    # then it is found like the others
    assert {"ONBOARDING_RESERVED_SLUGS", "DATABASE_URL", "DATA_DIR", "DEBUG"} <= names
