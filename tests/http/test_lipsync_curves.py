"""Weight curves and custom viseme tables over HTTP: /v1/lipsync, /v1/lipsync/preview,
/v1/lipsync/curves (json, csv, gltf) and /v1/viseme-sets."""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

ProblemCheck = Callable[..., dict[str, Any]]

ARKIT_COUNT = 52


def test_preview_returns_curves_of_each_named_set_at_the_requested_fps(
    client: TestClient[Litestar],
) -> None:
    body = {"text": "Bob sang a happy song.", "curves": ["vrm", "arkit"], "fps": 50}
    data = client.post("/v1/lipsync/preview", json=body).json()
    assert set(data["curves"]) == {"vrm", "arkit"}
    vrm, arkit = data["curves"]["vrm"], data["curves"]["arkit"]
    assert vrm["fps"] == 50 and vrm["names"] == ["aa", "ih", "ou", "ee", "oh"]
    assert len(arkit["names"]) == ARKIT_COUNT and "jawOpen" in arkit["names"]
    rows = int(data["duration"] * 50 + 1e-9) + 1
    for track in (vrm, arkit):
        assert len(track["frames"]) == rows
        assert all(len(row) == len(track["names"]) for row in track["frames"])
        assert all(0.0 <= w <= 1.0 for row in track["frames"] for w in row)
    jaw = arkit["names"].index("jawOpen")
    assert max(row[jaw] for row in arkit["frames"]) > 0.3


def test_lipsync_without_curves_answers_as_before(client: TestClient[Litestar]) -> None:
    data = client.post("/v1/lipsync", json={"text": "Hello there."}).json()
    assert data["curves"] == {}
    assert data["visemes"] and data["visemes_by_set"]["oculus"] == data["visemes"]


def test_lipsync_curves_in_oculus_sum_to_one_per_frame(client: TestClient[Litestar]) -> None:
    body = {"text": "Mama made plums.", "curves": ["oculus"], "fps": 30}
    track = client.post("/v1/lipsync", json=body).json()["curves"]["oculus"]
    assert all(abs(sum(row) - 1.0) < 1e-3 for row in track["frames"])


def test_a_set_without_channels_cannot_give_curves(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = client.post("/v1/lipsync/preview", json={"text": "Hi", "curves": ["rhubarb"]})
    assert_problem(response, 422, "curves")


def test_fps_past_the_limit_is_refused(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = client.post(
        "/v1/lipsync/preview", json={"text": "Hi", "curves": ["vrm"], "fps": 100_000}
    )
    assert_problem(response, 422, "fps")


def test_curve_frames_past_the_limit_are_too_large(
    serve_with: Any, assert_problem: ProblemCheck
) -> None:
    with serve_with(limits={"max_curve_frames": 5}) as (client, _):
        response = client.post("/v1/lipsync/preview", json={"text": "Hello", "curves": ["vrm"]})
    assert_problem(response, 413, "curves")


TABLE = {
    "name": "mine",
    "symbols": ["rest", "closed", "open", "round"],
    "silence": "rest",
    "default": "open",
    "classes": {"PP": "closed", "ou": "round", "oh": "round"},
}


def test_a_request_brings_its_own_viseme_table(client: TestClient[Litestar]) -> None:
    body = {"text": "Bob is here.", "viseme_table": TABLE, "viseme_sets": ["mine", "oculus"]}
    data = client.post("/v1/lipsync/preview", json=body).json()
    cues = data["visemes_by_set"]["mine"]
    assert {c["viseme"] for c in cues} <= set(TABLE["symbols"])
    assert "closed" in {c["viseme"] for c in cues}
    assert cues[0]["start"] == 0.0 and cues[-1]["end"] == data["duration"]


def test_unknown_symbols_in_a_viseme_table_are_named_in_the_422(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    table = {**TABLE, "classes": {"PP": "lips", "ou": "pucker"}}
    body = {"text": "Hi", "viseme_table": table, "viseme_sets": ["mine"]}
    problem = assert_problem(client.post("/v1/lipsync/preview", json=body), 422, "viseme_table")
    assert "lips" in problem["detail"] and "pucker" in problem["detail"]


def test_a_table_may_not_shadow_a_registered_set(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    body = {"text": "Hi", "viseme_table": {**TABLE, "name": "oculus"}}
    assert_problem(client.post("/v1/lipsync/preview", json=body), 422)


def test_settings_add_viseme_tables(serve_with: Any) -> None:
    with serve_with(visemes={"tables": [TABLE]}) as (client, _):
        names = [s["name"] for s in client.get("/v1/viseme-sets").json()["viseme_sets"]]
        cues = client.post(
            "/v1/lipsync/preview", json={"text": "Bob", "viseme_set": "mine"}
        ).json()["visemes"]
    assert names == ["oculus", "azure", "rhubarb", "vrm", "arkit", "mine"]
    assert "closed" in {c["viseme"] for c in cues}


def test_export_csv_has_a_time_column_and_a_row_per_frame(client: TestClient[Litestar]) -> None:
    body = {"text": "Bob sang.", "curves": ["vrm"], "fps": 25, "format": "csv"}
    response = client.post("/v1/lipsync/curves", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.strip().splitlines()
    assert lines[0] == "time,aa,ih,ou,ee,oh"
    times = [float(line.split(",")[0]) for line in lines[1:]]
    assert times[0] == 0.0 and abs(times[1] - 0.04) < 1e-9


def test_export_gltf_animates_the_given_morph_targets(client: TestClient[Litestar]) -> None:
    targets = ["Fcl_MTH_A=aa", "Fcl_MTH_U=ou", "Blink"]
    body = {"text": "Bob sang.", "curves": ["vrm"], "format": "gltf", "morph_targets": targets}
    response = client.post("/v1/lipsync/curves", json=body)
    assert response.status_code == 200, response.text
    gltf = response.json()
    assert gltf["asset"]["version"] == "2.0"
    assert gltf["meshes"][0]["extras"]["targetNames"] == ["Fcl_MTH_A", "Fcl_MTH_U", "Blink"]
    channel = gltf["animations"][0]["channels"][0]
    assert channel["target"] == {"node": 0, "path": "weights"}
    times, weights = _accessor(gltf, 0), _accessor(gltf, 1)
    assert len(weights) == len(times) * 3
    assert max(weights[0::3]) > 0.3  # the mouth opens on "a"
    assert set(weights[2::3]) == {0.0}  # Blink is not a vrm channel: it stays at rest


def test_export_gltf_names_unknown_channels(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    body = {"text": "Hi", "curves": ["vrm"], "format": "gltf", "morph_targets": ["A=jaw"]}
    problem = assert_problem(client.post("/v1/lipsync/curves", json=body), 422, "morph_targets")
    assert "jaw" in problem["detail"]


def test_export_json_is_the_preview_curves(client: TestClient[Litestar]) -> None:
    body = {"text": "Bob sang.", "curves": ["oculus"], "fps": 30}
    exported = client.post("/v1/lipsync/curves", json=body).json()
    preview = client.post("/v1/lipsync/preview", json=body).json()
    assert exported["curves"] == preview["curves"]


def _accessor(gltf: dict[str, Any], index: int) -> list[float]:
    accessor = gltf["accessors"][index]
    view = gltf["bufferViews"][accessor["bufferView"]]
    data = base64.b64decode(gltf["buffers"][0]["uri"].split(",", 1)[1])
    chunk = data[view["byteOffset"] : view["byteOffset"] + view["byteLength"]]
    return list(struct.unpack(f"<{len(chunk) // 4}f", chunk))
