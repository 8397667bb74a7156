"""`make demo` as a person runs it: the supervisor (`python -m paco_demo.run`) in a subprocess, on a
free port, with its own data folder (its own embedded PostgreSQL and Redis), then signalled.

The data folder is made first by an older release's `make demo` setup (`OLDER_RELEASE`, exported
from git into a temporary folder and run with this checkout's virtualenv), so the demo under test
also migrates an existing `.data/` forward. One demo serves the whole module; the tests run in file
order against it and the last one stops it. About three minutes in all (two setups).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
import requests

from paco.embedded import older_pgserver_install
from tests.onboarding.conftest import signup_form_data

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 900
# main before the front door's work (README as a manual, runserver, jobs in the web process)
OLDER_RELEASE = "790dab7"


def older_release_data(folder: Path) -> Path:
    """`.data/` as the older release's `make demo` left it: migrated, both cities seeded."""
    code = folder / "older"
    code.mkdir()
    archive = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "archive", "--format=tar", OLDER_RELEASE],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        pytest.skip(f"{OLDER_RELEASE} is not in this clone's history: {archive.stderr.decode()[:200]}")
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive.stdout, check=True)  # noqa: S603, S607
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CACHE_URL", "DATA_DIR"}
    }
    # the older release ran plain pgserver (PostgreSQL 16): its data folder is written by that
    pgserver_16 = older_pgserver_install("16", folder / "pgserver-16")
    env["PYTHONPATH"] = str(pgserver_16)
    setup = subprocess.run(  # noqa: S603
        [sys.executable, "src/manage.py", "demo_setup", "--port", "8000"],
        cwd=code,
        env=env,
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
        check=False,
    )
    if setup.returncode != 0:
        _postmaster_stop(code / ".data" / "pg")  # the older release may leave it running
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    return code / ".data"


def _postmaster_stop(pgdata: Path) -> None:
    pid_file = pgdata / "postmaster.pid"
    if pid_file.exists():
        with contextlib.suppress(psutil.Error):  # already gone
            psutil.Process(int(pid_file.read_text().split()[0])).terminate()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo_environment(data: Path, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CACHE_URL", "DEBUG"}
    }
    env.update(DATA_DIR=str(data), PORT=str(port), PYTHONPATH=str(ROOT / "src"))
    return env


def demo_command(port: int) -> list[str]:
    return [sys.executable, "-m", "paco_demo.run", "--port", str(port)]


