"""What `make demo` and `make test` need from the machine, checked before anything is installed.

    python3 src/paco_demo/prerequisites.py demo|test

Run by the system's Python (any Python 3, so it can say that the Python is too old): one line per
missing thing, with how to install it; exit status 1 when something the command cannot do without
is missing. What `make` installs by itself when run as root (Pango, Chromium) is only announced.
"""

import os
import shutil
import subprocess
import sys

PYTHON_MINIMUM = (3, 11)


def _shared_library(name):
    try:
        listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout  # noqa: S607
    except OSError:
        return False
    return name in listing


def problems(purpose, python_version=None, which=shutil.which, library=_shared_library, root=None):
    """(missing, notes): lines that stop the command, and lines that only inform."""
    python_version = python_version or sys.version_info[:2]
    root = (os.geteuid() == 0) if root is None else root
    missing, notes = [], []
    if tuple(python_version) < PYTHON_MINIMUM:
        needed = ".".join(str(part) for part in PYTHON_MINIMUM)
        found = ".".join(str(part) for part in python_version)
        missing.append(
            f"Python {needed} or newer is needed, this is {found}: install it (Debian/Ubuntu: "
            f"apt-get install python3.11 python3.11-venv) and run make {purpose} PYTHON=python3.11"
        )
    else:
        try:
            import ensurepip  # noqa: F401
            import venv  # noqa: F401
        except ImportError:
            missing.append("Python's venv module is missing: apt-get install python3-venv")
    if not which("node") or not which("npm"):
        missing.append(
            "Node.js and npm are missing (they install the gov.br Design System): apt-get install nodejs npm"
        )
    if not which("make"):
        missing.append("GNU make is missing: apt-get install make")
    if not (library("libpango-1.0.so.0") and library("libpangoft2-1.0.so.0")):
        if root:
            notes.append("Pango (PDF documents) is missing: installing it now with apt-get")
        else:
            missing.append(
                "Pango is missing (PDF documents): sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0"
            )
    if purpose == "test" and not os.access("/usr/bin/chromium", os.X_OK):
        if root:
            notes.append("Chromium (browser tests) is missing: installing Debian's chromium now with apt-get")
        else:
            notes.append(
                "Chromium is missing: the browser tests will be skipped (sudo apt-get install chromium)"
            )
    return missing, notes


def main(argv):
    purpose = argv[0] if argv else "demo"
    missing, notes = problems(purpose)
    for line in notes:
        print("note: " + line)
    for line in missing:
        print("missing: " + line)
    if missing:
        print(f"make {purpose} needs the above first.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
