"""``/v1/lipsync/stream``: message order, absolute monotonic offsets, PCM matching its header,
cancel, several utterances on one connection, errors as messages, SSML 422 on a voice without
SSML, and marks from espeak."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient, WebSocketTestSession
from support import IN_MEMORY, MOCK, MOCK_SPEECH

from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

PATH = "/v1/lipsync/stream"
TEXT = "Hello there. How are you today? I am fine, thank you!"
Message = dict[str, Any] | bytes


def _receive(ws: WebSocketTestSession) -> Message:
    message = ws.receive()
    if message.get("bytes") is not None:
        data: bytes = message["bytes"]
        return data
    decoded: dict[str, Any] = json.loads(message["text"])
    return decoded


def _until(ws: WebSocketTestSession, *kinds: str) -> list[Message]:
    """Messages up to and including the first JSON one whose type is in ``kinds``."""
    out: list[Message] = []
    while True:
        message = _receive(ws)
        out.append(message)
        if isinstance(message, dict) and message["type"] in kinds:
            return out


def _speak(ws: WebSocketTestSession, **body: Any) -> None:
    ws.send_text(json.dumps({"type": "speak", **body}))


def _events(messages: list[Message], kind: str) -> list[dict[str, Any]]:
    return [m for m in messages if isinstance(m, dict) and m["type"] == kind]


def test_an_utterance_streams_audio_then_its_events_per_sentence(
    client: TestClient[Litestar],
) -> None:
    with client.websocket_connect(PATH) as ws:
        _speak(ws, text=TEXT, utterance_id="u1", viseme_set="rhubarb")
        messages = _until(ws, "end", "error")
    assert messages[0] == {"type": "start", "utterance_id": "u1", "sentences": 3}
    headers = _events(messages, "audio")
    assert len(headers) == 3
    expected_offset = 0.0
    for header in headers:
        at = messages.index(header)
        frame = messages[at + 1]
        assert isinstance(frame, bytes), "a binary frame follows each audio header"
        assert header["format"] == "pcm_s16le" and header["channels"] == 1
        assert len(frame) == 2 * header["samples"]
        assert header["offset"] == pytest.approx(expected_offset, abs=1e-5)
        expected_offset += header["samples"] / header["sample_rate"]
    end = messages[-1]
    assert isinstance(end, dict) and end["type"] == "end"
    assert end["duration"] == pytest.approx(expected_offset, abs=1e-5)
    visemes = _events(messages, "viseme")
    assert {v["viseme_set"] for v in visemes} == {"rhubarb"}
    assert visemes[0]["start"] == 0 and visemes[-1]["end"] == pytest.approx(end["duration"])
    for before, after in itertools.pairwise(visemes):
        assert after["start"] == pytest.approx(before["end"])  # contiguous, absolute
    for kind in ("phoneme", "word"):
        starts = [e["start"] for e in _events(messages, kind)]
        assert starts == sorted(starts) and starts[-1] > headers[-1]["offset"]
    words = _events(messages, "word")
    assert all(TEXT[w["start_char"] : w["end_char"]] == w["word"] for w in words)
    # phonemes name their word by its place among the utterance's word events
    for phoneme in _events(messages, "phoneme"):
        if phoneme["word_index"] is not None:
            word = words[phoneme["word_index"]]
            assert word["start"] - 1e-6 <= phoneme["start"] <= phoneme["end"] <= word["end"] + 1e-6
    # each sentence's events come after its audio and before the next sentence's audio
    second_audio = messages.index(headers[1])
    assert all(messages.index(w) > second_audio for w in words if w["start_char"] >= 13)


def test_several_utterances_share_one_connection_in_order(client: TestClient[Litestar]) -> None:
    with client.websocket_connect(PATH) as ws:
        _speak(ws, text="First one.", utterance_id="a")
        _speak(ws, text="Second one.", utterance_id="b")
        messages = _until(ws, "end")
        messages += _until(ws, "end")
    ends = _events(messages, "end")
    assert [e["utterance_id"] for e in ends] == ["a", "b"]
    starts = _events(messages, "start")
    assert messages.index(starts[1]) > messages.index(ends[0])
    audio_b = [h for h in _events(messages, "audio") if h["utterance_id"] == "b"]
    assert audio_b[0]["offset"] == 0  # offsets restart with each utterance


def test_cancel_stops_the_utterance_and_says_so(client: TestClient[Litestar]) -> None:
    text = " ".join(f"This is sentence number {i}." for i in range(40))
    with client.websocket_connect(PATH) as ws:
        _speak(ws, text=text, utterance_id="long")
        first = _until(ws, "audio")
        ws.send_text(json.dumps({"type": "cancel", "utterance_id": "long"}))
        rest = _until(ws, "cancelled", "end")
        assert rest[-1] == {"type": "cancelled", "utterance_id": "long"}
        assert len(_events(first + rest, "audio")) < 40
        _speak(ws, text="Still here.", utterance_id="next")  # the connection stays usable
        assert _until(ws, "end")[-1]["utterance_id"] == "next"  # type: ignore[index]


def test_a_queued_utterance_can_be_cancelled_before_it_starts(
    client: TestClient[Litestar],
) -> None:
    text = " ".join(f"This is sentence number {i}." for i in range(30))
    with client.websocket_connect(PATH) as ws:
        _speak(ws, text=text, utterance_id="one")
        _speak(ws, text="Queued.", utterance_id="two")
        ws.send_text(json.dumps({"type": "cancel", "utterance_id": "two"}))
        messages = _until(ws, "end")
    cancelled = _events(messages, "cancelled")
    assert cancelled == [{"type": "cancelled", "utterance_id": "two"}]
    assert not [m for m in _events(messages, "start") if m["utterance_id"] == "two"]


@pytest.mark.parametrize(
    ("message", "status", "field"),
    [
        ("{not json", 422, "message"),
        ('{"type": "dance"}', 422, "type"),
        ('{"text": "Hi.", "colour": "red"}', 422, None),
        ('{"text": "Hi.", "viseme_set": "klingon"}', 422, "viseme_set"),
        ('{"text": "   "}', 422, "text"),
        ('{"text": "Hi.", "voice": "nobody"}', 404, "voice"),
        ('{"text": "Hi.", "avatar_id": "av_missing"}', 404, None),
        ('{"text": "Hi.", "utterance_id": "bad id!"}', 422, "utterance_id"),
        ('{"type": "cancel", "utterance_id": "ghost"}', 404, "utterance_id"),
        ('{"text": "<speak>Hi.</speak>", "ssml": true}', 422, "text"),
    ],
)
def test_errors_are_problem_messages_and_the_connection_stays_open(
    client: TestClient[Litestar], message: str, status: int, field: str | None
) -> None:
    with client.websocket_connect(PATH) as ws:
        ws.send_text(message)
        error = _until(ws, "error")[-1]
        assert isinstance(error, dict)
        assert error["status"] == status and error["detail"] and error["title"]
        if field is not None:
            assert error["field"] == field
        _speak(ws, text="Still here.")
        assert _until(ws, "end", "error")[-1]["type"] == "end"  # type: ignore[index]


def test_limits_bound_messages_and_queued_utterances(container: Any) -> None:
    settings = Settings(
        **MOCK_SPEECH,
        **IN_MEMORY,
        stream={"max_message_bytes": 2048, "max_queued": 1},
        _env_file=None,
    )
    app = create_app(
        bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
    )
    with (
        TestClient(app, base_url="http://127.0.0.1") as client,
        client.websocket_connect(PATH) as ws,
    ):
        ws.send_text(json.dumps({"text": "x " * 2000}))
        assert _until(ws, "error")[-1]["status"] == 413  # type: ignore[index]
        long_text = " ".join(f"Sentence {i}." for i in range(60))
        for name in ("a", "b", "c"):
            _speak(ws, text=long_text, utterance_id=name)
        messages = _until(ws, "error")
        assert messages[-1]["status"] == 429  # type: ignore[index]
        ws.send_text(json.dumps({"type": "cancel"}))
        _until(ws, "cancelled")


@pytest.fixture(scope="module")
def espeak_client() -> Iterator[TestClient[Litestar]]:
    settings = Settings(
        tts="espeak",
        aligner="engine",
        renderer=MOCK,
        **IN_MEMORY,
        _env_file=None,
    )
    container = bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
    with TestClient(create_app(container), base_url="http://127.0.0.1") as client:
        yield client


def test_ssml_on_espeak_streams_marks_with_absolute_times(
    espeak_client: TestClient[Litestar],
) -> None:
    ssml = (
        '<speak><mark name="one"/>Hello there. <break time="300ms"/>'
        '<mark name="two"/>How <prosody rate="slow">are</prosody> you?</speak>'
    )
    with espeak_client.websocket_connect(PATH) as ws:
        _speak(ws, text=ssml, ssml=True, voice="en-us")
        messages = _until(ws, "end", "error")
    assert messages[-1]["type"] == "end", messages[-1]  # type: ignore[index]
    headers = _events(messages, "audio")
    assert len(headers) == 2
    marks = _events(messages, "mark")
    assert [m["name"] for m in marks] == ["one", "two"]
    assert marks[0]["time"] == pytest.approx(0, abs=0.02)
    assert headers[1]["offset"] - 0.01 <= marks[1]["time"] <= headers[1]["offset"] + 0.5
    words = _events(messages, "word")
    assert [ssml[w["start_char"] : w["end_char"]] for w in words] == [
        "Hello",
        "there",
        "How",
        "are",
        "you",
    ]


def test_ssml_with_an_element_outside_the_subset_is_a_422(
    espeak_client: TestClient[Litestar],
) -> None:
    with espeak_client.websocket_connect(PATH) as ws:
        _speak(ws, text="<speak><audio src='x.wav'/></speak>", ssml=True)
        error = _until(ws, "error")[-1]
    assert isinstance(error, dict) and error["status"] == 422 and error["field"] == "text"
    assert "<audio>" in error["detail"]


def test_post_lipsync_preview_reads_ssml_and_returns_its_marks(
    espeak_client: TestClient[Litestar],
) -> None:
    ssml = '<speak>Hello <mark name="here"/>there.</speak>'
    response = espeak_client.post("/v1/lipsync/preview", json={"text": ssml, "ssml": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [m["name"] for m in body["marks"]] == ["here"]
    there = body["words"][1]
    assert ssml[there["start_char"] : there["end_char"]] == "there"
    assert body["marks"][0]["time"] == pytest.approx(there["start"], abs=0.02)


def test_post_lipsync_with_ssml_on_a_voice_without_ssml_is_a_422(
    client: TestClient[Litestar], assert_problem: Any
) -> None:
    response = client.post("/v1/lipsync", json={"text": "<speak>Hi.</speak>", "ssml": True})
    assert "does not accept SSML" in assert_problem(response, 422, field="text")["detail"]