@dataclass
class Demo:
    data: Path
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    seen: dict[int, float] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def tree(self) -> list[psutil.Process]:
        """Every process the demo runs now: the supervisor's descendants, its recorded process
        groups (honcho starts each in a session of its own) and the postmaster."""
        found: dict[int, psutil.Process] = {}
        with contextlib.suppress(psutil.NoSuchProcess):  # the supervisor has exited: its groups remain
            supervisor = psutil.Process(self.process.pid)
            found[supervisor.pid] = supervisor
            for child in supervisor.children(recursive=True):
                found[child.pid] = child
        state_file = self.data / "demo" / "supervisor.json"
        if state_file.exists():
            for entry in json.loads(state_file.read_text()).get("groups", {}).values():
                for process in psutil.process_iter():
                    try:
                        if os.getpgid(process.pid) == entry["pid"]:
                            found[process.pid] = process
                    except (ProcessLookupError, psutil.Error):
                        continue
        postmaster = self.data / "pg" / "postmaster.pid"
        if postmaster.exists():
            pid = int(postmaster.read_text().split()[0])
            if psutil.pid_exists(pid):
                found[pid] = psutil.Process(pid)
                found.update({child.pid: child for child in found[pid].children(recursive=True)})
        for pid, process in found.items():
            try:
                self.seen.setdefault(pid, process.create_time())
            except psutil.Error:
                continue
        return list(found.values())

    def named(self, fragment: str) -> list[psutil.Process]:
        processes = []
        for process in self.tree():
            try:
                if fragment in " ".join(process.cmdline()):
                    processes.append(process)
            except psutil.Error:
                continue
        return processes

    def wait_for(self, text: str, *, after: int = 0, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.output()[after:]:
            assert self.process.poll() is None, self.output()[-3000:]
            assert time.monotonic() < deadline, f"{text!r} not in the demo's log:\n{self.output()[-3000:]}"
            time.sleep(0.2)


def healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=30).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    # a private folder (0700, as `mktemp -d` or a clone in /root): when the tests run as root,
    # PostgreSQL runs as the user `pgserver`, which is let through it and nobody else
    folder = Path(tempfile.mkdtemp(prefix="paco-demo-test-"))
    try:
        yield from _demo_in(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _demo_in(folder: Path) -> Iterator[Demo]:
    data = older_release_data(folder)
    port = free_port()
    log = folder / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            demo_command(port),
            cwd=ROOT,
            env=demo_environment(data, port),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Demo(data=data, port=port, process=process, log=log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not (running.tree() and "Open http://localhost" in running.output() and healthy(running.url)):
            assert process.poll() is None, running.output()[-5000:]
            assert time.monotonic() < deadline, running.output()[-5000:]
            time.sleep(0.5)
        yield running
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):  # what is left is killed below
                process.wait(60)
        for leftover in running.tree():
            if leftover.pid != os.getpid():
                leftover.kill()


def test_demo_runs_the_procfile_processes_with_product_pages(demo: Demo) -> None:
    # then web (gunicorn), worker (dramatiq), scheduler and both embedded services run separately
    assert demo.named("gunicorn paco.wsgi:application")
    assert demo.named("rundramatiq")
    assert demo.named("run_scheduler")
    assert demo.named("redis-server")
    assert demo.named("paco_demo.postgres")
    health = requests.get(f"{demo.url}/healthz", timeout=30).json()
    assert health["checks"]["broker"] == "ok"  # a real broker (Redis), not the in-process one

    # DEBUG is off: the product's own pages, in Portuguese
    missing = requests.get(f"{demo.url}/nao-existe/", timeout=30)
    assert missing.status_code == 404
    assert "Página não encontrada" in missing.text
    assert "Traceback" not in missing.text
    assert "URLconf" not in missing.text
    nobody = requests.get(f"{demo.url}/", headers={"Host": "0.0.0.0"}, timeout=30)  # noqa: S104
    assert nobody.status_code == 404
    assert "em <strong></strong>" not in nobody.text
    assert "não corresponde a nenhuma prefeitura" in nobody.text

    # static files collected and compressed, as whitenoise serves them in production
    static = requests.get(
        f"{demo.url}/static/htmx/htmx.min.js", headers={"Accept-Encoding": "gzip"}, timeout=30
    )
    assert static.status_code == 200
    assert static.headers["Content-Encoding"] == "gzip"

    # the log: URLs and logins, each request's line, no library chatter
    output = demo.output()
    assert f"http://aracaju.localhost:{demo.port}/" in output
    assert '"GET /nao-existe/ HTTP/1.1" 404' in output
    assert "weasyprint" not in output.lower()
    assert "DeprecationWarning" not in output


def test_the_older_release_data_was_migrated_forward(demo: Demo) -> None:
    # then the PostgreSQL 16 folder of the older release was upgraded to the embedded server's 18
    assert (demo.data / "pg" / "PG_VERSION").read_text().strip() == "18"
    assert (demo.data / "pg-16-before-upgrade" / "PG_VERSION").read_text().strip() == "16"
    assert "upgraded to PostgreSQL 18" in demo.output()
    # then the migrations that came after the older release are applied, in public and in the cities
    check = subprocess.run(  # noqa: S603
        [sys.executable, "src/manage.py", "showmigrations", "--plan"],
        cwd=ROOT,
        env={
            **demo_environment(demo.data, demo.port),
            "DATABASE_URL": (demo.data / "demo" / "database-url").read_text(),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stderr[-2000:]
    assert "[ ]" not in check.stdout
    # and the people the older release seeded still log in
    browser = requests.Session()
    login_page = browser.get(
        f"{demo.url}/entrar/", headers={"Host": f"aracaju.localhost:{demo.port}"}, timeout=30
    )
    assert login_page.status_code == 200
    answer = browser.post(
        f"{demo.url}/entrar/",
        data={
            "email": "cidadao@exemplo.com.br",
            "password": "Cidadao#2026",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={
            "Host": f"aracaju.localhost:{demo.port}",
            "Referer": f"http://aracaju.localhost:{demo.port}/entrar/",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:2000]


def test_a_second_demo_says_one_is_running(demo: Demo) -> None:
    second = subprocess.run(  # noqa: S603
        demo_command(free_port()),
        cwd=ROOT,
        env=demo_environment(demo.data, demo.port),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert second.returncode == 1
    assert (
        f"A demo is already running (pid {demo.process.pid}) at http://localhost:{demo.port}/"
        in second.stdout
    )
    assert demo.process.poll() is None


def test_a_killed_postgres_is_started_again(demo: Demo) -> None:
    postmaster = int((demo.data / "pg" / "postmaster.pid").read_text().split()[0])
    mark = len(demo.output())

    os.kill(postmaster, signal.SIGKILL)

    demo.wait_for("embedded PostgreSQL stopped unexpectedly; starting it again", after=mark)
    demo.wait_for("embedded PostgreSQL restarted", after=mark, seconds=300)
    deadline = time.monotonic() + 60
    while not healthy(demo.url):
        assert time.monotonic() < deadline, demo.output()[-3000:]
        time.sleep(0.5)


def test_a_job_outlives_the_web_process_that_enqueued_it(demo: Demo) -> None:
    """The job a request enqueues is in Redis, not in the web process: killing that process loses
    nothing (the old demo ran jobs on a thread of the web process)."""
    browser = requests.Session()
    form = browser.get(f"{demo.url}/cadastro/", timeout=30)
    assert form.status_code == 200
    sent = browser.post(
        f"{demo.url}/cadastro/",
        data={**signup_form_data(), "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        headers={"Referer": f"{demo.url}/cadastro/"},
        timeout=30,
    )
    assert sent.status_code == 200, sent.text[:2000]
    token = re.search(r"/cadastro/confirmar/([^/\"]+)/", sent.text)
    assert token is not None, sent.text[:3000]
    confirm_url = f"{demo.url}/cadastro/confirmar/{token.group(1)}/"
    mark = len(demo.output())
    workers = demo.named("rundramatiq")
    for process in workers:  # the worker holds still, so the job waits in the broker
        process.suspend()
    try:
        # when a request confirms the signup (which enqueues the city's provisioning)
        confirmed = browser.post(
            confirm_url,
            data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            headers={"Referer": confirm_url},
            allow_redirects=False,
            timeout=30,
        )
        assert confirmed.status_code == 302
        # gunicorn's access log shows the confirmation's request line without its token (the
        # worker writes it after the answer has gone: wait for it before killing that worker)
        demo.wait_for('"POST /cadastro/confirmar/[removido]/ HTTP/1.1" 302', after=mark, seconds=30)
        # and every web process that serves requests is killed (gunicorn's workers; its master,
        # which only starts new ones, stays: were it gone, the supervisor would stop the demo)
        web = demo.named("gunicorn paco.wsgi:application")
        # (the Procfile's `sh -c` line also names gunicorn: the master is the child of that shell)
        python = [process for process in web if process.name() not in {"sh", "bash", "dash"}]
        serving = [process for process in python if process.parent() in python]
        assert serving
        for process in serving:
            process.kill()
    finally:
        for process in workers:
            process.resume()

    # then the worker runs the provisioning all the same: the job was in Redis, not in the web process
    # (its outcome is onboarding's: "provisioned municipality lagarto", or its logged failure)
    deadline = time.monotonic() + 180
    while not any(
        outcome in demo.output()[mark:]
        for outcome in ("provisioned municipality lagarto", "provisioning of signup")
    ):
        assert time.monotonic() < deadline, demo.output()[-3000:]
        time.sleep(1)
    assert token.group(1) not in demo.output()


def test_ctrl_c_stops_every_process_of_the_demo(demo: Demo) -> None:
    running = demo.tree()
    assert len(running) >= 8  # supervisor, PostgreSQL (+ its backends), Redis, web, worker, scheduler

    # Ctrl-C in a terminal: SIGINT to the foreground process group (`make demo` execs the supervisor;
    # SIGTERM takes the same path: honcho's handler, then the services)
    os.killpg(demo.process.pid, signal.SIGINT)
    assert demo.process.wait(60) == 130

    deadline = time.monotonic() + 30
    while alive := [pid for pid, created in demo.seen.items() if _running(pid, created)]:
        assert time.monotonic() < deadline, f"still running: {alive}"
        time.sleep(0.2)
    assert not (demo.data / "demo" / "supervisor.json").exists()
    assert json.loads((demo.data / "pg" / ".handle_pids.json").read_text()) == []
    assert "the demo has stopped; nothing of it is left running" in demo.output()


def _running(pid: int, created: float) -> bool:
    """`pid` is still the process seen earlier (not a new one that got the number) and not a zombie."""
    try:
        process = psutil.Process(pid)
        return process.create_time() == created and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
