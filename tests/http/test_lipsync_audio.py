"""``POST /v1/lipsync/audio`` on the mock recogniser: the body, every requested viseme set,
words from a transcript, the stored recording, renders from it, and bad input as problems."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import numpy as np
import soundfile
from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.adapters.audio.ffmpeg import transcode_wav
from avatar_service.contracts.aligner import synthetic_speech
from avatar_service.core.audio import encode_wav
from avatar_service.core.usecases.framing import LEAD_IN, SETTLE
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.jobs_wiring import start_embedded_workers

ProblemCheck = Callable[..., dict[str, Any]]
RATE = 16000


def _encoded(fmt: str, samples: Any = None, rate: int = RATE) -> bytes:
    samples = synthetic_speech(rate) if samples is None else samples
    if fmt == "mp3":
        return transcode_wav(encode_wav(samples, rate), "mp3")
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format=fmt.upper())
    return buffer.getvalue()


def _post(client: TestClient[Litestar], audio: bytes, **fields: str) -> Any:
    return client.post(
        "/v1/lipsync/audio",
        files={"audio": ("take.bin", audio, "application/octet-stream")},
        data=fields,
    )


def _assert_timeline(cues: list[dict[str, Any]], duration: float) -> None:
    assert cues[0]["start"] == 0.0
    assert abs(cues[-1]["end"] - duration) < 1e-5
    for before, after in pairwise(cues):
        assert before["end"] == after["start"]


def test_a_recording_gives_phonemes_and_every_requested_viseme_set(
    client: TestClient[Litestar],
) -> None:
    response = _post(client, _encoded("wav"), viseme_sets="rhubarb,oculus")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["duration"] == 1.5
    assert body["language"] == "en"
    assert body["transcript"] is False
    assert body["words"] == []
    assert [p["phoneme"] for p in body["phonemes"][:2]] == ["m", "ɑ"]
    assert set(body["visemes_by_set"]) == {"rhubarb", "oculus"}
    assert body["visemes"] == body["visemes_by_set"]["rhubarb"]
    for cues in body["visemes_by_set"].values():
        _assert_timeline(cues, body["duration"])
    assert body["visemes_by_set"]["rhubarb"][0]["viseme"] == "X"  # the silence before speech


def test_viseme_sets_may_be_sent_as_repeated_form_fields(client: TestClient[Litestar]) -> None:
    """An HTML form's checkboxes or ``curl -F viseme_sets=a -F viseme_sets=b`` repeat the field."""
    response = client.post(
        "/v1/lipsync/audio",
        files=[
            ("audio", ("take.wav", _encoded("wav"), "audio/wav")),
            ("viseme_sets", (None, b"arkit")),
            ("viseme_sets", (None, b"rhubarb,vrm")),
        ],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body["visemes_by_set"]) == ["arkit", "rhubarb", "vrm"]
    assert body["visemes"] == body["visemes_by_set"]["arkit"]


def test_the_recording_is_kept_and_downloads_as_wav(client: TestClient[Litestar]) -> None:
    body = _post(client, _encoded("flac")).json()
    download = client.get(body["audio_url"])
    assert download.status_code == 200
    samples, rate = soundfile.read(io.BytesIO(download.content))
    assert rate == body["sample_rate"] == RATE
    assert len(samples) / rate == body["duration"]


def test_flac_ogg_and_mp3_are_read(client: TestClient[Litestar]) -> None:
    for fmt in ("flac", "ogg", "mp3"):
        response = _post(client, _encoded(fmt))
        assert response.status_code == 200, (fmt, response.text)
        assert abs(response.json()["duration"] - 1.5) < 0.1, fmt


def test_a_transcript_gives_one_word_per_word_with_char_offsets(
    client: TestClient[Litestar],
) -> None:
    text = "Hello there, world"
    body = _post(client, _encoded("wav"), text=text, alphabet="arpabet").json()
    assert body["transcript"] is True
    assert [(w["word"], w["start_char"], w["end_char"]) for w in body["words"]] == [
        ("Hello", 0, 5),
        ("there", 6, 11),
        ("world", 13, 18),
    ]
    assert body["phonemes"][0]["phoneme"] == "M"


