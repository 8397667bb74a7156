"""The embedded PostgreSQL run by root from a private folder (a clone in `/root`, or the 0700 folder
of `mktemp -d`): PostgreSQL then runs as the user `pgserver`, which must reach the virtualenv's
binaries and the data folder without those folders being opened to everyone."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from paco.embedded import SERVER_USER, server_user_reach

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="only root hands PostgreSQL to another user (pgserver)"
)


def _modes(path: Path) -> dict[Path, int]:
    return {folder: stat.S_IMODE(folder.stat().st_mode) for folder in [path, *path.parents]}


def _as_server_user(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        list(command), user=SERVER_USER, capture_output=True, text=True, check=False, cwd="/"
    )


def _copy_pgserver(target: Path) -> None:
    """The virtualenv's pgserver, as it would be installed in a private clone (hard links: no 38 MB copy)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs, when XDG_RUNTIME_DIR is unset
        import pgserver

    package = Path(pgserver.__file__).parent
    for source in [package, *package.parent.glob("pgserver*.libs")]:
        try:
            shutil.copytree(source, target / source.name, copy_function=os.link)
        except OSError:
            shutil.copytree(source, target / source.name)


def test_the_embedded_server_starts_from_a_private_folder_which_stays_private(tmp_path: Path) -> None:
    private = tmp_path / "clone"
    private.mkdir(mode=0o700)
    site = private / ".venv-site"
    _copy_pgserver(site)
    pgdata = private / ".data" / "pg"
    pgdata.parent.mkdir()
    before = _modes(private)
    assert before[private] == 0o700

    started = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from paco.embedded import server_get\n"
            "server = server_get(Path(sys.argv[1]), cleanup_mode='stop')\n"
            "print(server.psql('select 40 + 2 as answer;'))",
            str(pgdata),
        ],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT / "src")])},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    # then PostgreSQL (run as pgserver from binaries inside the private folder) answered
    assert started.returncode == 0, started.stdout[-2000:] + started.stderr[-3000:]
    assert "42" in started.stdout
    assert str(site) in (pgdata / "postmaster.opts").read_text()
    # and no folder above the data or the binaries was opened to anyone (pgserver alone would add
    # go+rx to each, up to /): the private folder lets only pgserver pass, without listing it
    after = _modes(private)
    for folder, mode in before.items():
        assert after[folder] & 0o007 == mode & 0o007, f"{folder}: {oct(mode)} became {oct(after[folder])}"
    assert _as_server_user("stat", str(pgdata)).returncode == 0
    assert _as_server_user("ls", str(private)).returncode != 0


def test_the_server_user_may_pass_a_private_folder_but_not_list_it(tmp_path: Path) -> None:
    private = tmp_path / "private"
    inner = private / "inner"
    inner.mkdir(parents=True)
    private.chmod(0o700)
    assert _as_server_user("stat", str(inner)).returncode != 0

    server_user_reach(inner)
    server_user_reach(inner)  # a second grant changes nothing

    assert _as_server_user("stat", str(inner)).returncode == 0
    assert _as_server_user("ls", str(private)).returncode != 0
    assert stat.S_IMODE(private.stat().st_mode) & 0o007 == 0
    # the group that owns the folder gains nothing either (the ACL's mask is for pgserver's entry)
    raw = os.getxattr(private, "system.posix_acl_access")
    assert len(raw) == 4 + 8 * 5  # owner, pgserver, group, mask, others
