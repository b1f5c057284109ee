"""An HTTP client around the real app, bootstrapped with the mock and in-memory adapters (the
real adapters have HTTP tests of their own)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from support import MOCK_ADAPTERS

from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

PROBLEM_JSON = "application/problem+json"


@pytest.fixture
def settings() -> Settings:
    return Settings(**MOCK_ADAPTERS, _env_file=None)


@pytest.fixture
def container(settings: Settings) -> Container:
    return bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))


@pytest.fixture
def app(container: Container) -> Litestar:
    return create_app(container)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


Served = AbstractContextManager[tuple[TestClient[Litestar], Container]]


@pytest.fixture
def serve_with() -> Callable[..., Served]:
    """``with serve_with(**overrides) as (client, container)``: a client over an app on the
    mock adapters whose settings also have ``overrides`` (API keys, HTTP limits, ...)."""

    @contextmanager
    def serve(**overrides: Any) -> Iterator[tuple[TestClient[Litestar], Container]]:
        settings = Settings(**MOCK_ADAPTERS, _env_file=None, **overrides)
        container = bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
        with TestClient(create_app(container), base_url="http://127.0.0.1") as client:
            yield client, container

    return serve


ProblemCheck = Callable[..., dict[str, Any]]


@pytest.fixture
def assert_problem() -> ProblemCheck:
    """``assert_problem(response, status, field=None)``: the response is an RFC 9457 problem
    with that status (naming ``field``); returns its body."""
    return _assert_problem


def _assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "request_id"} <= body.keys()
    assert body["request_id"] == response.headers["x-request-id"]
    if field is not None:
        assert body.get("field") == field, body
    return body
