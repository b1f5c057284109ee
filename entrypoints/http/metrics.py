"""``GET /metrics`` (Prometheus text format) and the observer of every HTTP request.

Requests are labelled by route template (``/v1/avatars/{avatar_id}/state``), never by raw
path, so the number of series stays bounded; a request no route matched is ``unmatched``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar, Response, get
from litestar.di import NamedDependency
from litestar.types import HTTPScope

from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.tenancy import SERVICE_CONTAINER
from avatar_service.entrypoints.metrics import UNMATCHED

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@get(
    "/metrics",
    operation_id="metrics",
    tags=["health"],
    sync_to_thread=False,
    media_type=PROMETHEUS_TEXT,
    dependencies=SERVICE_CONTAINER,
)
def metrics_endpoint(container: NamedDependency[Container]) -> Response[bytes]:
    """Every metric of this process in the Prometheus text exposition format (see
    docs/observability.md)."""
    return Response(container.metrics.exposition(), media_type=PROMETHEUS_TEXT)


RequestObserver = Callable[[HTTPScope, int, float], None]
"""Called once per finished HTTP request with its scope, status and seconds taken."""


def request_observer(litestar: Litestar) -> RequestObserver:
    """Records every HTTP request's latency, status and rejection in the container's metrics
    (before the container exists, during start-up, nothing is recorded). The request-id
    wrapper calls it: it times every request already."""
    state = litestar.state

    def observe(scope: HTTPScope, status: int, seconds: float) -> None:
        container: Any = state.get("container")
        if container is not None:
            route = scope.get("path_template") or UNMATCHED
            container.metrics.observe_request(scope["method"], route, status, seconds)

    return observe
