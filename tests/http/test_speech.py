"""Phonemes, lip sync and its preview, voices: seed field names, timing guarantees, errors."""

from __future__ import annotations

import io
import itertools
import wave
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.core.phonemes import ARPABET_TO_IPA

ARPABET = set(ARPABET_TO_IPA)
ProblemCheck = Callable[..., dict[str, Any]]


def _lipsync(client: TestClient[Litestar], **body: Any) -> dict[str, Any]:
    response = client.post("/v1/lipsync", json={"text": "Hello there, world", **body})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _assert_ordered(spans: list[dict[str, Any]], duration: float) -> None:
    previous = 0.0
    for span in spans:
        assert previous <= span["start"] <= span["end"] <= duration
        previous = span["end"]


def test_lipsync_returns_the_seed_field_names(client: TestClient[Litestar]) -> None:
    body = _lipsync(client)
    assert {
        "avatar_id",
        "audio_id",
        "audio_url",
        "duration",
        "sample_rate",
        "voice",
        "phonemes",
        "words",
        "visemes",
        "visemes_by_set",
    } <= body.keys()
    assert body["avatar_id"] is None
    assert body["audio_url"] == f"/v1/audios/{body['audio_id']}"
    assert set(body["phonemes"][0]) == {"phoneme", "start", "end", "word_index"}
    assert set(body["words"][0]) == {"word", "start", "end", "start_char", "end_char"}
    assert set(body["visemes"][0]) == {"viseme", "start", "end"}
    assert [w["word"] for w in body["words"]] == ["Hello", "there", "world"]


def test_lipsync_audio_url_downloads_a_wav_of_the_stated_duration(
    client: TestClient[Litestar],
) -> None:
    body = _lipsync(client)
    audio = client.get(body["audio_url"])
    assert audio.status_code == 200
    assert audio.headers["content-type"].startswith("audio/wav")
    assert audio.content.startswith(b"RIFF")
    assert int(audio.headers["content-length"]) == len(audio.content)
    with wave.open(io.BytesIO(audio.content)) as wav:
        assert wav.getframerate() == body["sample_rate"]
        seconds = wav.getnframes() / wav.getframerate()
    assert abs(seconds - body["duration"]) < 1e-5


def test_lipsync_timings_are_ordered_and_within_the_audio(client: TestClient[Litestar]) -> None:
    body = _lipsync(client)
    _assert_ordered(body["phonemes"], body["duration"])
    _assert_ordered(body["words"], body["duration"])
    assert body["phonemes"]
    assert body["words"]


def test_visemes_are_contiguous_and_cover_the_whole_audio(client: TestClient[Litestar]) -> None:
    body = _lipsync(client, viseme_sets=["oculus", "rhubarb", "azure"])
    assert set(body["visemes_by_set"]) == {"oculus", "rhubarb", "azure"}
    assert body["visemes"] == body["visemes_by_set"]["oculus"]
    for cues in body["visemes_by_set"].values():
        assert cues[0]["start"] == 0.0
        assert cues[-1]["end"] == body["duration"]
        for before, after in itertools.pairwise(cues):
            assert before["end"] == after["start"]


def test_viseme_set_picks_the_set_of_visemes(client: TestClient[Litestar]) -> None:
    body = _lipsync(client, viseme_set="rhubarb")
    assert list(body["visemes_by_set"]) == ["rhubarb"]
    assert {c["viseme"] for c in body["visemes"]} <= set("ABCDEFGHX")


def test_arpabet_alphabet_gives_arpabet_symbols(client: TestClient[Litestar]) -> None:
    body = _lipsync(client, alphabet="arpabet")
    for phoneme in body["phonemes"]:
        assert phoneme["phoneme"].rstrip("012") in ARPABET, phoneme


def test_phonemes_lists_words_with_char_offsets(client: TestClient[Litestar]) -> None:
    text = "Hello world"
    response = client.post("/v1/phonemes", json={"text": text})
    assert response.status_code == 200
    body = response.json()
    assert body["text"] == text
    assert [text[w["start_char"] : w["end_char"]] for w in body["words"]] == ["Hello", "world"]
    flat = [p["phoneme"] for p in body["phonemes"]]
    assert flat == [p for w in body["words"] for p in w["phonemes"]]


def test_phonemes_in_arpabet(client: TestClient[Litestar]) -> None:
    body = client.post("/v1/phonemes", json={"text": "cat", "alphabet": "arpabet"}).json()
    assert body["words"][0]["phonemes"] == ["K", "AE0", "T"]


def test_preview_gives_timings_and_stores_nothing(client: TestClient[Litestar]) -> None:
    response = client.post("/v1/lipsync/preview", json={"text": "Hello there"})
    assert response.status_code == 200
    body = response.json()
    assert {"duration", "phonemes", "visemes", "visemes_by_set"} <= body.keys()
    assert "audio_id" not in body
    assert body["visemes"][-1]["end"] == body["duration"]


def test_voices_lists_the_engine_voices(client: TestClient[Litestar]) -> None:
    body = client.get("/v1/voices").json()
    assert body["count"] == len(body["voices"]) >= 1
    assert set(body["voices"][0]) == {
        "voice_id",
        "name",
        "language",
        "engine",
        "sample_rate",
        "gender",
        "speakers",
        "neural",
        "quality",
        "timing",
    }
    assert "default_voice" in body  # the mock engine names none; see test_speech_real


def test_empty_text_is_422_naming_text(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    for route in ("/v1/lipsync", "/v1/lipsync/preview", "/v1/phonemes"):
        assert_problem(client.post(route, json={"text": "   "}), 422, field="text")


def test_text_over_the_limit_is_413(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = client.post("/v1/lipsync", json={"text": "a " * 5000})
    assert_problem(response, 413, field="text")


def test_unknown_voice_is_404_naming_the_closest_and_the_list(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    body = assert_problem(
        client.post("/v1/lipsync", json={"text": "hi", "voice": "mock-enn"}), 404, field="voice"
    )
    assert "closest: mock-en" in body["detail"]
    assert "GET /v1/voices" in body["detail"]


def test_unknown_avatar_on_lipsync_is_404(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = client.post("/v1/lipsync", json={"text": "hi", "avatar_id": "ghost"})
    assert_problem(response, 404)


def test_lipsync_for_an_avatar_names_it(client: TestClient[Litestar]) -> None:
    client.post("/v1/avatars", json={"avatar_id": "ada"})
    assert _lipsync(client, avatar_id="ada")["avatar_id"] == "ada"


def test_out_of_range_rate_is_422_naming_rate(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    assert_problem(client.post("/v1/lipsync", json={"text": "hi", "rate": 9}), 422, field="rate")


def test_unknown_viseme_set_and_alphabet_are_422(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = client.post("/v1/lipsync", json={"text": "hi", "viseme_set": "nope"})
    assert_problem(response, 422, field="viseme_set")
    response = client.post("/v1/phonemes", json={"text": "hi", "alphabet": "sampa"})
    assert_problem(response, 422, field="alphabet")
