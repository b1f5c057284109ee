"""WebSocket refusals reach a real client as close codes with a reason, after the handshake:
4401 (no or bad key), 4403 (scope too small, foreign Origin or Host), 4429 (rate limited)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from attack_kit import build_container
from support import uvicorn_on_loopback
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import HttpSettings

WRITE_KEY = "ws-writer-key-0123456789"
READ_KEY = "ws-reader-key-0123456789"
STREAM = "/v1/lipsync/stream"


@pytest.fixture
def port() -> Iterator[int]:
    container = build_container(
        api_keys=f"{WRITE_KEY}:write,{READ_KEY}:read",
        http=HttpSettings(rate_per_second=0.01, rate_burst=3, auth_failure_limit=100),
    )
    try:
        with uvicorn_on_loopback(create_app(container)) as bound:
            yield bound
    finally:
        container.close()


def _closed(port: int, path: str, **options: Any) -> tuple[int, str]:
    """Connect (the handshake must succeed), then wait for the server's close frame."""
    url = f"ws://127.0.0.1:{port}{path}"
    with (
        connect(url, open_timeout=10, close_timeout=5, **options) as socket,
        pytest.raises(ConnectionClosed) as caught,
    ):
        socket.recv(timeout=10)
    received = caught.value.rcvd
    assert received is not None, "the server did not send a close frame"
    return received.code, received.reason


def _speaks(socket: ClientConnection) -> None:
    socket.send(json.dumps({"text": "Hi"}))
    while True:
        message = socket.recv(timeout=10)
        if isinstance(message, str) and json.loads(message)["type"] == "end":
            return


def test_no_key_closes_with_4401_and_a_reason(port: int) -> None:
    code, reason = _closed(port, STREAM)
    assert code == 4401 and "API key" in reason


def test_a_bad_key_closes_with_4401(port: int) -> None:
    code, _ = _closed(port, f"{STREAM}?api_key=not-a-valid-key-000000")
    assert code == 4401


def test_a_read_key_closes_with_4403_naming_the_scope(port: int) -> None:
    code, reason = _closed(port, STREAM, additional_headers={"X-API-Key": READ_KEY})
    assert code == 4403 and "write" in reason


def test_a_foreign_origin_closes_with_4403(port: int) -> None:
    code, reason = _closed(
        port,
        f"{STREAM}?api_key={WRITE_KEY}",
        origin="https://evil.example",  # type: ignore[arg-type]
    )
    assert code == 4403 and "origin" in reason


def test_a_foreign_host_closes_with_4403(port: int) -> None:
    code, reason = _closed(
        port, f"{STREAM}?api_key={WRITE_KEY}", additional_headers={"Host": "evil.example"}
    )
    assert code == 4403 and "Host" in reason


def test_the_same_origin_and_a_good_key_speak(port: int) -> None:
    with connect(
        f"ws://127.0.0.1:{port}{STREAM}?api_key={WRITE_KEY}",
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        open_timeout=10,
    ) as socket:
        _speaks(socket)


def test_the_rate_limit_closes_with_4429(port: int) -> None:
    url = f"ws://127.0.0.1:{port}{STREAM}?api_key={WRITE_KEY}"
    for _ in range(3):  # the burst
        with connect(url, open_timeout=10):
            pass
    code, reason = _closed(port, f"{STREAM}?api_key={WRITE_KEY}")
    assert code == 4429 and "retry in" in reason
