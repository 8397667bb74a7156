"""`make demo` checks the machine first: one line per missing thing, with how to install it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from paco_demo.prerequisites import problems

ROOT = Path(__file__).resolve().parents[2]


def everything(name: str) -> str:
    return f"/usr/bin/{name}"


def test_a_complete_machine_has_nothing_missing() -> None:
    missing, notes = problems(
        "demo", python_version=(3, 11), which=everything, library=lambda _: True, root=False
    )

    assert (missing, notes) == ([], [])


def test_each_missing_thing_is_one_line_saying_how_to_install_it() -> None:
    missing, _notes = problems(
        "demo", python_version=(3, 9), which=lambda _: None, library=lambda _: False, root=False
    )

    assert missing == [
        "Python 3.11 or newer is needed, this is 3.9: install it (Debian/Ubuntu: apt-get install "
        "python3.11 python3.11-venv) and run make demo PYTHON=python3.11",
        "Node.js and npm are missing (they install the gov.br Design System): apt-get install nodejs npm",
        "GNU make is missing: apt-get install make",
        "Pango is missing (PDF documents): sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0",
    ]


def test_as_root_what_make_installs_itself_is_only_announced() -> None:
    missing, notes = problems(
        "test", python_version=(3, 12), which=everything, library=lambda _: False, root=True
    )

    assert missing == []
    assert notes[0] == "Pango (PDF documents) is missing: installing it now with apt-get"


def test_the_script_runs_with_the_system_python_and_exits_zero_here() -> None:
    # the Python that runs it may be older than the project's: no third-party import, no new syntax
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "src" / "paco_demo" / "prerequisites.py"), "demo"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout
    assert "missing:" not in result.stdout
