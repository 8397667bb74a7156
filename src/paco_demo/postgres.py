"""The demo's embedded PostgreSQL, kept alive: `python -m paco_demo.postgres PGDATA URLFILE`.

Started by the demo's supervisor (`paco_demo.run`) as its first child. It starts the server with
pgserver (which also creates the cluster on a first run), writes the connection URL to URLFILE for
the other processes, then watches the postmaster: when it dies it says so and starts it again.
SIGTERM or SIGINT (or the supervisor dying) stops the server and removes this process from
pgserver's holder list, so nothing is left running and no stale pid stays behind.

Imports no Django: it must be up before anything that reads settings.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote

from paco.embedded import server_get

WATCH_SECONDS = 0.5
RESTART_SECONDS = 300


def say(message: str) -> None:
    print(message, flush=True)


def database_url(socket_dir: Path) -> str:
    """A `DATABASE_URL` (django-environ syntax) for the server listening in `socket_dir`."""
    return f"postgres://postgres@/postgres?host={quote(str(socket_dir), safe='/')}"


def holders_prune(pgdata: Path) -> list[int]:
    """Drop dead processes from pgserver's list of holders (`.handle_pids.json`); the pids removed."""
    import psutil
    from pgserver.utils import DiskList

    holders = DiskList(pgdata / ".handle_pids.json")
    stale = [pid for pid in holders.get() if not psutil.pid_exists(pid)]
    if stale:
        holders.put([pid for pid in holders.get() if pid not in stale])
    return stale


class Keeper:
    def __init__(self, pgdata: Path, url_file: Path) -> None:
        self.pgdata = pgdata
        self.url_file = url_file
        self.stopping = threading.Event()
        self.parent = os.getppid()
        self.server: Any = None  # pgserver's PostgresServer (untyped)
        self.socket_dir: Path | None = None

    def start(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            # importing pgserver: platformdirs warns when XDG_RUNTIME_DIR is unset (falls back to /tmp)
            warnings.simplefilter("ignore")
            stale = holders_prune(self.pgdata)
        if stale:
            say(f"removed stale PostgreSQL holders {stale} from {self.pgdata / '.handle_pids.json'}")
        # cleanup_mode=None: this process stops the server itself, on its own signal
        self.server = server_get(self.pgdata, cleanup_mode=None)
        info = self.server.get_postmaster_info()
        self.socket_dir = info.socket_dir
        self.url_file.write_text(database_url(info.socket_dir))
        say(f"embedded PostgreSQL ready (pid {info.pid}, data in {self.pgdata})")

    def postmaster_pid(self) -> int | None:
        from pgserver.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        if info is not None and info.is_running():
            return info.pid
        return None

    def restart(self) -> None:
        """Start the server again on the same socket; crash recovery may take a while on a busy
        machine, so wait up to RESTART_SECONDS (pgserver's own start gives up after 10 s)."""
        from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

        pg_ctl(
            ["-w", "-t", str(RESTART_SECONDS), "-o", '-h ""', "-o", f"-k {self.socket_dir}",
             "-l", str(self.pgdata / "log"), "start"],
            pgdata=self.pgdata,
            user=self.server.system_user,
            timeout=RESTART_SECONDS + 10,
        )  # fmt: skip
        say(f"embedded PostgreSQL restarted (pid {self.postmaster_pid()})")

    def watch(self) -> None:
        while not self.stopping.wait(WATCH_SECONDS):
            if os.getppid() != self.parent:
                say("the demo's supervisor is gone: stopping the embedded PostgreSQL")
                break
            if self.postmaster_pid() is None and not self.stopping.is_set():
                say("embedded PostgreSQL stopped unexpectedly; starting it again")
                try:
                    self.restart()
                except Exception as error:  # noqa: BLE001 - said, then tried again on the next look
                    say(f"could not restart the embedded PostgreSQL: {error}")

    def stop(self) -> None:
        from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

        server = self.server
        if server is None:
            return
        if self.postmaster_pid() is not None:
            try:
                pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=server.system_user)
            except subprocess.CalledProcessError:
                pass  # already stopping or stopped
        server.global_process_id_list.get_and_remove(os.getpid())
        self.url_file.unlink(missing_ok=True)
        say("embedded PostgreSQL stopped")


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING)
    keeper = Keeper(Path(argv[0]).resolve(), Path(argv[1]).resolve())

    def on_signal(signum: int, frame: FrameType | None) -> None:
        keeper.stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        keeper.start()
        keeper.watch()
    finally:
        keeper.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
