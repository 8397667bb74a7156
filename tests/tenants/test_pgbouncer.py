"""PgBouncer in front of the schema-per-city database: session pooling keeps search_path per
client, transaction pooling leaks it to other clients (hence the tenants.E001 system check).

A real PgBouncer (Debian's `pgbouncer`, installed by `make pgbouncer`) on a free port in front of
the test database; skipped with a message where it is not installed.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.checks import run_checks
from django.db import connection
from django.test import override_settings

PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def pgbouncer(mode: str) -> Iterator[int]:
    if PGBOUNCER is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer; `make pgbouncer`)")
    if str(connection.settings_dict.get("HOST") or "").startswith("/"):
        pytest.skip("the embedded PostgreSQL listens on a Unix socket only: this test needs DATABASE_URL")
    params = connection.settings_dict
    port = _free_port()
    directory = Path(tempfile.mkdtemp(prefix="paco-pgbouncer-"))
    (directory / "pgbouncer.ini").write_text(
        f"[databases]\ncity = host={params.get('HOST') or '127.0.0.1'} port={params.get('PORT') or 5432}"
        f" dbname={params['NAME']} user={params.get('USER') or 'postgres'}"
        + (f" password={params['PASSWORD']}" if params.get("PASSWORD") else "")
        + "\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {directory / 'users.txt'}\npool_mode = {mode}\n"
        "default_pool_size = 1\nmax_client_conn = 10\nserver_reset_query = DISCARD ALL\n"
        f"logfile = {directory / 'pgbouncer.log'}\npidfile = {directory / 'pgbouncer.pid'}\n"
    )
    (directory / "users.txt").write_text(f'"{params.get("USER") or "postgres"}" ""\n')
    os.chmod(directory, 0o777)  # noqa: S103 - a throwaway directory; pgbouncer drops root to postgres
    for path in directory.iterdir():
        os.chmod(path, 0o666)  # noqa: S103
    command = [PGBOUNCER, str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.skip(f"pgbouncer did not start: {output[:300]}")
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


def _client(port: int) -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        host="127.0.0.1", port=port, dbname="city", user=params.get("USER") or "postgres", autocommit=True
    )


def _search_path_seen_by_a_second_client(port: int, mode: str) -> str:
    """Client A sets Aracaju's search_path the way django-tenants does (outside a transaction, once);
    then client B, on the same one-server-connection pool, reads its own search_path. In session
    mode B gets the server connection only once A has disconnected (as a gunicorn worker's
    connection is released); in transaction mode it gets it between two of A's transactions."""
    first = _client(port)
    try:
        first.execute('SET search_path = "aracaju", public')
        if mode == "session":
            first.close()
        second = _client(port)
        try:
            return str(second.execute("SHOW search_path").fetchone()[0])
        finally:
            second.close()
    finally:
        if not first.closed:
            first.close()


@pytest.mark.django_db
def test_session_pooling_never_hands_a_city_search_path_to_another_client():
    with pgbouncer("session") as port:
        seen = _search_path_seen_by_a_second_client(port, "session")
    assert "aracaju" not in seen  # DISCARD ALL between clients: back to the default


@pytest.mark.django_db
def test_transaction_pooling_would_leak_the_search_path_and_the_check_refuses_it():
    with pgbouncer("transaction") as port:
        seen = _search_path_seen_by_a_second_client(port, "transaction")
    assert "aracaju" in seen  # B runs on A's server connection, in Aracaju's schema
    with override_settings(DATABASE_POOL_MODE="transaction"):
        assert [error.id for error in run_checks(tags=["tenants"])] == ["tenants.E001"]
    with override_settings(DATABASE_POOL_MODE="session"):
        assert run_checks(tags=["tenants"]) == []
