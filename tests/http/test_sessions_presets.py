"""Sessions, presets and the audio/render listings over HTTP, on the SQL store (SQLite)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from support import MEMORY, MOCK_SPEECH

from avatar_service.core.records import AudioRecord, Namespace, RenderKind, RenderRecord
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.settings import Settings

ProblemCheck = Callable[..., dict[str, Any]]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The mock adapters, but the real SQL store on a fresh SQLite file."""
    return Settings(
        **MOCK_SPEECH,
        store="sqlmodel",
        blobs=MEMORY,
        database_url=f"sqlite:///{tmp_path / 'http.db'}",
        _env_file=None,
    )  # type: ignore[call-arg]


def _post(client: TestClient[Litestar], path: str, **body: Any) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def _audio(container: Container, avatar_id: str, session_id: str | None, n: int) -> AudioRecord:
    name = f"au-{n}.wav"
    container.adapters.blobs.write(Namespace.AUDIOS, name, [b"RIFF"], max_size=100)
    return container.adapters.store.add_audio(
        AudioRecord(f"au-{n}", "hi", "v", 0.5, 16000, name, avatar_id, session_id)
    )


def _render(container: Container, avatar_id: str, session_id: str | None, n: int) -> None:
    name = f"re-{n}.png"
    container.adapters.blobs.write(Namespace.RENDERS, name, [b"PNG"], max_size=100)
    container.adapters.store.add_render(
        RenderRecord(f"re-{n}", RenderKind.FRAME, 8, 8, "png", name, avatar_id, session_id)
    )


