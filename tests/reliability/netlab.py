"""A few hosts on one network, made of Linux network namespaces (issue 19, point 5).

Each host is a network namespace (`ip netns`) with one interface, `eth0`, the end of a veth pair
whose other end is plugged into a bridge living in a namespace of its own (the "switch"). Nothing
is added to the machine's own network: its interfaces, routes and addresses stay as they were,
and the hosts reach each other (and only each other) on 10.91.0.0/24. Processes are started in a
host with `ip netns exec` (the same machine, processes and files; its own network stack: its own
addresses, ports and loopback).

Names carry this process's id (`paco<pid>-<host>`), so two runs never meet. `Lab.close()` stops
every process still in the lab's namespaces (SIGTERM, then SIGKILL), deletes the namespaces (their
veths go with them) and the lab's folder; it runs on failure too. A lab left behind by a run that
was killed outright (its pid gone) is swept by the next one.

Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2; `LabUnavailable` says what is missing.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from paco.embedded import server_user_reach

SUBNET = "10.91.0"
SWITCH = "switch"
_LAB_NAME = re.compile(r"^paco(\d+)-")


class LabUnavailable(RuntimeError):
    """This machine cannot build the lab (the reason is the message)."""


def _ip(*arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603 - iproute2 with arguments built here
        ["ip", *arguments], capture_output=True, text=True, timeout=30, check=False
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(arguments)}: {done.stderr.strip()}")
    return done


def namespace_pids(namespace: str) -> list[int]:
    done = _ip("netns", "pids", namespace, check=False)
    return [int(pid) for pid in done.stdout.split()] if done.returncode == 0 else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (dead, not yet reaped by its parent) is gone for our purpose
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
            return False
    return True


def namespace_kill(namespace: str, *, grace: float | None) -> None:
    """Every process of the namespace: SIGTERM and `grace` seconds, then SIGKILL (at once when
    `grace` is None); back when none is left."""
    steps = [(signal.SIGKILL, 10.0)] if grace is None else [(signal.SIGTERM, grace), (signal.SIGKILL, 10.0)]
    for sig, wait in steps:
        for pid in namespace_pids(namespace):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and any(_alive(pid) for pid in namespace_pids(namespace)):
            time.sleep(0.02)
        if not any(_alive(pid) for pid in namespace_pids(namespace)):
            return


def _namespace_delete(namespace: str) -> None:
    namespace_kill(namespace, grace=5.0)
    _ip("netns", "del", namespace, check=False)


def postgres_bin_dir(major: int) -> Path | None:
    """A PostgreSQL installation of the given major version with initdb and postgres: Debian's
    (/usr/lib/postgresql/<major>/bin), else the one bundled with the embedded server (pgserver)."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    with contextlib.suppress(ImportError):
        import pgserver

        candidates.append(Path(pgserver.__file__).parent / "pginstall" / "bin")
    for candidate in candidates:
        if all((candidate / name).is_file() for name in ("initdb", "postgres", "pg_isready", "createdb")):
            done = subprocess.run(  # noqa: S603
                [str(candidate / "postgres"), "--version"], capture_output=True, text=True, check=False
            )
            found = re.search(r"(\d+)\.", done.stdout)
            if found and int(found.group(1)) == major:
                return candidate
    return None


