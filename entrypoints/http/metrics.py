"""``GET /metrics`` (Prometheus text format) and the wrapper that times every HTTP request.

Requests are labelled by route template (``/v1/avatars/{avatar_id}/state``), never by raw
path, so the number of series stays bounded; a request no route matched is ``unmatched``.
"""

from __future__ import annotations

import time
from typing import Any

from litestar import Litestar, Response, get
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.metrics import UNMATCHED

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@get(
    "/metrics",
    operation_id="metrics",
    tags=["health"],
    sync_to_thread=False,
    media_type=PROMETHEUS_TEXT,
)
def metrics_endpoint(container: NamedDependency[Container]) -> Response[bytes]:
    """Every metric of this process in the Prometheus text exposition format (see
    docs/observability.md)."""
    return Response(container.metrics.exposition(), media_type=PROMETHEUS_TEXT)


class RequestMetricsMiddleware:
    """Pure ASGI wrapper: latency, status and rejection counts of every HTTP request (before
    the container exists, during start-up, nothing is recorded)."""

    def __init__(self, app: ASGIApp, litestar: Litestar) -> None:
        self.app = app
        self._state = litestar.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_counting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counting)
        finally:
            container: Any = self._state.get("container")
            if container is not None:
                route = scope.get("path_template") or UNMATCHED
                container.metrics.observe_request(
                    scope["method"], route, status, time.perf_counter() - started
                )