def test_sessions_page_by_avatar_with_cursor(client: TestClient[Litestar]) -> None:
    _post(client, "/v1/avatars", avatar_id="ada")
    _post(client, "/v1/avatars", avatar_id="bob")
    made = [_post(client, "/v1/sessions", avatar_id="ada", metadata={"n": n}) for n in range(3)]
    _post(client, "/v1/sessions", avatar_id="bob")
    first = client.get("/v1/sessions", params={"avatar_id": "ada", "limit": 2}).json()
    assert first["count"] == 2 and first["next_cursor"]
    second = client.get(
        "/v1/sessions", params={"avatar_id": "ada", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert second["next_cursor"] is None
    listed = [s["session_id"] for s in first["sessions"] + second["sessions"]]
    assert listed == [s["session_id"] for s in made]
    assert client.get("/v1/sessions").json()["count"] == 4


def test_session_create_read_delete_and_errors(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    _post(client, "/v1/avatars", avatar_id="ada")
    response = client.post(
        "/v1/sessions", json={"avatar_id": "ada", "session_id": "s1", "metadata": {"k": [1]}}
    )
    assert response.status_code == 201
    assert response.headers["location"] == "/v1/sessions/s1"
    assert client.get("/v1/sessions/s1").json()["metadata"] == {"k": [1]}
    assert_problem(client.post("/v1/sessions", json={"avatar_id": "ada", "session_id": "s1"}), 409)
    assert_problem(client.post("/v1/sessions", json={"avatar_id": "ghost"}), 404)
    assert client.delete("/v1/sessions/s1").status_code == 204
    assert_problem(client.get("/v1/sessions/s1"), 404)
    assert_problem(client.delete("/v1/sessions/s1"), 404)
    reuse = client.post("/v1/sessions", json={"avatar_id": "ada", "session_id": "s1"})
    assert_problem(reuse, 409)


def test_deleting_a_session_removes_its_audio_and_renders_rows_and_blobs(
    client: TestClient[Litestar], container: Container
) -> None:
    _post(client, "/v1/avatars", avatar_id="ada")
    _post(client, "/v1/sessions", avatar_id="ada", session_id="s1")
    _audio(container, "ada", "s1", 1)
    _audio(container, "ada", None, 2)
    _render(container, "ada", "s1", 1)
    assert client.get("/v1/audios", params={"session_id": "s1"}).json()["count"] == 1
    assert client.delete("/v1/sessions/s1").status_code == 204
    audios = client.get("/v1/audios", params={"avatar_id": "ada"}).json()["audios"]
    assert [a["audio_id"] for a in audios] == ["au-2"]
    assert audios[0]["audio_url"] == "/v1/audios/au-2"
    assert client.get("/v1/renders").json()["count"] == 0
    names = [b.name for b in container.adapters.blobs.list(Namespace.AUDIOS)]
    assert names == ["au-2.wav"]
    assert container.adapters.blobs.list(Namespace.RENDERS) == []


def test_deleting_an_avatar_cascades_to_sessions_and_media(
    client: TestClient[Litestar], container: Container
) -> None:
    _post(client, "/v1/avatars", avatar_id="ada")
    _post(client, "/v1/sessions", avatar_id="ada", session_id="s1")
    _audio(container, "ada", "s1", 1)
    _render(container, "ada", None, 2)
    assert client.delete("/v1/avatars/ada").status_code == 204
    assert client.get("/v1/sessions").json()["count"] == 0
    assert client.get("/v1/audios").json()["count"] == 0
    assert client.get("/v1/renders").json()["count"] == 0
    assert container.adapters.blobs.list(Namespace.AUDIOS) == []


def test_listings_filter_and_reject_bad_cursor_and_limit(
    client: TestClient[Litestar], container: Container, assert_problem: ProblemCheck
) -> None:
    _post(client, "/v1/avatars", avatar_id="ada")
    _post(client, "/v1/avatars", avatar_id="bob")
    _render(container, "ada", None, 1)
    _render(container, "bob", None, 2)
    renders = client.get("/v1/renders", params={"avatar_id": "bob"}).json()["renders"]
    assert [(r["render_id"], r["render_url"]) for r in renders] == [("re-2", "/v1/renders/re-2")]
    for path in ("/v1/sessions", "/v1/presets", "/v1/audios", "/v1/renders"):
        assert_problem(client.get(path, params={"cursor": "garbage!"}), 422, field="cursor")
        assert_problem(client.get(path, params={"limit": 0}), 422, field="limit")


def test_preset_crud_with_etag_and_if_match(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = client.post(
        "/v1/presets",
        json={"preset_id": "bob-cut", "name": "Bob", "settings": {"hair_style": "bob"}},
    )
    assert response.status_code == 201
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == "/v1/presets/bob-cut"
    assert_problem(client.post("/v1/presets", json={"preset_id": "bob-cut", "settings": {}}), 409)
    got = client.get("/v1/presets/bob-cut")
    assert got.json()["settings"] == {"hair_style": "bob"}
    updated = client.patch(
        "/v1/presets/bob-cut", json={"settings": {"hair_style": "bun"}}, headers={"If-Match": '"1"'}
    )
    assert updated.status_code == 200, updated.text
    assert updated.headers["etag"] == '"2"'
    assert updated.json()["name"] == "Bob"
    stale = client.patch("/v1/presets/bob-cut", json={"name": "X"}, headers={"If-Match": '"1"'})
    assert_problem(stale, 412)
    assert client.get("/v1/presets").json()["count"] == 1
    assert client.delete("/v1/presets/bob-cut").status_code == 204
    assert_problem(client.get("/v1/presets/bob-cut"), 404)
    assert_problem(client.patch("/v1/presets/bob-cut", json={"name": "Y"}), 404)


def test_invalid_preset_settings_are_422_naming_the_field(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    bad = client.post("/v1/presets", json={"settings": {"hair_color": "red"}})
    assert_problem(bad, 422, field="state.hair_color")
    _post(client, "/v1/presets", preset_id="p", settings={})
    assert_problem(client.patch("/v1/presets/p", json={"settings": {"nope": 1}}), 422)


def test_avatar_created_from_a_preset_takes_its_settings(client: TestClient[Litestar]) -> None:
    _post(
        client, "/v1/presets", preset_id="p", settings={"hair_style": "bob", "expression": "happy"}
    )
    avatar = _post(client, "/v1/avatars", preset_id="p", state={"expression": "sad"})
    assert avatar["state"]["hair_style"] == "bob"
    assert avatar["state"]["expression"] == "sad"
