"""Issue 10, reliability suite (soak only): 200 concurrent citizens against gunicorn with the
Procfile's settings, for a fixed time. Zero errors; prints req/s, p50, p99 and the ratio to a bare
page served by the same gunicorn in the same run. `make soak` runs it (PACO_SOAK=1)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.jobs.test_tenant_jobs import _test_database_url
from tests.notifications.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
SOAK = os.environ.get("PACO_SOAK") == "1"
CITIZENS = int(os.environ.get("PACO_LOAD_CITIZENS", "200"))
SECONDS = float(os.environ.get("PACO_LOAD_SECONDS", "30"))
CITIZEN_PATHS = ["/", "/servicos/", "/api/v1/services/", "/healthz"]


def _run_load(port: int, paths: list[str], seconds: float) -> tuple[list[float], int, int]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def citizen(index: int) -> None:
        n = index
        while time.monotonic() < stop:
            path = paths[n % len(paths)]
            n += 1
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"Host": "aracaju.localhost"}
            )
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    ok = response.status < 500
            except urllib.error.HTTPError as error:
                ok = error.code < 500 and error.code != 429
            except OSError:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors[0] += 1

    threads = [threading.Thread(target=citizen, args=(index,)) for index in range(CITIZENS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], len(latencies)


def _figures(label: str, latencies: list[float], seconds: float) -> float:
    quantiles = statistics.quantiles(latencies, n=100)
    rate = len(latencies) / seconds
    print(f"{label}: {rate:.0f} req/s, p50 {quantiles[49] * 1000:.0f} ms, p99 {quantiles[98] * 1000:.0f} ms")  # noqa: T201
    return rate


@pytest.mark.skipif(not SOAK, reason="soak only (make soak)")
def test_200_concurrent_citizens_against_gunicorn(django_db_setup, django_db_blocker):
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "paco.settings.production",
        "DATABASE_URL": _test_database_url(),
        "SECRET_KEY": "load-test-" + "x" * 50,
        "SECURE_SSL_REDIRECT": "False",
        "ALLOWED_HOSTS": ".localhost,127.0.0.1",
        "CACHE_URL": f"redis://127.0.0.1:6379/{os.environ.get('TEST_CACHE_REDIS_DB', '15')}",
        "CACHE_KEY_PREFIX": f"load-{port}",
        # no throttling of the load generator's one address (the limits are tested elsewhere)
        "API_RATE_ADDRESS": "1000000/min",
        "API_RATE_USER": "1000000/min",
    }
    procfile_workers = os.environ.get("WEB_CONCURRENCY", "3")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tests.reliability.loadapp:application",
            "--chdir",
            str(ROOT),
            "--pythonpath",
            f"{ROOT / 'src'},{ROOT}",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            procfile_workers,
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/__bare__", timeout=2).read()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.3)
        print(f"\n{CITIZENS} concurrent citizens for {SECONDS:.0f} s, gunicorn --workers {procfile_workers}")  # noqa: T201
        bare, bare_errors, _count = _run_load(port, ["/__bare__"], SECONDS / 3)
        bare_rate = _figures("bare page", bare, SECONDS / 3)
        latencies, errors, count = _run_load(port, CITIZEN_PATHS, SECONDS)
        rate = _figures("citizen pages", latencies, SECONDS)
        print(f"ratio to the bare page: {rate / bare_rate:.2f}; errors {errors} of {count}")  # noqa: T201
        assert (errors, bare_errors) == (0, 0)
    finally:
        server.terminate()
        server.wait(timeout=30)
