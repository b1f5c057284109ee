"""Liveness, readiness and the OpenAPI document."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.core.errors import Unavailable
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.app import create_app, package_version
from avatar_service.entrypoints.settings import Settings


def test_health_answers_ok(client: TestClient[Litestar]) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_reports_every_port(client: TestClient[Litestar]) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert {c["port"] for c in body["checks"]} == {
        "tts",
        "aligner",
        "renderer",
        "store",
        "blobs",
        "jobs",
        "webhooks",
        "websocket",
        "recognizer",
    }
    assert all(c["ok"] and c["adapter"] and c["detail"] for c in body["checks"])


def test_ready_is_503_when_an_adapter_check_fails(
    container: Container, client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise Unavailable("the database is down; start it")

    monkeypatch.setattr(container.adapters.store, "check", broken)
    response = client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    store = next(c for c in body["checks"] if c["port"] == "store")
    assert store == {
        "port": "store",
        "adapter": "memory",
        "ok": False,
        "detail": "the database is down; start it",
    }


def test_ready_is_503_without_a_websocket_library(
    client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The WebSocket stream is advertised, so a missing library is not ready (uvicorn would
    answer the upgrade with 405)."""
    without_websockets(monkeypatch)
    response = client.get("/ready")
    assert response.status_code == 503
    check = next(c for c in response.json()["checks"] if c["port"] == "websocket")
    assert not check["ok"]
    assert "pip install websockets" in check["detail"]


def without_websockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's automatic protocol as it is when neither websockets nor wsproto imports."""
    import uvicorn.protocols.websockets.auto as auto

    monkeypatch.setattr(auto, "AutoWebSocketsProtocol", None)


def test_openapi_lists_every_route(app: Litestar, client: TestClient[Litestar]) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "avatar-service"
    assert document["info"]["version"] == package_version()
    documented = {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    for route in app.routes:
        if route.path.startswith("/schema"):
            continue
        if any(h.include_in_schema is False for h in getattr(route, "route_handlers", ())):
            continue  # a page, not the API (the playground)
        path = route.path.replace(":str}", "}")
        for method in getattr(route, "methods", set()) - {"OPTIONS", "HEAD"}:
            assert (path, method) in documented, (path, method)
    operation_ids = [
        op["operationId"]
        for item in document["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(operation_ids) == len(set(operation_ids))


def test_app_bootstraps_its_container_at_startup_when_given_none(settings: Settings) -> None:
    with TestClient(create_app(settings=settings), base_url="http://127.0.0.1") as client:
        assert client.get("/v1/voices").json()["count"] >= 1
