"""Liveness and readiness, at the root (not under ``/v1``)."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.problems import problem_specs
from avatar_service.entrypoints.http.schemas.system import (
    HealthResponse,
    ReadyResponse,
    to_ready_response,
)
from avatar_service.entrypoints.http.tenancy import SERVICE_CONTAINER


class HealthController(Controller):
    path = "/"
    tags = ("health",)

    @get("/health", operation_id="health", sync_to_thread=False)
    def health(self) -> HealthResponse:
        """Liveness: the process answers. No adapter is called."""
        return HealthResponse()

    @get(
        "/ready",
        operation_id="ready",
        sync_to_thread=True,
        dependencies=SERVICE_CONTAINER,
        responses={
            **problem_specs(),
            503: ResponseSpec(
                ReadyResponse, description="An adapter is not usable", generate_examples=False
            ),
        },
    )
    def ready(self, container: NamedDependency[Container]) -> Response[ReadyResponse]:
        """Readiness: every adapter's check passes (200), else 503 with what failed."""
        body = to_ready_response(container.check())
        return Response(body, status_code=200 if body.status == "ready" else 503)