def test_a_recording_renders_from_its_recognised_visemes(
    client: TestClient[Litestar],
) -> None:
    audio_id = _post(client, _encoded("wav")).json()["audio_id"]
    response = client.post(
        "/v1/render/sequence", json={"avatar_id": "ava", "audio_id": audio_id, "format": "gif"}
    )
    assert response.status_code == 200, response.text
    # the recording's 1.5 s, with the video's rest before the speech and settle after it
    assert abs(response.json()["duration"] - (LEAD_IN + 1.5 + SETTLE)) <= 1 / 25


def test_an_asynchronous_render_of_a_recording_finishes(container: Container) -> None:
    start_embedded_workers(container.jobs, container.settings)
    with TestClient(create_app(container), base_url="http://127.0.0.1") as client:
        _render_async(client)
    container.close()


def _render_async(client: TestClient[Litestar]) -> None:
    audio_id = _post(client, _encoded("wav")).json()["audio_id"]
    response = client.post(
        "/v1/render/sequence",
        json={"avatar_id": "ava", "audio_id": audio_id, "format": "gif", "async": True},
    )
    assert response.status_code == 202, response.text
    status_url = response.json()["status_url"]
    for _ in range(200):
        job = client.get(status_url).json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "done", job


def test_bad_recordings_are_clear_problems(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    assert_problem(_post(client, b"this is not audio at all"), 422, "audio")
    assert_problem(_post(client, b""), 422, "audio")
    assert_problem(_post(client, b"RIFF\x00\x00\x00\x00WAVEfmt "), 422, "audio")
    assert_problem(_post(client, _encoded("wav"), language="de"), 422, "language")
    assert_problem(_post(client, _encoded("wav"), viseme_sets="klingon"), 422, "viseme_set")
    assert_problem(_post(client, _encoded("wav"), alphabet="runes"), 422, "alphabet")
    assert_problem(_post(client, _encoded("wav"), avatar_id="nobody"), 404)
    missing = client.post("/v1/lipsync/audio", data={"text": "no file"})
    assert 400 <= missing.status_code < 500


def test_a_recording_at_a_rate_no_recorder_uses_is_a_clear_problem(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    # 2 KB declaring 2 Hz would be 500 s of audio to recognise; 2 GHz, two microseconds
    for rate in (2, 2_000_000_000):
        problem = assert_problem(_post(client, encode_wav(np.zeros(1000), rate)), 422, "audio")
        assert "4000" in problem["detail"] and "192000" in problem["detail"]


def test_english_in_any_region_is_accepted(client: TestClient[Litestar]) -> None:
    assert _post(client, _encoded("wav"), language="en-GB").status_code == 200


def test_a_recording_over_the_length_limit_is_refused(
    serve_with: Any, assert_problem: ProblemCheck
) -> None:
    with serve_with(limits={"max_recording_seconds": 1.0}) as (client, _):
        assert_problem(_post(client, _encoded("wav")), 413, "audio")
        assert_problem(_post(client, _encoded("mp3")), 413, "audio")


def test_silence_is_an_all_rest_timeline(client: TestClient[Litestar]) -> None:
    body = _post(client, _encoded("wav", np.zeros(RATE, dtype=np.float32))).json()
    assert body["phonemes"] == []
    assert [c["viseme"] for c in body["visemes"]] == ["sil"]


def test_the_route_is_documented(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()
    operation = schema["paths"]["/v1/lipsync/audio"]["post"]
    assert operation["summary"] and operation["description"]
    for name in ("RecordingForm", "RecordingLipsyncResponse"):
        component = schema["components"]["schemas"][name]
        for field, spec in component["properties"].items():
            assert spec.get("description"), f"{name}.{field} has no description"
