"""The foundation benches: provisioning (clone vs migrate) and the per-request cost of tenant resolution.

Knobs: BENCH_PROVISION_N (cities per method, default 5), BENCH_REQUESTS (requests per variant,
default 500).
"""

from __future__ import annotations

import os
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from tests.bench.figures import percentile, ratio

PROVISION_N = int(os.environ.get("BENCH_PROVISION_N", "5"))
REQUESTS_N = int(os.environ.get("BENCH_REQUESTS", "500"))
WARMUP_REQUESTS = 30
PAGES = ("/", "/acessibilidade/")


# --- provisioning --------------------------------------------------------------------------------

PRIMARY_COLORS = ("#0b4f9c", "#1b6e3a", "#7a1f5c", "#c25e00", "#255f85", "#5b3f8c", "#2f6f4e", "#8c2d19")
SECONDARY_COLORS = ("#f2b705", "#c8102e", "#ffcd07", "#e0e0e0", "#00a3a3", "#ff7f50", "#d4af37", "#4caf50")


def bench_spec(method: str, index: int) -> Any:
    from tenants.services import AdminSpec, MunicipalitySpec, OrgUnitSpec

    slug = f"bench-{method}-{index}"
    # Fictitious IBGE codes (9 is no state's prefix): 99 + method digit + 4-digit index.
    ibge_code = f"99{1 if method == 'clone' else 2}{index:04d}"
    return MunicipalitySpec(
        slug=slug,
        name=f"Bancada {method.capitalize()} {index}",
        display_name=f"Prefeitura Municipal de Bancada {method.capitalize()} {index}",
        ibge_code=ibge_code,
        state="SE" if index % 2 else "RS",
        population=10_000 + index,
        primary_color=PRIMARY_COLORS[index % len(PRIMARY_COLORS)],
        secondary_color=SECONDARY_COLORS[index % len(SECONDARY_COLORS)],
        org_chart=(
            OrgUnitSpec("30001", "SEAD", "Secretaria Municipal de Administração", "secretaria"),
            OrgUnitSpec("30002", "SEAD-PROT", "Protocolo Geral", "setor", parent="SEAD"),
            OrgUnitSpec("30003", "CGM", "Controladoria-Geral do Município", "controladoria"),
        ),
        admin=AdminSpec(
            f"admin@{slug}.gov.br", "Administradora da Bancada", "Bancada#Admin2026", unit="SEAD"
        ),
    )


def provisioning_bench() -> tuple[dict[str, list[float]], dict[str, dict[str, list[float]]], Any]:
    """Provision N cities per method, alternating methods so drift hits both alike."""
    from tenants.services import municipality_provision

    totals: dict[str, list[float]] = defaultdict(list)
    steps: dict[str, dict[str, list[float]]] = {"clone": defaultdict(list), "migrate": defaultdict(list)}
    first_city = None
    for index in range(1, PROVISION_N + 1):
        for method in ("clone", "migrate"):
            recorded = steps[method]

            def on_step(name: str, seconds: float, recorded: dict[str, list[float]] = recorded) -> None:
                recorded[name].append(seconds)

            started = time.perf_counter()
            municipality = municipality_provision(
                spec=bench_spec(method, index), method=method, on_step=on_step
            )
            totals[method].append(time.perf_counter() - started)
            if first_city is None:
                first_city = municipality
    return totals, steps, first_city


def provisioning_report(totals: dict[str, list[float]], steps: dict[str, dict[str, list[float]]]) -> None:
    print(f"\nProvisioning ({PROVISION_N} cities per method, wall time of municipality_provision)")
    print(f"  {'method':8} {'median s':>9} {'mean s':>9} {'min s':>9} {'max s':>9}")
    for method in ("clone", "migrate"):
        values = totals[method]
        print(
            f"  {method:8} {statistics.median(values):9.3f} {statistics.fmean(values):9.3f}"
            f" {min(values):9.3f} {max(values):9.3f}"
        )
    for method in ("clone", "migrate"):
        print(f"\n  per-step split, {method} (on_step callback)")
        print(f"    {'step':10} {'median ms':>10} {'mean ms':>10} {'share':>7}")
        step_total = sum(statistics.fmean(values) for values in steps[method].values())
        for name, values in steps[method].items():
            mean = statistics.fmean(values)
            share = mean / step_total * 100 if step_total else 0.0
            print(f"    {name:10} {statistics.median(values) * 1000:10.1f} {mean * 1000:10.1f} {share:6.1f}%")
    clone, migrate = totals["clone"], totals["migrate"]
    print(
        f"\n  ratio migrate/clone: median {ratio(statistics.median(migrate), statistics.median(clone))},"
        f" mean {ratio(statistics.fmean(migrate), statistics.fmean(clone))}"
    )


# --- tenant resolution ---------------------------------------------------------------------------


def bypass_middleware(municipality: Any) -> list[str]:
    """The real MIDDLEWARE with TenantMiddleware replaced by one that only sets `request.tenant`."""
    from django.conf import settings

    global _BENCH_TENANT
    _BENCH_TENANT = municipality
    return [
        f"{__name__}.FixedTenantMiddleware" if name == "tenants.middleware.TenantMiddleware" else name
        for name in settings.MIDDLEWARE
    ]


_BENCH_TENANT: Any = None


