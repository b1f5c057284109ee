"""Hostile and careless bodies: too deep, too long, out of range. Each is a 4xx problem naming
the field at fault, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import LimitSettings, Settings
from avatar_service.plugins.manager import make_plugin_manager

ProblemCheck = Callable[..., dict[str, Any]]


def _nested(depth: int) -> Any:
    """A JSON value ``depth`` containers deep."""
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def _avatar(client: TestClient[Litestar]) -> str:
    response = client.post("/v1/avatars", json={"name": "b"})
    assert response.status_code == 201, response.text
    return str(response.json()["avatar_id"])


def test_metadata_nested_past_the_depth_limit_is_422_naming_the_body(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    avatar_id = _avatar(client)
    body = {"avatar_id": avatar_id, "metadata": _nested(40)}
    problem = assert_problem(client.post("/v1/sessions", json=body), 422, field="body")
    assert "AVATAR_LIMITS__MAX_JSON_DEPTH" in problem["detail"]


def test_a_body_thousands_deep_is_a_4xx_not_a_500(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    deep = b'{"avatar_id": "x", "metadata": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    headers = {"content-type": "application/json"}
    assert_problem(client.post("/v1/sessions", content=deep, headers=headers), 422, field="body")


def test_metadata_within_the_depth_limit_is_kept(client: TestClient[Litestar]) -> None:
    avatar_id = _avatar(client)
    metadata = {"deep": _nested(20), "note": "[[[[ {{{{ brackets in strings do not nest"}
    response = client.post("/v1/sessions", json={"avatar_id": avatar_id, "metadata": metadata})
    assert response.status_code == 201, response.text
    assert response.json()["metadata"] == metadata


def test_brackets_escaped_inside_strings_do_not_count_as_nesting(
    client: TestClient[Litestar],
) -> None:
    avatar_id = _avatar(client)
    note = '\\"' + "[" * 100 + '\\"'
    raw = f'{{"avatar_id": "{avatar_id}", "metadata": {{"note": "{note}"}}}}'
    headers = {"content-type": "application/json"}
    response = client.post("/v1/sessions", content=raw.encode(), headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["metadata"]["note"] == json.loads(f'"{note}"')


def test_the_depth_limit_is_a_setting(settings: Settings, assert_problem: ProblemCheck) -> None:
    shallow_only = settings.model_copy(update={"limits": LimitSettings(max_json_depth=4)})
    container = bootstrap(shallow_only, plugin_manager=make_plugin_manager(load_entrypoints=False))
    with TestClient(create_app(container), base_url="http://127.0.0.1") as client:
        avatar_id = _avatar(client)
        shallow = {"avatar_id": avatar_id, "metadata": _nested(2)}
        assert client.post("/v1/sessions", json=shallow).status_code == 201
        deep = {"avatar_id": avatar_id, "metadata": _nested(4)}
        assert_problem(client.post("/v1/sessions", json=deep), 422, field="body")


def test_too_many_viseme_sets_are_422_naming_the_list(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    body = {"text": "hi", "viseme_sets": ["oculus"] * 100}
    assert_problem(client.post("/v1/lipsync/preview", json=body), 422, field="viseme_sets")


def test_too_many_viseme_cues_are_422_naming_the_list(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    cues = [{"viseme": "aa", "start": i * 0.01, "end": (i + 1) * 0.01} for i in range(20_001)]
    body = {"avatar_id": _avatar(client), "audio_id": "au_x", "visemes": cues, "format": "gif"}
    assert_problem(client.post("/v1/render/sequence", json=body), 422, field="visemes")


def test_too_many_expression_changes_are_422_naming_the_list(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    changes = [{"start": i * 0.1, "expression": "happy"} for i in range(1001)]
    body = {"avatar_id": _avatar(client), "text": "hi", "expressions": changes, "format": "gif"}
    assert_problem(client.post("/v1/render/sequence", json=body), 422, field="expressions")


def test_an_integer_past_64_bits_is_a_4xx_naming_the_field(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    raw = b'{"avatar_id": "x", "width": 100000000000000000000000000000}'
    headers = {"content-type": "application/json"}
    assert_problem(client.post("/v1/render", content=raw, headers=headers), 422, field="width")


def test_a_number_past_the_float_range_is_a_400_malformed_body(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    avatar_id = _avatar(client)
    raw = f'{{"avatar_id": "{avatar_id}", "pose": {{"blink": 1e400}}}}'.encode()
    headers = {"content-type": "application/json"}
    problem = assert_problem(client.post("/v1/render", content=raw, headers=headers), 400)
    assert "out of range" in problem["detail"]


def test_too_many_metadata_keys_are_422_naming_metadata(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    metadata = {f"k{i}": i for i in range(1001)}
    body = {"avatar_id": _avatar(client), "metadata": metadata}
    assert_problem(client.post("/v1/sessions", json=body), 422, field="metadata")


def test_a_very_long_name_is_4xx_naming_it(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = client.post("/v1/avatars", json={"name": "n" * 100_000})
    assert_problem(response, response.status_code, field="name")
    assert 400 <= response.status_code < 500
