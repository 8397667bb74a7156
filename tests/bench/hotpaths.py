"""Hot paths: anonymous pages under gunicorn with the Procfile's settings, against a bare Django page.

Two gunicorn servers, one after the other, each as the Procfile's `web` line runs it (WEB_CONCURRENCY
workers, default 3, access log on): a bare Django page (tests/bench/bare_wsgi.py: no middleware,
no template, no database), then Paço serving the demo's Aracaju. `wrk` (Debian's package, installed
by `make bench`) holds BENCH_HOT_CONNECTIONS connections (50) for BENCH_HOT_SECONDS (10) on each
path, after one second of warm-up. Each anonymous page is measured twice: as a visitor without
cookies gets it (from the per-city cache, paco.anonymous_cache) and with a `messages` cookie, which
bypasses the cache (the page rendered as before). Prints requests/s, latency and the ratio to the
bare page (the issue: 3,590 req/s bare vs 128 for the portal home, 3.6%; target 50% or more).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONNECTIONS = int(os.environ.get("BENCH_HOT_CONNECTIONS", "50"))
SECONDS = int(os.environ.get("BENCH_HOT_SECONDS", "10"))
WORKERS = os.environ.get("WEB_CONCURRENCY", "3")
HOST = "aracaju.localhost"
PAGES = (("portal home", "/"), ("Carta de Serviços", "/servicos/"), ("/verificar/", "/verificar/"))


@dataclass
class Load:
    label: str
    rate: float
    latency: str
    errors: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_answering(port: int, process: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    """Until a worker answers (the master listens before its workers have imported the app)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": HOST})
        try:
            with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - a local address
                return
        except urllib.error.HTTPError:
            return  # answered (the bare page has no /healthz)
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer")


def _gunicorn(app: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        app,
        "--chdir",
        str(ROOT / "src"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        WORKERS,
        "--access-logfile",
        "-",
    ]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _wait_answering(port, process)
    return process, port


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wrk(label: str, port: int, path: str, headers: list[str]) -> Load:
    import urllib.error
    import urllib.request

    probe = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers=dict(h.split(": ", 1) for h in headers)
    )
    try:
        with urllib.request.urlopen(probe, timeout=60) as answer:  # noqa: S310 - a local address
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        print(f"      {label}: GET {path} answered {status}")
    base = ["wrk", "-t2", f"-c{CONNECTIONS}", "--latency", "--timeout", "30s"]
    for header in headers:
        base += ["-H", header]
    url = f"http://127.0.0.1:{port}{path}"
    subprocess.run([*base, "-d1s", url], capture_output=True, check=False)  # warm-up
    done = subprocess.run([*base, f"-d{SECONDS}s", url], capture_output=True, text=True, check=False)
    out = done.stdout
    if "Requests/sec:" not in out:
        print(f"      wrk on {path} said: {(out + done.stderr).strip()[:300]}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%\s+(\S+)", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    count = int(errors.group(1)) if errors else 0
    if socket_errors:
        count += sum(int(value) for value in socket_errors.groups())
    latency = f"p50 {p50.group(1) if p50 else '?'}, p99 {p99.group(1) if p99 else '?'}"
    return Load(label, float(rate.group(1)) if rate else 0.0, latency, count)


def hotpaths_bench() -> None:
    from django.conf import settings
    from django.db import connections
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo
    from tenant_apps.catalog import demo as catalog_demo
    from tenants.models import Municipality
    from tenants.services import municipality_provision
    from tests.bench.controlplane import scratch_database_url

    if shutil.which("wrk") is None:
        print("\nHot paths: skipped, `wrk` is not installed (apt-get install wrk; `make bench` does it)")
        return
    municipality = Municipality.objects.filter(slug=demo.ARACAJU.slug).first()
    if municipality is None:
        municipality = municipality_provision(spec=demo.ARACAJU)
        demo.demo_people_seed(municipality)
        with tenant_context(municipality):
            catalog_demo.seed(municipality=municipality)
    connections.close_all()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "paco.settings.test"),
        "DATABASE_URL": scratch_database_url(),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        "LOG_LEVEL": "WARNING",
    }
    print(
        f"\nHot paths (gunicorn, {WORKERS} workers, access log on, as the Procfile's web line; wrk -t2"
        f" -c{CONNECTIONS} -d{SECONDS}s; cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]};"
        " before: bare 3,590 req/s, portal home 128 = 3.6%; target: 50% or more)"
    )
    bare_env = {**env, "PYTHONPATH": os.pathsep.join([str(ROOT), env["PYTHONPATH"]])}
    process, port = _gunicorn("tests.bench.bare_wsgi:application", bare_env)
    try:
        bare = _wrk("bare Django page", port, "/", [])
    finally:
        _stop(process)
    loads = [bare]
    process, port = _gunicorn("paco.wsgi:application", env)
    try:
        for label, path in PAGES:
            loads.append(_wrk(f"{label} (anonymous)", port, path, [f"Host: {HOST}"]))
            loads.append(_wrk(f"{label} (not cached)", port, path, [f"Host: {HOST}", "Cookie: messages=x"]))
    finally:
        _stop(process)
    print(f"    {'page':36} {'req/s':>9} {'of bare':>8}  {'latency':24} {'errors':>6}")
    for load in loads:
        share = load.rate / bare.rate * 100 if bare.rate else 0.0
        print(f"    {load.label:36} {load.rate:9.0f} {share:7.1f}%  {load.latency:24} {load.errors:6d}")
