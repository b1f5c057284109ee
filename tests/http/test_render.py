"""POST /v1/render, /v1/render/sequence and /v1/avatars/{id}/animations on the Node renderer
(mock speech, in-memory store): real images and videos, bounds as problems."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from support import IN_MEMORY, MOCK_SPEECH, unavailable

from avatar_service.contracts._media import image_size, sniff_format
from avatar_service.core.errors import Unavailable
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

ProblemCheck = Callable[..., dict[str, Any]]
ADAPTERS = {**MOCK_SPEECH, "renderer": "node", **IN_MEMORY}


@pytest.fixture(scope="module")
def node_client() -> Iterator[TestClient[Litestar]]:
    settings = Settings(**ADAPTERS, _env_file=None)
    container = bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
    try:
        container.adapters.renderer.check()
    except Unavailable as exc:  # pragma: no cover - tox runs npm ci first
        container.close()
        unavailable(f"node renderer not set up: {exc.message}")
    with TestClient(create_app(container), base_url="http://127.0.0.1") as client:
        client.post("/v1/avatars", json={"avatar_id": "kim", "state": {"hair_style": "bob"}})
        yield client
    container.close()


def test_render_returns_a_stored_png_of_the_requested_size(
    node_client: TestClient[Litestar],
) -> None:
    response = node_client.post("/v1/render", json={"avatar_id": "kim", "width": 120, "height": 80})
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"avatar_id", "frame_id", "frame_url", "width", "height", "format"} <= body.keys()
    image = node_client.get(body["frame_url"])
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image_size(image.content) == ("png", 120, 80)


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_render_encodes_other_image_formats(node_client: TestClient[Litestar], fmt: str) -> None:
    body = node_client.post(
        "/v1/render", json={"avatar_id": "kim", "width": 64, "height": 64, "format": fmt}
    ).json()
    assert image_size(node_client.get(body["frame_url"]).content) == (fmt, 64, 64)


def test_prompt_words_set_the_pose_and_the_rest_are_warned_about(
    node_client: TestClient[Litestar],
) -> None:
    response = node_client.post(
        "/v1/render",
        json={
            "avatar_id": "kim",
            "width": 64,
            "height": 64,
            "prompt": "smiling, looking left, in a spaceship",
        },
    )
    body = response.json()
    assert body["pose"]["expression"] == "happy"
    assert body["pose"]["gaze_x"] < 0
    assert any("spaceship" in w for w in body["warnings"])


def test_a_builtin_character_renders_without_being_created_first(
    node_client: TestClient[Litestar],
) -> None:
    response = node_client.post("/v1/render", json={"avatar_id": "leo", "width": 32, "height": 32})
    assert response.status_code == 200, response.text
    assert node_client.get("/v1/avatars/leo").json()["state"]["hair_style"] == "short"


def test_sequence_from_text_is_a_talking_mp4_with_its_duration(
    node_client: TestClient[Litestar],
) -> None:
    response = node_client.post(
        "/v1/render/sequence",
        json={"avatar_id": "kim", "text": "Hello there", "width": 96, "height": 96, "fps": 12},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert {
        "render_id",
        "video_url",
        "duration",
        "fps",
        "frames",
        "width",
        "height",
        "format",
    } <= body.keys()
    assert body["frames"] == round(body["duration"] * 12)
    video = node_client.get(body["video_url"])
    assert video.headers["content-type"] == "video/mp4"
    assert sniff_format(video.content[:16]) == "mp4"


def test_expressions_can_be_scheduled_on_a_talking_video(
    node_client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    body = {
        "avatar_id": "kim",
        "text": "Hello there",
        "width": 48,
        "height": 48,
        "fps": 10,
        "format": "gif",
    }
    ok = node_client.post(
        "/v1/render/sequence", json={**body, "expressions": [{"start": 0.2, "expression": "happy"}]}
    )
    assert ok.status_code == 200, ok.text
    bad = node_client.post(
        "/v1/render/sequence", json={**body, "expressions": [{"start": 0.2, "expression": "bored"}]}
    )
    assert_problem(bad, 422, "expressions")


def test_sequence_from_stored_audio_and_cues(node_client: TestClient[Litestar]) -> None:
    audio = node_client.post("/v1/lipsync", json={"text": "Hi", "avatar_id": "kim"}).json()
    cues = [{"viseme": "aa", "start": 0.0, "end": audio["duration"]}]
    response = node_client.post(
        "/v1/render/sequence",
        json={
            "avatar_id": "kim",
            "audio_id": audio["audio_id"],
            "visemes": cues,
            "width": 64,
            "height": 64,
            "fps": 10,
            "format": "webm",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["format"] == "webm"


@pytest.mark.parametrize("name", ["idle", "blink", "nod", "head_shake"])
def test_named_animations_render_a_gif_of_the_duration(
    node_client: TestClient[Litestar], name: str
) -> None:
    response = node_client.post(
        "/v1/avatars/kim/animations",
        json={"name": name, "duration": 2.0, "width": 48, "height": 48, "fps": 10},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["format"], body["frames"]) == ("gif", 20)


def test_talk_animation_speaks_the_text(node_client: TestClient[Litestar]) -> None:
    response = node_client.post(
        "/v1/avatars/kim/animations",
        json={
            "name": "talk",
            "text": "Good morning",
            "width": 48,
            "height": 48,
            "fps": 10,
            "format": "mp4",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["duration"] > 0


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/v1/render", {"avatar_id": "kim", "width": 8}, 422, "width"),
        ("/v1/render", {"avatar_id": "kim", "width": 4096}, 422, "width"),
        ("/v1/render", {"avatar_id": "kim", "format": "bmp"}, 422, "format"),
        ("/v1/render", {"avatar_id": "kim", "pose": {"viseme": "zz"}}, 422, "pose.viseme"),
        ("/v1/render", {"avatar_id": "kim", "pose": {"blink": 3}}, 422, "pose.blink"),
        ("/v1/render", {"avatar_id": "nobody"}, 404, None),
        ("/v1/render/sequence", {"avatar_id": "kim", "text": "Hi", "fps": 0}, 422, "fps"),
        ("/v1/render/sequence", {"avatar_id": "kim", "text": "Hi", "fps": 61}, 422, "fps"),
        ("/v1/render/sequence", {"avatar_id": "kim"}, 422, "text"),
        ("/v1/render/sequence", {"avatar_id": "kim", "text": "x" * 6000}, 413, "text"),
        ("/v1/avatars/kim/animations", {"name": "dance"}, 422, "name"),
        ("/v1/avatars/kim/animations", {"name": "nod", "duration": 999}, 422, "duration"),
        ("/v1/avatars/kim/animations", {"name": "talk"}, 422, "text"),
    ],
)
def test_bad_requests_are_clear_problems(
    node_client: TestClient[Litestar],
    assert_problem: ProblemCheck,
    path: str,
    body: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    assert_problem(node_client.post(path, json=body), status, field)


@contextmanager
def _client(**settings: Any) -> Iterator[TestClient[Litestar]]:
    config = Settings(**ADAPTERS, **settings, _env_file=None)
    container = bootstrap(config, plugin_manager=make_plugin_manager(load_entrypoints=False))
    try:
        with TestClient(create_app(container), base_url="http://127.0.0.1") as client:
            yield client
    finally:
        container.close()


def test_a_render_over_the_time_limit_is_504(assert_problem: ProblemCheck) -> None:
    with _client(max_render_time=0.2) as client:
        client.post("/v1/avatars", json={"avatar_id": "kim"})
        response = client.post(
            "/v1/avatars/kim/animations",
            json={
                "name": "nod",
                "duration": 30,
                "width": 512,
                "height": 512,
                "fps": 25,
                "format": "webm",
            },  # within the cost cap, not within 0.2 s
        )
        assert_problem(response, 504)


def test_a_missing_node_is_503_saying_how_to_fix_it(assert_problem: ProblemCheck) -> None:
    with _client(node_path="/nonexistent/node") as client:
        client.post("/v1/avatars", json={"avatar_id": "kim"})
        body = assert_problem(client.post("/v1/render", json={"avatar_id": "kim"}), 503)
        assert "NODE_PATH" in body["detail"]
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert "node not found" in ready.text
