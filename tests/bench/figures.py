"""Figures shared by the benches: percentiles, ratios, a stopwatch and one summary line format."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator else "n/a"


@contextmanager
def stopwatch(label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    print(f"  {label:32} {time.perf_counter() - started:8.2f} s", flush=True)


def milliseconds_line(label: str, values_ms: list[float], *, width: int = 34, note: str = "") -> str:
    """`label  runs  p50  p95  mean  max` in milliseconds, one line of a table."""
    return (
        f"    {label:{width}} {len(values_ms):5d} {percentile(values_ms, 0.5):9.2f}"
        f" {percentile(values_ms, 0.95):9.2f} {statistics.fmean(values_ms):9.2f} {max(values_ms):9.2f}"
        f"{'  ' + note if note else ''}"
    )


def milliseconds_header(first: str, *, width: int = 34) -> str:
    return f"    {first:{width}} {'runs':>5} {'p50 ms':>9} {'p95 ms':>9} {'mean ms':>9} {'max ms':>9}"
