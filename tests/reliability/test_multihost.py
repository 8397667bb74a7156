"""Issue 19, point 5: Paço on several hosts, in network namespaces, and one web host killed under load.

Eight hosts on one bridge (tests/reliability/netlab.py), each a network namespace of its own with
its own address: `db1` and `db2` (two PostgreSQL clusters, each its own initdb and postmaster from
the PostgreSQL binaries of the test server's major version, Debian's /usr/lib/postgresql/<n>/bin),
`redis`, `worker` and `web1`/`web2` (the Procfile's `worker` and `web` lines themselves: gunicorn
with the production settings), `ops` (where the control plane is loaded and the cities are made)
and `client` (the citizens).

1. db1 gets the control plane: the test database (public schema, template, the demo's two cities)
   copied by pg_dump/pg_restore; db2 is empty and named in TENANT_DATABASES (`c2`).
2. Cities are added by the real provisioning until there are PACO_MULTIHOST_CITIES, spread over
   both clusters; each city carries a marker the others lack (tests/reliability/multihost_cities.py),
   and a job per city goes through Redis to the worker, which must see the city's own schema.
3. PACO_MULTIHOST_CONCURRENCY citizens ask for the portal, the Carta de Serviços and the services
   API of every city, from both web hosts in turn, for PACO_MULTIHOST_SECONDS; halfway, every
   process of `web1` is killed (SIGKILL: the host dies). The citizens then go to `web2` only (a
   refused connection is retried on the other host, as a load balancer does).
4. Then: no request lost beyond those in flight on web1 at the kill, no answer with another city's
   marker, every job in its own city. Printed: requests/s, p50/p99, errors.

`make test` runs a lean form (4 cities, 6 s of load, 2 gunicorn workers per host); `make soak`
(PACO_SOAK=1) the full one (50 cities, 40 s, the Procfile's 3 workers). Skipped with the reason
where namespaces cannot be made (not root, no iproute2) or a piece is missing (PostgreSQL of the
test server's version, redis-server). Everything started is stopped and removed, on failure too.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.netlab import Lab, LabUnavailable, postgres_bin_dir

ROOT = Path(__file__).resolve().parents[2]
SOAK = os.environ.get("PACO_SOAK") == "1"
CITIES = int(os.environ.get("PACO_MULTIHOST_CITIES", "50" if SOAK else "4"))
SECONDS = float(os.environ.get("PACO_MULTIHOST_SECONDS", "40" if SOAK else "6"))
CONCURRENCY = int(os.environ.get("PACO_MULTIHOST_CONCURRENCY", "50" if SOAK else "12"))
WEB_WORKERS = os.environ.get("PACO_MULTIHOST_WEB_WORKERS", "3" if SOAK else "2")
HOSTS = ("db1", "db2", "redis", "worker", "web1", "web2", "ops", "client")
PATHS = ["/", "/servicos/", "/api/v1/services/"]
WEB_PORT = 8000
REDIS_PASSWORD = secrets.token_hex(16)  # the lab's Redis listens on an address, not on loopback


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def _test_database() -> dict[str, Any]:
    from django.db import connection

    return connection.settings_dict


def _control_plane_dump(bin_dir: Path, target: Path) -> None:
    """The test database (control plane, template, demo cities; not the schema pool), custom format."""
    database = _test_database()
    options = database.get("OPTIONS") or {}
    command = [str(bin_dir / "pg_dump"), "--format=custom", "--exclude-schema=pool_*", "--file", str(target)]
    for option, value in (
        ("--host", database.get("HOST") or options.get("host")),
        ("--port", database.get("PORT") or options.get("port")),
        ("--username", database.get("USER")),
    ):
        if value:
            command += [option, str(value)]
    environment = {**os.environ, "PGPASSWORD": str(database.get("PASSWORD") or "")}
    subprocess.run(  # noqa: S603 - the test server's own pg_dump, arguments built here
        [*command, str(database["NAME"])], env=environment, check=True, capture_output=True, timeout=300
    )


def _environment(lab: Lab, database_url: str, second_url: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    environment = {name: os.environ[name] for name in keep if name in os.environ}
    environment.update(
        {
            "PATH": f"{Path(sys.executable).parent}:{environment.get('PATH', '/usr/bin:/bin')}",
            "DJANGO_SETTINGS_MODULE": "paco.settings.production",
            "DATABASE_URL": database_url,
            "TENANT_DATABASES": f"c2={second_url}",
            "REDIS_URL": f"redis://:{REDIS_PASSWORD}@{lab.address['redis']}:6379/0",
            "DRAMATIQ_NAMESPACE": "paco-lab",
            "SECRET_KEY": "multi-host-test-" + "x" * 50,
            "SECURE_SSL_REDIRECT": "False",
            "ALLOWED_HOSTS": "*",
            "CONTROL_PLANE_HOSTS": "localhost",
            "TENANT_DOMAIN_SUFFIX": "localhost",
            "MEDIA_ROOT": str(lab.folder / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            # one client address for every citizen: no throttling (the limits are tested elsewhere)
            "API_RATE_ADDRESS": "1000000/min",
            "API_RATE_USER": "1000000/min",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "PORT": str(WEB_PORT),
            "WEB_CONCURRENCY": WEB_WORKERS,
            "WORKER_PROCESSES": "1",
            "WORKER_THREADS": "2",
        }
    )
    return environment


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@pytest.mark.django_db  # the test database, created and seeded, to copy the control plane from
def test_two_web_hosts_a_worker_redis_and_two_clusters_lose_nothing_when_a_web_host_dies() -> None:
    from django.db import connection

    wall = time.monotonic()
    connection.ensure_connection()
    major = connection.pg_version // 10000  # type: ignore[attr-defined]
    bin_dir = postgres_bin_dir(major)
    if bin_dir is None:
        pytest.skip(
            f"multi-host test skipped: no PostgreSQL {major} binaries (initdb, postgres) on this machine"
        )
    if shutil.which("redis-server") is None:
        pytest.skip("multi-host test skipped: redis-server is not installed (Debian: redis-server)")
    lab = Lab(HOSTS)
    try:
        try:
            lab.open()
        except LabUnavailable as error:
            pytest.skip(f"multi-host test skipped: {error}")
        timings: dict[str, float] = {}

        # the two clusters (initdb in parallel) while the control plane is dumped from the test database
        urls: dict[str, str] = {}
        errors: list[BaseException] = []

        def cluster(host: str) -> None:
            try:
                urls[host] = lab.postgres_start(host, bin_dir)
            except BaseException as error:  # noqa: BLE001 - raised below, in the test's thread
                errors.append(error)

        started = time.monotonic()
        threads = [threading.Thread(target=cluster, args=(host,)) for host in ("db1", "db2")]
        for thread in threads:
            thread.start()
        dump = lab.folder / "controlplane.dump"
        _control_plane_dump(bin_dir, dump)
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        lab.start(
            "redis",
            "redis",
            ["redis-server", "--bind", lab.address["redis"], "--port", "6379"]
            + ["--requirepass", REDIS_PASSWORD, "--save", "", "--appendonly", "no"],
        )
        lab.run(
            "ops",
            [
                str(bin_dir / "pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--dbname",
                urls["db1"],
                str(dump),
            ],
        )
        timings["clusters"] = time.monotonic() - started

        # the Procfile's processes, each on its host; the cities meanwhile, from ops
        started = time.monotonic()
        environment = _environment(lab, urls["db1"], urls["db2"])
        procfile = _procfile()
        lab.start("worker", "worker", ["sh", "-c", procfile["worker"]], env=environment, cwd=ROOT)
        for host in ("web1", "web2"):
            lab.start(host, host, ["sh", "-c", procfile["web"]], env=environment, cwd=ROOT)
        made = lab.folder / "cities.json"
        lab.run(
            "ops",
            [sys.executable, "tests/reliability/multihost_cities.py", str(CITIES), str(made)],
            env=environment,
            cwd=ROOT,
            timeout=900,
        )
        summary = json.loads(made.read_text())
        timings["processes and cities"] = time.monotonic() - started

        cities = summary["cities"]
        by_cluster: dict[str, int] = {}
        for city in cities:
            by_cluster[city["cluster"]] = by_cluster.get(city["cluster"], 0) + 1
        assert sorted(by_cluster) == ["c2", "default"], by_cluster
        assert summary["pings"] == {city["slug"]: "ok" for city in cities}

        # the load, and web1 killed halfway
        config = lab.folder / "load.json"
        result_path = lab.folder / "result.json"
        config.write_text(
            json.dumps(
                {
                    "targets": [f"{lab.address[host]}:{WEB_PORT}" for host in ("web1", "web2")],
                    "cities": cities,
                    "paths": PATHS,
                    "seconds": SECONDS,
                    "concurrency": CONCURRENCY,
                }
            )
        )
        loading = time.monotonic()
        load = lab.start(
            "client",
            "load",
            [
                sys.executable,
                str(ROOT / "tests/reliability/multihost_load.py"),
                str(config),
                str(result_path),
            ],
        )
        deadline = time.monotonic() + 240  # the web hosts answering, then one warm-up pass
        while "started" not in lab.log("load"):
            assert load.poll() is None, lab.log("load")
            assert time.monotonic() < deadline, "the load did not start"
            time.sleep(0.05)
        began = float(lab.log("load").split()[1])
        timings["warm-up"] = began - loading
        time.sleep(max(0.0, began + SECONDS / 2 - time.monotonic()))
        killed_at = time.monotonic()
        lab.host_kill("web1")
        killed_done = time.monotonic()
        load.wait(timeout=SECONDS + 120)
        result = json.loads(result_path.read_text())
    finally:
        logs = {name: lab.log(name)[-2000:] for name in ("web1", "web2", "worker")}
        lab.close()

    web1, web2 = (f"{lab.address[host]}:{WEB_PORT}" for host in ("web1", "web2"))
    requests = result["requests"]
    # in flight at the kill: sent to web1 before every process of it was gone, not answered before
    # (a citizen whose request was cut may send one more there while its processes are dying: a
    # reset, unlike a refused connection, does not tell the balancer the host is down)
    in_flight = [
        failure
        for failure in result["failures"]
        if failure["target"] == web1 and failure["start"] <= killed_done and failure["end"] >= killed_at
    ]
    lost = [failure for failure in result["failures"] if failure not in in_flight]
    served = [request for request in requests if request[3] == "ok"]
    latencies = [end - start for start, end, _target, outcome in served]
    seconds = result["ended"] - result["began"]
    on_db1, on_db2 = by_cluster.get("default", 0), by_cluster.get("c2", 0)
    p50, p99 = _percentile(latencies, 0.5) * 1000, _percentile(latencies, 0.99) * 1000
    lines = [
        f"multi-host: {len(cities)} cities ({on_db1} on db1, {on_db2} on db2), {CONCURRENCY} citizens"
        f" for {seconds:.1f} s, gunicorn --workers {WEB_WORKERS} on web1 and web2;"
        f" web1 killed at {killed_at - result['began']:.1f} s",
        f"  {len(requests) / seconds:.0f} requests/s, p50 {p50:.0f} ms, p99 {p99:.0f} ms;"
        f" {len(requests)} requests, errors {len(result['failures'])} (in flight on web1 at the kill"
        f" {len(in_flight)}, lost {len(lost)}), cross-city {len(result['crossed'])},"
        f" retried on web2 {result['failovers']}",
        f"  setup: clusters {timings['clusters']:.1f} s, processes and {summary['provisioned']} cities"
        f" {timings['processes and cities']:.1f} s (provisioning {summary['provision_seconds']:.1f} s,"
        f" jobs {summary['ping_seconds']:.1f} s), warm-up {timings['warm-up']:.1f} s;"
        f" wall {time.monotonic() - wall:.1f} s",
    ]
    print("\n" + "\n".join(lines))  # noqa: T201 - the figures of the run
    assert result["crossed"] == []
    assert lost == [], (lost[:5], logs)
    # the host's death cut them (a reset or a closed connection), not an error page of the application
    assert not [failure for failure in in_flight if failure["why"].startswith("HTTP")]
    assert any(target == web1 and start < killed_at for start, _end, target, _outcome in served)
    after = [request for request in served if request[0] > killed_done]
    assert after
    assert all(target == web2 for _start, _end, target, _outcome in after)
