"""The state GET reads inline on the event loop only for a store that declares its reads local
and bounded (``READS_ON_LOOP``); any other store is read on a worker thread."""

from __future__ import annotations

import asyncio

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.core.records import Avatar
from avatar_service.entrypoints.bootstrap import Container


def _record_loop(container: Container, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Wrap the store's ``get_avatar``; each call appends whether it ran on the event loop."""
    store = container.adapters.store
    get_avatar = store.get_avatar
    on_loop: list[bool] = []

    def recording(avatar_id: str) -> Avatar:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return get_avatar(avatar_id)

    monkeypatch.setattr(store, "get_avatar", recording)
    return on_loop


@pytest.mark.parametrize("reads_on_loop", [True, False])
def test_the_state_read_runs_on_the_loop_only_when_the_store_allows_it(
    container: Container,
    client: TestClient[Litestar],
    monkeypatch: pytest.MonkeyPatch,
    reads_on_loop: bool,
) -> None:
    client.post("/v1/avatars", json={"avatar_id": "ada"})
    monkeypatch.setattr(container.adapters.store, "READS_ON_LOOP", reads_on_loop, raising=False)
    on_loop = _record_loop(container, monkeypatch)
    response = client.get("/v1/avatars/ada/state")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert on_loop == [reads_on_loop]


def test_a_store_without_the_attribute_is_read_on_a_thread(
    container: Container, client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    client.post("/v1/avatars", json={"avatar_id": "bob"})
    monkeypatch.delattr(type(container.adapters.store), "READS_ON_LOOP")
    on_loop = _record_loop(container, monkeypatch)
    assert client.get("/v1/avatars/bob/state").status_code == 200
    assert on_loop == [False]


def test_an_unknown_avatar_read_inline_is_still_a_404_problem(client: TestClient[Litestar]) -> None:
    response = client.get("/v1/avatars/nobody/state", headers={"X-Request-ID": "r-404"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["request_id"] == "r-404"
