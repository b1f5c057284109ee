"""``/v1/lipsync/listen`` on the mock recogniser: cues come as the audio does, with absolute
times, within a bounded lag of the audio that caused them; a transcript re-sends its stretch
corrected, with words; bad messages are error messages and the connection stays usable."""

from __future__ import annotations

import threading
from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.contracts.aligner import synthetic_speech
from avatar_service.core.errors import Unavailable
from avatar_service.core.recognition import REST_GAP_SECONDS
from avatar_service.core.usecases.listening import SETTLE_SECONDS
from avatar_service.entrypoints.http.controllers.listen import BATCH_SECONDS

RATE = 16000
CHUNK = RATE // 50  # 20 ms


def _pcm(samples: Any) -> bytes:
    return bytes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def _apply(cues: list[tuple[str, float]], event: dict[str, Any]) -> None:
    """The client's rule: a cue replaces every cue starting at or after it."""
    cues[:] = [c for c in cues if c[1] < event["start"]]
    cues.append((event["viseme"], event["start"]))


def _stream(ws: Any, samples: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for start in range(0, len(samples), CHUNK):
        ws.send_bytes(_pcm(samples[start : start + CHUNK]))
    ws.send_json({"type": "end"})
    while True:
        event = ws.receive_json()
        if event["type"] == "end":
            return [*events, event]
        events.append(event)


def test_cues_follow_the_audio_within_a_bounded_lag(client: TestClient[Litestar]) -> None:
    speech = synthetic_speech(RATE)
    with client.websocket_connect("/v1/lipsync/listen") as ws:
        ws.send_json({"type": "start", "sample_rate": RATE, "viseme_set": "rhubarb"})
        ready = ws.receive_json()
        assert ready == {
            "type": "ready",
            "sample_rate": RATE,
            "viseme_set": "rhubarb",
            "language": "en",
        }
        events = _stream(ws, speech)
    assert events[-1] == {"type": "end", "duration": 1.5}
    cues: list[tuple[str, float]] = []
    for event in events[:-1]:
        assert event["type"] == "viseme"
        assert event["start"] <= event["heard"]
        if not event["corrected"]:
            # settled after SETTLE_SECONDS (a rest after REST_GAP_SECONDS more), one chunk late;
            # the chunks all arrive at once, so they are recognised in batches of BATCH_SECONDS
            late = SETTLE_SECONDS + REST_GAP_SECONDS + BATCH_SECONDS + 0.02
            assert event["heard"] - event["start"] <= late + 1e-6
        _apply(cues, event)
    assert cues[:2] == [("X", 0.0), ("A", 0.2)]  # the mock hears an m as the first burst starts
    assert {v for v, _ in cues} == {"A", "D", "X"}
    assert [s for _, s in cues] == sorted(s for _, s in cues)


def _stream_then(client: TestClient[Litestar], message: dict[str, Any]) -> list[dict[str, Any]]:
    """The events of a stream of the synthetic speech followed by ``message`` (whose last word
    is ``world``), up to that word's event."""
    with client.websocket_connect("/v1/lipsync/listen") as ws:
        ws.send_json({"type": "start", "sample_rate": RATE, "viseme_set": "rhubarb"})
        ws.receive_json()
        speech = synthetic_speech(RATE)
        for start in range(0, len(speech), CHUNK):
            ws.send_bytes(_pcm(speech[start : start + CHUNK]))
        ws.send_json(message)
        events = []
        while True:
            event = ws.receive_json()
            events.append(event)
            if event["type"] == "word" and event["word"] == "world":
                return events


def test_a_burst_of_audio_is_recognised_in_batches_not_chunk_by_chunk(
    client: TestClient[Litestar],
) -> None:
    """Chunks sent faster than real time wait in the read-ahead and are recognised together,
    at most ``BATCH_SECONDS`` at a time: the events show fewer points heard than chunks."""
    speech = np.tile(synthetic_speech(RATE), 4)
    with client.websocket_connect("/v1/lipsync/listen") as ws:
        ws.send_json({"type": "start", "sample_rate": RATE, "viseme_set": "rhubarb"})
        ws.receive_json()
        events = _stream(ws, speech)
    heard = sorted({e["heard"] for e in events if e["type"] == "viseme"})
    chunks = len(speech) // CHUNK
    assert len(heard) <= chunks / 10  # one chunk at a time: about a third of the chunks
    assert all(b - a <= BATCH_SECONDS + 1e-6 for a, b in pairwise(heard))


def test_a_transcript_re_sends_its_stretch_corrected_with_words(
    client: TestClient[Litestar],
) -> None:
    message = {"type": "transcript", "text": "hello world", "start": 0.1, "end": 1.4}
    events = _stream_then(client, message)
    visemes = [e for e in events if e["type"] == "viseme" and e["corrected"]]
    words = [e for e in events if e["type"] == "word"]
    assert visemes
    assert [(w["word"], w["start_char"], w["end_char"]) for w in words] == [
        ("hello", 0, 5),
        ("world", 6, 11),
    ]
    assert 0.1 <= words[0]["start"] < words[1]["end"] <= 1.4 + 1e-6


def test_word_timings_re_send_their_stretch_corrected_with_the_clients_times(
    client: TestClient[Litestar],
) -> None:
    """A voice agent that knows when its words were said sends them: the words come back with
    those times and the stretch's cues are re-sent corrected, inside it."""
    said = [
        {"word": "hello", "start": 0.2, "end": 0.6},
        {"word": "world", "start": 0.7, "end": 1.2},
    ]
    events = _stream_then(client, {"type": "words", "words": said})
    visemes = [e for e in events if e["type"] == "viseme"]
    words = [e for e in events if e["type"] == "word"]
    assert [(w["word"], w["start"], w["end"], w["start_char"]) for w in words] == [
        ("hello", 0.2, 0.6, 0),
        ("world", 0.7, 1.2, 6),
    ]
    first_word = events.index(words[0])
    assert events[first_word - 1]["type"] == "viseme" and events[first_word - 1]["corrected"]
    cues: list[tuple[str, float]] = []
    for event in visemes:
        _apply(cues, event)
    starts = [start for _, start in cues]
    assert 0.2 in starts  # the first word's first shape begins where the client says
    inside = [viseme for viseme, start in cues if 0.2 <= start < 1.2]
    assert set(inside) - {"X"}  # the mouth moves over the words


def test_bad_messages_are_errors_and_the_stream_goes_on(client: TestClient[Litestar]) -> None:
    with client.websocket_connect("/v1/lipsync/listen") as ws:
        ws.send_bytes(_pcm(np.zeros(CHUNK)))
        assert ws.receive_json()["field"] == "type"  # audio before start
        ws.send_text("{not json")
        assert ws.receive_json()["status"] == 422
        ws.send_json({"type": "start", "sample_rate": RATE, "language": "fr"})
        assert ws.receive_json()["field"] == "language"
        ws.send_json({"type": "start", "sample_rate": 0})
        assert ws.receive_json()["field"] == "sample_rate"
        ws.send_json({"type": "start", "sample_rate": RATE, "viseme_set": "oculus"})
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(b"\x00\x01\x02")
        assert ws.receive_json()["field"] == "audio"
        ws.send_json({"type": "transcript", "text": "hi", "start": 0, "end": 5})
        assert ws.receive_json()["field"] == "start"
        ws.send_json({"type": "words", "words": [{"word": "hi", "start": 0, "end": 5}]})
        assert ws.receive_json()["field"] == "words"
        ws.send_json({"type": "words", "words": [{"word": "hi", "start": 0}]})
        assert ws.receive_json()["status"] == 422
        ws.send_json({"type": "words", "words": [{"word": "hi", "start": 0, "end": 0.01}] * 1001})
        assert ws.receive_json()["field"] == "words"
        ws.send_bytes(_pcm(np.zeros(CHUNK)))
        ws.send_json({"type": "end"})
        assert ws.receive_json() == {"type": "end", "duration": 0.02}


def test_a_stream_past_the_length_limit_is_refused(serve_with: Any) -> None:
    """Sent in a burst, the chunks within the limit are taken and each one past it is refused,
    as when they come one by one."""
    with (
        serve_with(limits={"max_recording_seconds": 0.05}) as (client, _),
        client.websocket_connect("/v1/lipsync/listen") as ws,
    ):
        ws.send_json({"type": "start", "sample_rate": RATE})
        ws.receive_json()
        events = _stream(ws, np.zeros(5 * CHUNK))
    errors = [(e["status"], e["field"]) for e in events if e["type"] == "error"]
    assert errors == [(413, "audio")] * 3
    assert events[-1] == {"type": "end", "duration": 0.04}


def _before_each_hint(container: Any, monkeypatch: pytest.MonkeyPatch, step: Any) -> None:
    """``step()`` runs before the recogniser reads audio with a transcript or words."""
    recognizer = container.recognition._recognizer
    recognize = recognizer.recognize

    def hinted(samples: Any, rate: int, hint: Any = None) -> Any:
        if hint is not None:
            step()
        return recognize(samples, rate, hint)

    monkeypatch.setattr(recognizer, "recognize", hinted)


def _start_with_speech(ws: Any, speech: Any) -> None:
    ws.send_json({"type": "start", "sample_rate": RATE, "viseme_set": "rhubarb"})
    ws.receive_json()
    for start in range(0, len(speech), CHUNK):
        ws.send_bytes(_pcm(speech[start : start + CHUNK]))


def test_audio_after_word_times_is_answered_while_their_stretch_is_worked_out(
    serve_with: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recognising a words message's stretch again takes time; the live cues of the audio that
    follows it do not wait for it. Its correction comes once ready, before the end."""
    release = threading.Event()
    speech = synthetic_speech(RATE)
    with serve_with() as (client, container):
        _before_each_hint(container, monkeypatch, lambda: release.wait(timeout=10))
        with client.websocket_connect("/v1/lipsync/listen") as ws:
            _start_with_speech(ws, speech)
            ws.send_json({"type": "words", "words": [{"word": "hello", "start": 0.2, "end": 0.6}]})
            for start in range(0, len(speech), CHUNK):
                ws.send_bytes(_pcm(speech[start : start + CHUNK]))
            before: list[dict[str, Any]] = []
            while not before or before[-1].get("heard", 0) < 2.5:
                before.append(ws.receive_json())
            release.set()
            after = _stream(ws, np.zeros(0))
    assert all(e["type"] == "viseme" for e in before)  # no words yet: the live cues came first
    assert not any(e["corrected"] and e["start"] <= 0.6 for e in before)
    words = [e for e in after if e["type"] == "word"]
    assert [(w["word"], w["start"], w["end"]) for w in words] == [("hello", 0.2, 0.6)]
    assert after[-1] == {"type": "end", "duration": 3.0}


def test_a_correction_whose_work_fails_is_an_error_and_the_stream_goes_on(
    serve_with: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def gone() -> None:
        raise Unavailable("the recogniser is gone")

    speech = synthetic_speech(RATE)
    with serve_with() as (client, container):
        _before_each_hint(container, monkeypatch, gone)
        with client.websocket_connect("/v1/lipsync/listen") as ws:
            _start_with_speech(ws, speech)
            ws.send_json({"type": "transcript", "text": "hello world", "start": 0.1, "end": 1.4})
            events = _stream(ws, speech)
    errors = [e for e in events if e["type"] == "error"]
    assert [(e["status"], e["detail"]) for e in errors] == [(503, "the recogniser is gone")]
    assert events[-1] == {"type": "end", "duration": 3.0}
