"""Small helpers the benchmark scripts share: timing loops and percentiles."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def percentile(samples: list[float], fraction: float) -> float:
    """The ``fraction`` (0..1) percentile by nearest rank."""
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def timed(fn: Callable[[], object], repeat: int, warmup: int = 3) -> list[float]:
    """Wall seconds of ``repeat`` calls of ``fn`` after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def summary(label: str, samples: list[float], unit: float = 1e3, suffix: str = "ms") -> str:
    return (
        f"{label}: p50 {statistics.median(samples) * unit:.2f} {suffix}, "
        f"p95 {percentile(samples, 0.95) * unit:.2f} {suffix} (n={len(samples)})"
    )