class FixedTenantMiddleware:
    """Stands in for TenantMiddleware: the schema was set once beforehand, no host lookup."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request.tenant = _BENCH_TENANT
        return self.get_response(request)


def _timed_get(client: Any, path: str, before: Callable[[], None] | None = None) -> float:
    if before is not None:
        before()
    started = time.perf_counter_ns()
    response = client.get(path)
    elapsed = time.perf_counter_ns() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}, expected 200")
    return elapsed / 1000  # microseconds


def resolution_bench(municipality: Any) -> dict[str, dict[str, list[float]]]:
    """Interleave, request by request, the full stack (warm and cold domain cache) and the bypass."""
    from django.db import connection
    from django.test import Client, override_settings

    from tenants.services import domain_cache_invalidate

    hostname = f"{municipality.slug}.localhost"
    full = Client(HTTP_HOST=hostname)
    bypass = Client(HTTP_HOST=hostname)

    # A client loads its middleware chain on its first request and keeps it, so the bypass
    # client is built under the overridden MIDDLEWARE and then measured under the real settings.
    with override_settings(MIDDLEWARE=bypass_middleware(municipality), ROOT_URLCONF="paco.urls_tenant"):
        connection.set_tenant(municipality)
        bypass.get(PAGES[0])

    def bypass_schema() -> None:
        # A guard, not a per-request switch: the interleaved full-stack requests leave the
        # connection in this same schema, so after the one set_tenant above this never fires.
        if connection.schema_name != municipality.schema_name:
            connection.set_tenant(municipality)

    def cold_cache() -> None:
        domain_cache_invalidate(hostname=hostname)

    results: dict[str, dict[str, list[float]]] = {}
    for path in PAGES:
        for _ in range(WARMUP_REQUESTS):
            _timed_get(full, path)
            _timed_get(bypass, path, bypass_schema)
            _timed_get(full, path, cold_cache)
        samples: dict[str, list[float]] = {"bypass": [], "full (cached host)": [], "full (cold host)": []}
        for _ in range(REQUESTS_N):
            samples["bypass"].append(_timed_get(bypass, path, bypass_schema))
            samples["full (cached host)"].append(_timed_get(full, path))
            samples["full (cold host)"].append(_timed_get(full, path, cold_cache))
        results[path] = samples
    connection.set_schema_to_public()
    return results


def middleware_alone_bench(municipality: Any) -> dict[str, list[float]]:
    """TenantMiddleware.process_request by itself, on a RequestFactory request (no view, no stack)."""
    from django.db import connection
    from django.test import RequestFactory

    from tenants.middleware import TenantMiddleware
    from tenants.services import domain_cache_invalidate

    hostname = f"{municipality.slug}.localhost"
    middleware = TenantMiddleware(lambda request: None)
    factory = RequestFactory(HTTP_HOST=hostname)
    calls = REQUESTS_N * 10
    samples: dict[str, list[float]] = {"cached host": [], "cold host": []}
    for name, before in (
        ("cached host", None),
        ("cold host", lambda: domain_cache_invalidate(hostname=hostname)),
    ):
        for index in range(WARMUP_REQUESTS + calls):
            request = factory.get("/")
            if before is not None:
                before()
            started = time.perf_counter_ns()
            middleware.process_request(request)
            elapsed = (time.perf_counter_ns() - started) / 1000
            if request.tenant is None or request.tenant.pk != municipality.pk:
                raise RuntimeError(f"{hostname} did not resolve to {municipality.slug}")
            if index >= WARMUP_REQUESTS:
                samples[name].append(elapsed)
    connection.set_schema_to_public()
    return samples


def middleware_alone_report(samples: dict[str, list[float]]) -> None:
    calls = len(samples["cached host"])
    print(f"\n  TenantMiddleware.process_request alone ({calls} calls each, RequestFactory, no view)")
    print(f"    {'variant':20} {'mean us':>9} {'p50 us':>9} {'p95 us':>9}")
    for name, values in samples.items():
        print(
            f"    {name:20} {statistics.fmean(values):9.1f} {percentile(values, 0.5):9.1f}"
            f" {percentile(values, 0.95):9.1f}"
        )


def resolution_report(results: dict[str, dict[str, list[float]]], hostname: str) -> None:
    print(f"\nTenant resolution ({REQUESTS_N} GETs per variant, Host {hostname}, interleaved, after warm-up)")
    print("  bypass: same MIDDLEWARE minus TenantMiddleware, schema set once with connection.set_tenant")
    print("  cold host: the host -> municipality cache entry deleted before each request (one DB lookup)")
    for path, samples in results.items():
        print(f"\n  GET {path}")
        print(f"    {'variant':20} {'mean us':>9} {'p50 us':>9} {'p95 us':>9}")
        for name, values in samples.items():
            print(
                f"    {name:20} {statistics.fmean(values):9.0f} {percentile(values, 0.5):9.0f}"
                f" {percentile(values, 0.95):9.0f}"
            )
        base = samples["bypass"]
        for name in ("full (cached host)", "full (cold host)"):
            values = samples[name]
            mean_ratio = ratio(statistics.fmean(values), statistics.fmean(base))
            print(
                f"    {name}: ratio full/bypass mean {mean_ratio},"
                f" p50 {ratio(percentile(values, 0.5), percentile(base, 0.5))};"
                f" overhead mean {statistics.fmean(values) - statistics.fmean(base):+.0f} us,"
                f" p50 {percentile(values, 0.5) - percentile(base, 0.5):+.0f} us"
            )
