"""Who may do what: API keys from the environment and the store, scopes per route, 401 / 403
as problems, open routes outside /v1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from avatar_service.entrypoints.bootstrap import Container

ProblemCheck = Callable[..., dict[str, Any]]
Serve = Callable[..., AbstractContextManager[tuple[TestClient[Litestar], Container]]]
READ = "env-read-key-0123456789"
WRITE = "env-write-key-0123456789"
ADMIN = "env-admin-key-0123456789"


@pytest.fixture
def keyed(serve_with: Serve) -> Iterator[tuple[TestClient[Litestar], Container]]:
    with serve_with(api_keys=f"{READ}:read, {WRITE}, {ADMIN}:admin") as served:
        yield served


@pytest.fixture
def client(keyed: tuple[TestClient[Litestar], Container]) -> TestClient[Litestar]:
    return keyed[0]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_no_key_is_401_with_a_challenge(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = client.get("/v1/avatars")
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in body["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        bearer("not-a-key-at-all-xx"),
        {"X-API-Key": "wrong-key-0123456789"},
        {"Authorization": "Basic abc"},
    ],
)
def test_a_wrong_key_is_401(
    client: TestClient[Litestar], assert_problem: ProblemCheck, headers: dict[str, str]
) -> None:
    assert_problem(client.get("/v1/avatars", headers=headers), 401)


def test_a_read_key_reads_but_may_not_write(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    assert client.get("/v1/avatars", headers=bearer(READ)).status_code == 200
    assert client.get("/v1/voices", headers={"X-API-Key": READ}).status_code == 200
    refused = client.post("/v1/avatars", json={"name": "a"}, headers=bearer(READ))
    body = assert_problem(refused, 403)
    assert "'write' scope" in body["detail"] and "'read'" in body["detail"]


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
def test_a_write_key_writes_through_either_header(
    client: TestClient[Litestar], header: str
) -> None:
    value = f"Bearer {WRITE}" if header == "Authorization" else WRITE
    created = client.post("/v1/avatars", json={"name": "a"}, headers={header: value})
    assert created.status_code == 201, created.text
    avatar_id = created.json()["avatar_id"]
    assert client.delete(f"/v1/avatars/{avatar_id}", headers={header: value}).status_code == 204


def test_plugins_need_the_admin_scope(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    assert_problem(client.get("/v1/plugins", headers=bearer(WRITE)), 403)
    assert client.get("/v1/plugins", headers=bearer(ADMIN)).status_code == 200


def test_routes_outside_v1_stay_open(client: TestClient[Litestar]) -> None:
    for path in ("/health", "/ready", "/metrics", "/schema/openapi.json"):
        assert client.get(path).status_code == 200, path


def test_metrics_can_require_a_read_key(assert_problem: ProblemCheck, serve_with: Serve) -> None:
    with serve_with(api_keys=READ + ":read", http={"metrics_require_key": True}) as (client, _):
        assert_problem(client.get("/metrics"), 401)
        assert client.get("/metrics", headers=bearer(READ)).status_code == 200


def test_a_stored_key_works_until_it_is_revoked(
    keyed: tuple[TestClient[Litestar], Container], assert_problem: ProblemCheck
) -> None:
    client, container = keyed
    record, secret = container.keys.create("ci", ["write"])
    assert client.post("/v1/avatars", json={}, headers=bearer(secret)).status_code == 201
    assert client.get("/v1/avatars", headers=bearer(READ)).status_code == 200  # env key too
    container.keys.revoke(record.key_id)
    assert_problem(client.get("/v1/avatars", headers=bearer(secret)), 401)


def test_a_stored_key_alone_turns_authentication_on_and_revoking_it_keeps_it_on(
    assert_problem: ProblemCheck, serve_with: Serve
) -> None:
    with serve_with() as (client, container):
        assert client.get("/v1/avatars").status_code == 200  # anonymous: no key anywhere
        record, secret = container.keys.create("only", ["read"])
        assert_problem(client.get("/v1/avatars"), 401)
        assert client.get("/v1/avatars", headers=bearer(secret)).status_code == 200
        container.keys.revoke(record.key_id)
        assert_problem(client.get("/v1/avatars", headers=bearer(secret)), 401)
        assert_problem(client.get("/v1/avatars"), 401)


def test_a_tampered_stored_key_is_401(
    keyed: tuple[TestClient[Litestar], Container], assert_problem: ProblemCheck
) -> None:
    client, container = keyed
    _, secret = container.keys.create("ci", ["read"])
    tampered = secret[:-1] + ("x" if secret[-1] != "x" else "y")
    assert_problem(client.get("/v1/avatars", headers=bearer(tampered)), 401)


def test_unknown_routes_under_v1_are_still_404(client: TestClient[Litestar]) -> None:
    assert client.get("/v1/nothing-here", headers=bearer(READ)).status_code == 404


def test_a_websocket_needs_a_write_key_passed_in_the_query(client: TestClient[Litestar]) -> None:
    for query, code in (
        ("", 4401),
        (f"?api_key={READ}", 4403),
        ("?api_key=wrong-0123456789", 4401),
    ):
        # Accepted, then closed with the code: a browser sees the code and the reason.
        with (
            client.websocket_connect("/v1/lipsync/stream" + query) as ws,
            pytest.raises(WebSocketDisconnect) as closed,
        ):
            ws.receive_text()
        assert closed.value.code == code, query
    with client.websocket_connect(f"/v1/lipsync/stream?api_key={WRITE}") as ws:
        ws.send_json({"type": "speak", "text": "hi"})
        assert ws.receive_json()["type"] == "start"
