"""Scrape-time metrics: the render pool's counts and the job queue's depth, read from whatever
the container holds, and nothing for parts that are absent."""

from __future__ import annotations

from types import SimpleNamespace

from avatar_service.entrypoints.metrics import ServiceMetrics, watch_queues


def _container(renderer: object, jobs: object | None) -> SimpleNamespace:
    adapters = SimpleNamespace(renderer=renderer, **({"jobs": jobs} if jobs else {}))
    return SimpleNamespace(metrics=ServiceMetrics(), adapters=adapters)


class _PooledRenderer:
    def __init__(self) -> None:
        self.stats = {"waiting": 3, "busy": 2, "restarts": 1, "size": 2}

    def pool_stats(self) -> dict[str, int]:
        return dict(self.stats)


class _Queue:
    def depth(self) -> int:
        return 7


def test_pool_counts_and_queue_depth_are_read_at_each_scrape() -> None:
    renderer = _PooledRenderer()
    container = _container(renderer, _Queue())
    watch_queues(container.metrics, container.adapters)
    text = container.metrics.exposition().decode()
    assert "avatar_render_pool_waiting 3.0" in text
    assert "avatar_render_pool_busy 2.0" in text
    assert "# TYPE avatar_render_pool_restarts_total counter" in text
    assert "avatar_render_pool_restarts_total 1.0" in text
    assert "avatar_jobs_queue_depth 7.0" in text
    renderer.stats["waiting"] = 0
    assert "avatar_render_pool_waiting 0.0" in container.metrics.exposition().decode()


def test_absent_parts_export_nothing() -> None:
    container = _container(object(), None)
    watch_queues(container.metrics, container.adapters)
    text = container.metrics.exposition().decode()
    assert "avatar_render_pool" not in text and "avatar_jobs" not in text


def test_rejected_statuses_are_counted_by_reason() -> None:
    metrics = ServiceMetrics()
    for status in (200, 401, 403, 413, 429, 503, 503, 404):
        metrics.observe_request("GET", "/v1/x", status, 0.01)
    text = metrics.exposition().decode()
    for reason, count in (
        ("unauthenticated", 1),
        ("forbidden", 1),
        ("too_large", 1),
        ("rate_limited", 1),
        ("unavailable", 2),
    ):
        assert f'avatar_http_rejected_requests_total{{reason="{reason}"}} {count:.1f}' in text
