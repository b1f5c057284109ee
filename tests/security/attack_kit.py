"""Helpers of the attack tests: an app over the mock adapters (settings overridable), a real
uvicorn on loopback when the server itself is under test, and a throwaway HTTP receiver."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, ClassVar

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from support import IN_MEMORY, MOCK_SPEECH

from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

PROBLEM_JSON = "application/problem+json"
TEST_HOST = "http://127.0.0.1"
"""Where the test client says it connects (an allowed ``Host`` by default)."""


def mock_settings(**overrides: Any) -> Settings:
    return Settings(**MOCK_SPEECH, **IN_MEMORY, _env_file=None, **overrides)


def build_container(**overrides: Any) -> Container:
    return bootstrap(
        mock_settings(**overrides), plugin_manager=make_plugin_manager(load_entrypoints=False)
    )


Served = AbstractContextManager[tuple[TestClient[Litestar], Container]]


@pytest.fixture
def serve_with() -> Callable[..., Served]:
    """``with serve_with(**settings) as (client, container)``: an in-process client."""

    @contextmanager
    def serve(**overrides: Any) -> Iterator[tuple[TestClient[Litestar], Container]]:
        container = build_container(**overrides)
        try:
            with TestClient(create_app(container), base_url=TEST_HOST) as client:
                yield client, container
        finally:
            container.close()

    return serve


class Receiver(http.server.BaseHTTPRequestHandler):
    """Records every POST (headers, body) and answers 204."""

    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[tuple[int, list[tuple[dict[str, str], bytes]]]]:
    """A webhook receiver on 127.0.0.1: (port, what it received)."""
    received: list[tuple[dict[str, str], bytes]] = []
    handler = type("_Receiver", (Receiver,), {"received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1]), received
    finally:
        server.shutdown()
        server.server_close()


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with ``status`` (naming ``field``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if field is not None:
        assert body.get("field") == field, body
    return body