def stale_labs_sweep() -> list[str]:
    """Namespaces of labs whose run died without cleaning up (their pid is gone): deleted."""
    swept = []
    for line in _ip("netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        match = _LAB_NAME.match(name)
        if match and not _alive(int(match.group(1))):
            _namespace_delete(name)
            swept.append(name)
    return swept


class Lab:
    """Hosts on one bridge; `address[host]` is each host's IPv4 address."""

    def __init__(self, hosts: Sequence[str]) -> None:
        self.prefix = f"paco{os.getpid()}"
        self.hosts = list(hosts)
        self.address = {host: f"{SUBNET}.{10 + index}" for index, host in enumerate(self.hosts)}
        self.namespaces: list[str] = []
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[IO[bytes]] = []
        self._postgres_data: list[Path] = []
        self.folder = Path(tempfile.mkdtemp(prefix="paco-lab-"))
        # PostgreSQL runs as the postgres user: it must be able to walk into the lab's folder
        self.folder.chmod(0o711)

    def namespace(self, host: str) -> str:
        return f"{self.prefix}-{host}"

    def open(self) -> Lab:
        if os.geteuid() != 0:
            raise LabUnavailable("network namespaces need root (ip netns); this run is not root")
        if shutil.which("ip") is None:
            raise LabUnavailable("iproute2's `ip` is not installed (Debian: iproute2)")
        stale_labs_sweep()
        switch = self.namespace(SWITCH)
        done = _ip("netns", "add", switch, check=False)
        if done.returncode != 0:
            raise LabUnavailable(f"cannot create a network namespace: {done.stderr.strip()}")
        self.namespaces.append(switch)
        try:
            _ip("-n", switch, "link", "add", "br0", "type", "bridge")
            _ip("-n", switch, "link", "set", "br0", "up")
        except RuntimeError as error:
            raise LabUnavailable(f"cannot create a bridge in a namespace: {error}") from error
        for index, host in enumerate(self.hosts):
            namespace = self.namespace(host)
            _ip("netns", "add", namespace)
            self.namespaces.append(namespace)
            port = f"v{index}"
            try:
                # both ends made inside the lab: the switch's port and the host's eth0
                _ip(
                    "-n",
                    switch,
                    "link",
                    "add",
                    port,
                    "type",
                    "veth",
                    "peer",
                    "name",
                    "eth0",
                    "netns",
                    namespace,
                )
            except RuntimeError as error:
                raise LabUnavailable(f"cannot create a veth pair: {error}") from error
            _ip("-n", switch, "link", "set", port, "master", "br0")
            _ip("-n", switch, "link", "set", port, "up")
            _ip("-n", namespace, "addr", "add", f"{self.address[host]}/24", "dev", "eth0")
            _ip("-n", namespace, "link", "set", "eth0", "up")
            _ip("-n", namespace, "link", "set", "lo", "up")
        return self

    def command(self, host: str, argv: Sequence[str], *, user: str | None = None) -> list[str]:
        as_user = ["runuser", "-u", user, "--"] if user else []
        return ["ip", "netns", "exec", self.namespace(host), *as_user, *argv]

    def start(
        self,
        host: str,
        name: str,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
    ) -> subprocess.Popen[bytes]:
        """A long-running process in `host`, its output in `<lab folder>/<name>.log`."""
        log = (self.folder / f"{name}.log").open("wb")
        self._logs.append(log)
        process = subprocess.Popen(  # noqa: S603 - fixed programs, arguments built by the test
            self.command(host, argv, user=user),
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def run(
        self,
        host: str,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        """A command in `host`, waited for; a failure raises with its output."""
        done = subprocess.run(  # noqa: S603 - fixed programs, arguments built by the test
            self.command(host, argv, user=user),
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(argv[:3])} in {host} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                f"{done.stderr[-3000:]}"
            )
        return done

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def host_kill(self, host: str) -> None:
        """The host dies: SIGKILL to every process in it, back when none is left."""
        namespace_kill(self.namespace(host), grace=None)

    # -- PostgreSQL ----------------------------------------------------------------------------

    def postgres_start(self, host: str, bin_dir: Path, *, database: str = "paco") -> str:
        """A PostgreSQL cluster of its own in `host` (initdb, then the postmaster listening on the
        host's address, as the postgres user); returns its URL. Tuned for a throwaway: no fsync."""
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as error:
            raise LabUnavailable("no `postgres` user to run PostgreSQL as (Debian: postgresql)") from error
        data = self.folder / f"pg-{host}"
        data.mkdir()
        os.chown(data, owner.pw_uid, owner.pw_gid)
        # the embedded server's binaries may sit in a private clone (0700): let the postgres user pass
        # through to them, as `make demo` does for its own server (an ACL entry per folder, no listing)
        server_user_reach(bin_dir, user="postgres")
        self.run(
            host,
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            user="postgres",
        )
        with (data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {SUBNET}.0/24 trust\n")
        address = self.address[host]
        settings = {
            "listen_addresses": address,
            "port": "5432",
            "unix_socket_directories": str(data),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
            "shared_buffers": "64MB",
            "log_min_messages": "warning",
        }
        options = [part for key, value in settings.items() for part in ("-c", f"{key}={value}")]
        self.start(
            host, f"postgres-{host}", [str(bin_dir / "postgres"), "-D", str(data), *options], user="postgres"
        )
        self._postgres_data.append(data)
        deadline = time.monotonic() + 60
        while True:
            ready = subprocess.run(  # noqa: S603
                self.command(host, [str(bin_dir / "pg_isready"), "-q", "-h", address, "-t", "1"]),
                capture_output=True,
                check=False,
            )
            if ready.returncode == 0:
                break
            if time.monotonic() > deadline or self.processes[f"postgres-{host}"].poll() is not None:
                raise RuntimeError(f"PostgreSQL in {host} did not start:\n{self.log(f'postgres-{host}')}")
            time.sleep(0.2)
        self.run(host, [str(bin_dir / "createdb"), "-h", address, "-U", "postgres", database])
        return f"postgres://postgres@{address}:5432/{database}"

    def _postgres_stop(self, data: Path) -> None:
        """Fast shutdown (SIGINT to the postmaster): it removes its shared memory on the way out."""
        try:
            pid = int((data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.05)

    def close(self) -> None:
        for data in self._postgres_data:
            self._postgres_stop(data)
        # the hosts first (their processes stop on SIGTERM), the switch last
        for namespace in reversed(self.namespaces):
            _namespace_delete(namespace)
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        for log in self._logs:
            log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
