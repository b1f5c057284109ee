"""The service's Prometheus metrics: one registry per container (so tests and several apps in
one process never collide), exposed as text at ``GET /metrics``.

Counts are per process. With ``serve --workers N`` each worker keeps its own numbers and a
scrape reaches whichever worker accepted it; see ``docs/observability.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
WORK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
REJECTED = {
    401: "unauthenticated",
    403: "forbidden",
    413: "too_large",
    429: "rate_limited",
    503: "unavailable",
}
"""Statuses counted as rejected requests, by reason (503: shed or a dependency down)."""
UNMATCHED = "unmatched"
"""The route label of a request no route matched (its raw path is never a label)."""


class ServiceMetrics:
    """The metric families of one service instance, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.request_seconds = Histogram(
            "avatar_http_request_duration_seconds",
            "HTTP request latency by route template, method and status class.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.requests = Counter(
            "avatar_http_requests",
            "HTTP requests answered, by route template, method and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.rejected = Counter(
            "avatar_http_rejected_requests",
            "Requests refused: unauthenticated, forbidden, too_large, rate_limited, unavailable.",
            ["reason"],
            registry=self.registry,
        )
        self.synthesis_seconds = Histogram(
            "avatar_synthesis_duration_seconds",
            "Time spent in speech synthesis, per call; outcome ok or error.",
            ["engine", "outcome"],
            buckets=WORK_BUCKETS,
            registry=self.registry,
        )
        self.render_seconds = Histogram(
            "avatar_render_duration_seconds",
            "Time spent rendering, per frame or sequence; outcome ok or error.",
            ["kind", "outcome"],
            buckets=WORK_BUCKETS,
            registry=self.registry,
        )
        self._series: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        series = self._series.get((method, route, status))
        if series is None:
            series = self._series[(method, route, status)] = self._children(method, route, status)
        latency, count, rejected = series
        latency.observe(seconds)
        count.inc()
        if rejected is not None:
            rejected.inc()

    def _children(self, method: str, route: str, status: int) -> tuple[Any, Any, Any]:
        """The series one request outcome updates (``labels()`` is resolved once per key:
        it costs more than the update itself on the hot path)."""
        reason = REJECTED.get(status)
        return (
            self.request_seconds.labels(method, route, f"{status // 100}xx"),
            self.requests.labels(method, route, str(status)),
            self.rejected.labels(reason) if reason is not None else None,
        )

    def watch(self, read: Callable[[], dict[str, int] | None], prefix: str, help_of: str) -> None:
        """Export ``read()``'s counts at each scrape (see ``PoolCollector``)."""
        self.registry.register(PoolCollector(read, prefix, help_of))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class PoolCollector(Collector):
    """Gauges (and the ``restarts`` counter) read from a callable at scrape time; nothing is
    exported while it returns ``None`` (e.g. a renderer without a pool)."""

    def __init__(self, read: Callable[[], dict[str, int] | None], prefix: str, help_of: str):
        self._read = read
        self._prefix = prefix
        self._help_of = help_of

    def collect(self) -> Iterator[Metric]:
        stats = self._read()
        if stats is None:
            return
        for name, value in sorted(stats.items()):
            metric: Any
            full = f"{self._prefix}_{name}"
            if name == "restarts":
                metric = CounterMetricFamily(full, f"{self._help_of}: workers restarted")
            else:
                metric = GaugeMetricFamily(full, f"{self._help_of}: {name.replace('_', ' ')}")
            metric.add_metric([], float(value))
            yield metric

    def describe(self) -> list[Metric]:
        return []


def watch_queues(metrics: ServiceMetrics, adapters: Any) -> None:
    """Export the render pool's counts (``pool_stats()`` of the renderer, when it has one) and
    the job queue's depth (``depth()`` of the ``jobs`` adapter, when there is one) at each
    scrape."""

    def render_pool() -> dict[str, int] | None:
        stats = getattr(adapters.renderer, "pool_stats", None)
        return stats() if callable(stats) else None

    def job_queue() -> dict[str, int] | None:
        depth = getattr(getattr(adapters, "jobs", None), "depth", None)
        return {"queue_depth": int(depth())} if callable(depth) else None

    metrics.watch(render_pool, "avatar_render_pool", "Render worker pool")
    metrics.watch(job_queue, "avatar_jobs", "Render jobs")
