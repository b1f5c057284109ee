"""Smaller gaps an outside probe found: each is a 4xx up front now, never a 500 or a job
that fails later; slow clients cannot hold a connection open."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from attack_kit import assert_problem, build_container
from support import uvicorn_on_loopback

from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.http.timeouts import HeaderTimeoutProtocol
from avatar_service.entrypoints.settings import JobSettings, ServerSettings

Serve = Callable[..., Any]


@pytest.mark.parametrize(
    "entity", ["&#xD800;", "&#55296;", "&#xDFFF;", "&#0;", "&#x1B;", "&#x110000;", "&#xFFFE;"]
)
def test_an_ssml_entity_that_is_no_character_is_a_422(serve_with: Serve, entity: str) -> None:
    with serve_with() as (client, _):
        response = client.post(
            "/v1/lipsync", json={"text": f"<speak>a {entity} b</speak>", "ssml": True}
        )
        assert_problem(response, 422)


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("/v1/render", {"avatar_id": "ava", "width": "32"}),
        ("/v1/render/sequence", {"avatar_id": "ava", "text": "Hi", "fps": "10"}),
        ("/v1/avatars/ava/animations", {"name": "blink", "duration": "1"}),
        ("/v1/lipsync", {"text": "Hi", "viseme_sets": "oculus"}),
        ("/v1/avatars", {"name": 7}),
    ],
)
def test_json_bodies_are_strictly_typed(
    serve_with: Serve, route: str, body: dict[str, Any]
) -> None:
    with serve_with() as (client, _):
        assert_problem(client.post(route, json=body), 422)


@pytest.mark.parametrize("cursor", ["../../etc", "", "\x00x", "a" * 2000, "/abs"])
def test_a_bad_asset_cursor_is_a_422(serve_with: Serve, cursor: str) -> None:
    with serve_with() as (client, _):
        assert_problem(client.get("/v1/assets", params={"cursor": cursor}), 422, "cursor")


def test_a_good_asset_cursor_pages(serve_with: Serve) -> None:
    with serve_with() as (client, _):
        for name in ("a.txt", "b.txt"):
            client.post(f"/v1/assets/upload?name={name}", files={"file": (name, b"x")})
        page = client.get("/v1/assets", params={"cursor": "a.txt"}).json()
        assert [a["path"] for a in page["assets"]] == ["b.txt"]


def test_a_multipart_part_without_a_name_is_a_422(serve_with: Serve) -> None:
    body = (
        b'--B\r\nContent-Disposition: form-data; filename="x.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nhello\r\n--B--\r\n"
    )
    with serve_with() as (client, _):
        response = client.post(
            "/v1/assets/upload",
            content=body,
            headers={"Content-Type": "multipart/form-data; boundary=B"},
        )
        assert_problem(response, 422, "file")
        assert client.get("/v1/assets").json()["count"] == 0


@pytest.mark.parametrize("asynchronous", [False, True])
def test_an_animation_shorter_than_one_frame_is_a_422_up_front(
    serve_with: Serve, asynchronous: bool
) -> None:
    body = {
        "name": "nod",
        "duration": 0.2,
        "fps": 1,
        "width": 32,
        "height": 32,
        "format": "gif",
        "async": asynchronous,
    }
    with serve_with(job=JobSettings(webhook_secret="s")) as (client, _):
        response = client.post("/v1/avatars/ava/animations", json=body)
        assert_problem(response, 422, "duration")
        assert client.get("/v1/jobs").json()["count"] == 0


class _FastHeaders(HeaderTimeoutProtocol):
    header_timeout = 0.5


def _read_until_closed(sock: socket.socket, limit: float) -> bytes:
    """What the server sends until it closes, or its status line at least (``limit`` s per
    read at most)."""
    sock.settimeout(limit)
    data = b""
    while b"\r\n" not in data and (chunk := sock.recv(4096)):
        data += chunk
    return data


def test_a_client_sending_headers_slowly_is_cut_off_with_408() -> None:
    container = build_container()
    try:
        with uvicorn_on_loopback(create_app(container), http=_FastHeaders) as port:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
                answer = _read_until_closed(sock, limit=10)
            assert answer.startswith(b"HTTP/1.1 408"), answer
            with socket.create_connection(("127.0.0.1", port), timeout=5) as idle:
                assert _read_until_closed(idle, limit=10).startswith(b"HTTP/1.1 408")
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(
                    b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                )
                assert _read_until_closed(sock, limit=10).startswith(b"HTTP/1.1 200")
    finally:
        container.close()


def test_a_stalled_request_body_fails_with_408() -> None:
    container = build_container(server=ServerSettings(body_timeout=0.5))
    try:
        with uvicorn_on_loopback(create_app(container)) as port:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(
                    b"POST /v1/lipsync HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text": '
                )  # 90 bytes never come
                answer = _read_until_closed(sock, limit=10)
            assert answer.startswith(b"HTTP/1.1 408"), answer
    finally:
        container.close()
