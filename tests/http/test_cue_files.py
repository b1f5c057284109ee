"""Cues as files of Rhubarb Lip Sync (``core.cue_formats``): ``POST /v1/lipsync/audio`` with
``cues`` (the recording kept and named in ``Audio-Id``) and ``POST /v1/lipsync/cues`` for a
text (nothing kept); bad options refused before anything is made or kept."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.contracts.aligner import synthetic_speech
from avatar_service.core.audio import encode_wav

ProblemCheck = Any
RATE = 16000
WAV = encode_wav(synthetic_speech(RATE), RATE)


def _post(client: TestClient[Litestar], name: str = "take.wav", **fields: str) -> Any:
    return client.post("/v1/lipsync/audio", files={"audio": (name, WAV, "audio/wav")}, data=fields)


def _assert_rhubarb_cues(client: TestClient[Litestar], cues: list[tuple[str, str]]) -> None:
    """``(start, shape)`` as written are the rhubarb cues of the full JSON answer, to the
    centisecond."""
    body = _post(client, viseme_sets="rhubarb").json()
    assert [shape for _, shape in cues] == [c["viseme"] for c in body["visemes"]]
    for (start, _), cue in zip(cues, body["visemes"], strict=True):
        assert len(start.partition(".")[2]) == 2
        assert abs(float(start) - cue["start"]) <= 0.005 + 1e-9


def test_tsv_cues_are_the_rhubarb_sets_timeline_and_the_recording_is_kept(
    client: TestClient[Litestar],
) -> None:
    response = _post(client, cues="tsv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    lines = [line.split("\t") for line in response.text.splitlines()]
    _assert_rhubarb_cues(client, [(start, shape) for start, shape in lines[:-1]])
    assert lines[-1] == ["1.50", "X"]  # the end of the recording, mouth closed
    kept = client.get(f"/v1/audios/{response.headers['audio-id']}")
    assert kept.status_code == 200 and kept.headers["content-type"] == "audio/wav"


def test_json_and_xml_cues_name_the_uploaded_file_without_its_folders(
    client: TestClient[Litestar],
) -> None:
    as_json = json.loads(_post(client, "../../secret/take.wav", cues="json").text)
    assert as_json["metadata"] == {"soundFile": "take.wav", "duration": 1.5}
    assert '"start": 0.00, "end": ' in _post(client, cues="json").text  # as Rhubarb writes
    _assert_rhubarb_cues(client, [(f"{c['start']:.2f}", c["value"]) for c in as_json["mouthCues"]])
    response = _post(client, "C:\\takes\\<b>&.wav", cues="xml", viseme_sets="oculus")
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.text)
    assert root.findtext("metadata/soundFile") == "<b>&.wav"
    assert root.find("mouthCues/mouthCue").text == "sil"  # type: ignore[union-attr]


def test_moho_data_takes_a_frame_rate_and_preston_blair_names(
    client: TestClient[Litestar],
) -> None:
    response = _post(client, cues="dat", dat_fps="100", dat_preston_blair="true")
    assert response.status_code == 200, response.text
    lines = response.text.splitlines()
    assert lines[0] == "MohoSwitch1" and lines[1] == "1 rest"
    assert lines[-1] == "151 rest"  # 1.5 s at 100 fps, frames from 1
    names = {line.split()[1] for line in lines[1:]}
    assert names <= {"MBP", "etc", "E", "AI", "O", "U", "FV", "L", "rest"}


def test_bad_cue_options_are_refused_before_the_recording_is_kept(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    kept = client.get("/v1/audios").json()["count"]
    assert_problem(_post(client, cues="moho"), 422, "format")
    assert_problem(_post(client, cues="dat", dat_fps="12"), 422, "dat_fps")
    assert_problem(_post(client, cues="dat", dat_fps="nan"), 422, "dat_fps")
    assert_problem(_post(client, cues="tsv", extended_shapes="GQ"), 422, "extended_shapes")
    refused = _post(client, cues="dat", viseme_sets="oculus", dat_preston_blair="true")
    assert_problem(refused, 422, "dat_preston_blair")
    assert_problem(_post(client, cues="tsv", viseme_sets="klingon"), 422, "viseme_set")
    assert client.get("/v1/audios").json()["count"] == kept


def test_the_cues_of_a_text_are_a_file_in_the_rhubarb_set_by_default(
    client: TestClient[Litestar],
) -> None:
    said = {"text": "Bob bought a map.", "seed": 3}
    response = client.post("/v1/lipsync/cues", json=said)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    assert response.headers["content-disposition"] == 'attachment; filename="lipsync.tsv"'
    preview = client.post("/v1/lipsync/preview", json={**said, "viseme_set": "rhubarb"}).json()
    lines = [line.split("\t") for line in response.text.splitlines()]
    assert [shape for _, shape in lines[:-1]] == [c["viseme"] for c in preview["visemes"]]
    assert lines[-1] == [f"{int(preview['duration'] * 100 + 1e-6) / 100:.2f}", "X"]
    as_xml = client.post("/v1/lipsync/cues", json={**said, "format": "xml", "viseme_set": "azure"})
    assert ET.fromstring(as_xml.text).find("mouthCues/mouthCue").text == "0"  # type: ignore[union-attr]
    assert client.get("/v1/audios").json()["count"] == 0


def test_a_custom_viseme_table_is_written_with_its_own_symbols(
    client: TestClient[Litestar],
) -> None:
    table = {"name": "mine", "symbols": ["rest", "shut", "open"], "silence": "rest"}
    table |= {"default": "open", "classes": {"PP": "shut"}}
    body = {"text": "Bob", "viseme_table": table, "viseme_set": "mine", "format": "json"}
    cues = json.loads(client.post("/v1/lipsync/cues", json=body).text)["mouthCues"]
    assert {c["value"] for c in cues} == {"rest", "shut", "open"}


def test_bad_cue_options_for_a_text_are_problems(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    def post(**fields: object) -> Any:
        return client.post("/v1/lipsync/cues", json={"text": "Hi", **fields})

    assert_problem(post(format="moho"), 422, "format")
    assert_problem(post(dat_fps=101), 422, "dat_fps")
    assert_problem(post(extended_shapes="GHXX"), 422, "extended_shapes")
    assert_problem(post(extended_shapes="Q"), 422, "extended_shapes")
    assert_problem(post(viseme_set="oculus", dat_preston_blair=True), 422, "dat_preston_blair")
    assert_problem(post(viseme_set="klingon"), 422, "viseme_set")


def test_tweens_put_rhubarbs_in_betweens_into_the_file(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    plain = _post(client, cues="tsv").text.splitlines()
    tweened = _post(client, cues="tsv", tweens="true").text.splitlines()
    # the recording's last vowel (D) closes to rest (X) through C
    assert [line.split("\t")[1] for line in plain[-3:]] == ["D", "X", "X"]
    assert [line.split("\t")[1] for line in tweened[-4:]] == ["D", "C", "X", "X"]
    refused = client.post(
        "/v1/lipsync/cues", json={"text": "Hi", "viseme_set": "vrm", "tweens": True}
    )
    assert_problem(refused, 422, "tweens")
