"""``POST /v1/lipsync/audio`` with ``words``: what was said with each word's times (a voice
agent's or a speech engine's). The words come back with those times, the mouth moves within
them and rests outside them, and bad word times are problems naming ``words``."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import soundfile
from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.contracts.aligner import synthetic_speech

ProblemCheck = Callable[..., dict[str, Any]]
RATE = 16000
SAID = [
    {"word": "hello", "start": 0.2, "end": 0.6},
    {"word": "world", "start": 0.7, "end": 1.2},
]


def _post(client: TestClient[Litestar], **fields: str) -> Any:
    buffer = io.BytesIO()
    soundfile.write(buffer, synthetic_speech(RATE), RATE, format="WAV")  # 1.5 s
    return client.post(
        "/v1/lipsync/audio",
        files={"audio": ("take.wav", buffer.getvalue(), "audio/wav")},
        data=fields,
    )


def test_word_times_come_back_as_given_and_the_mouth_moves_inside_them(
    client: TestClient[Litestar],
) -> None:
    response = _post(client, words=json.dumps(SAID), viseme_sets="rhubarb")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["transcript"] is True
    assert [(w["word"], w["start"], w["end"], w["start_char"]) for w in body["words"]] == [
        ("hello", 0.2, 0.6, 0),
        ("world", 0.7, 1.2, 6),
    ]
    phonemes = body["phonemes"]
    assert phonemes and all(0.2 - 1e-6 <= p["start"] < p["end"] <= 1.2 + 1e-6 for p in phonemes)
    cues = body["visemes_by_set"]["rhubarb"]
    assert [c["viseme"] for c in cues if c["end"] <= 0.2] == ["X"]  # before the first word
    assert {c["viseme"] for c in cues if 0.2 <= c["start"] < 1.2} - {"X"}


def test_the_recording_is_kept_with_the_words_as_its_text(client: TestClient[Litestar]) -> None:
    body = _post(client, words=json.dumps(SAID)).json()
    listed = client.get("/v1/audios", params={"limit": 200}).json()
    kept = [a for a in listed["audios"] if a["audio_id"] == body["audio_id"]]
    assert [a["text"] for a in kept] == ["hello world"]


def test_bad_word_times_are_problems_naming_words(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    late = [{"word": "late", "start": 1.0, "end": 2.0}]  # past the 1.5 s recording
    overlapping = [SAID[0], {"word": "world", "start": 0.5, "end": 1.0}]
    for words in ("not json", '[{"word": "hi"}]', json.dumps(late), json.dumps(overlapping)):
        assert_problem(_post(client, words=words), 422, field="words")
    tiny = [{"word": "a", "start": i / 1000, "end": i / 1000} for i in range(1001)]
    too_many = json.dumps(tiny)
    assert_problem(_post(client, words=too_many), 422, field="words")
    both = _post(client, words=json.dumps(SAID), text="hello world")
    assert_problem(both, 422, field="words")
