"""The README is the front door (issue 20): it reads in five minutes, and what it points to exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
# five minutes at a careful 250 words a minute
WORDS_IN_FIVE_MINUTES = 1250


def test_the_readme_reads_in_five_minutes() -> None:
    words = len(re.findall(r"\w+", README))
    assert words <= WORDS_IN_FIVE_MINUTES, f"{words} words: move the detail into docs/"
    # no reference-manual cells: every line stays short
    longest = max(README.splitlines(), key=len)
    assert len(longest) <= 250, longest


def test_every_link_and_image_of_the_readme_exists() -> None:
    targets = re.findall(r"\]\(((?!https?://)[^)#]+)(?:#[^)]*)?\)", README)
    assert targets
    missing = [target for target in targets if not (ROOT / target).exists()]
    assert missing == []


def test_the_readme_runs_python_from_the_virtualenv_only() -> None:
    # `python src/manage.py ...` outside the venv fails with "No module named 'django'"
    assert re.findall(r"(?<![/\w])python3? src/manage\.py", README) == []


def test_the_readme_names_the_procfiles_three_processes() -> None:
    procfile = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    for name in ("web", "worker", "scheduler"):
        assert name in procfile
        assert f"`{name}`" in README
