"""The speech routes over the real engines: espeak (exact timings), dtw (uploaded audio),
Piper (a tiny voice built at test time)."""

from __future__ import annotations

import io
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from litestar import Litestar
from litestar.testing import TestClient
from support import IN_MEMORY, MOCK

from avatar_service.adapters.audio.ffmpeg import transcode_wav
from avatar_service.core.audio import decode_wav, encode_wav
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

sys.path.insert(0, str(Path(__file__).parents[1] / "adapters"))
from piper_voice import build_voice

REAL = {"tts": "espeak", "aligner": "dtw", "renderer": MOCK, **IN_MEMORY}
SENTENCE = "The quick brown fox jumps over the lazy dog."


def make_client(**settings: Any) -> TestClient[Litestar]:
    container = bootstrap(
        Settings(**{**REAL, **settings}, _env_file=None),
        plugin_manager=make_plugin_manager(load_entrypoints=False),
    )
    return TestClient(create_app(container), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def real() -> Iterator[TestClient[Litestar]]:
    with make_client() as client:
        yield client


def wav_of(samples: np.ndarray, rate: int, fmt: str = "WAV") -> bytes:
    """``samples`` encoded as ``fmt``: a libsndfile format, or ``MP3`` (made by ffmpeg)."""
    if fmt == "MP3":
        return transcode_wav(encode_wav(samples, rate), "mp3")
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format=fmt)
    return buffer.getvalue()


def test_lipsync_returns_exact_espeak_timings_and_keeps_the_audio(
    real: TestClient[Litestar],
) -> None:
    response = real.post(
        "/v1/lipsync", json={"text": SENTENCE, "viseme_sets": ["oculus", "rhubarb"]}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["voice"] == "en-us"
    words = body["words"]
    assert [w["word"] for w in words][:3] == ["The", "quick", "brown"]
    assert all(SENTENCE[w["start_char"] : w["end_char"]] == w["word"] for w in words)
    visemes = body["visemes_by_set"]["rhubarb"]
    assert visemes[0]["start"] == 0 and visemes[-1]["end"] == body["duration"]
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(visemes))
    audio = real.get(body["audio_url"])
    assert audio.status_code == 200
    samples, rate = decode_wav(audio.content)
    assert len(samples) / rate == pytest.approx(body["duration"], abs=1e-6)


def test_arpabet_phonemes_in_the_seeds_shape(real: TestClient[Litestar]) -> None:
    response = real.post("/v1/lipsync/preview", json={"text": "Hello world", "alphabet": "arpabet"})
    assert response.status_code == 200, response.text
    phonemes = response.json()["phonemes"]
    assert [p["phoneme"] for p in phonemes][:4] == ["HH", "AH0", "L", "OW1"]
    assert set(phonemes[0]) == {"phoneme", "start", "end", "word_index"}


JOINED = "The jar is on the kitchen shelf, in the morning."


@pytest.mark.parametrize("route", ["/v1/lipsync", "/v1/lipsync/preview", "/v1/phonemes/timing"])
def test_every_word_comes_back_even_those_espeak_speaks_joined(
    real: TestClient[Litestar], route: str
) -> None:
    response = real.post(route, json={"text": JOINED})
    assert response.status_code == 200, response.text
    body = response.json()
    words = body["words"]
    assert [w["word"] for w in words] == [w.strip(",.") for w in JOINED.split()]
    assert all(JOINED[w["start_char"] : w["end_char"]] == w["word"] for w in words)
    assert all(w["end"] > w["start"] for w in words)
    assert all(p["end"] > p["start"] for p in body["phonemes"])
    owners = [p["word_index"] for p in body["phonemes"] if p["word_index"] is not None]
    assert owners == sorted(owners) and set(owners) == set(range(len(words)))


def test_an_uploaded_recording_of_joined_words_aligns_every_word(
    real: TestClient[Litestar],
) -> None:
    speech = real.post("/v1/lipsync", json={"text": JOINED, "rate": 1.2}).json()
    samples, rate = decode_wav(real.get(speech["audio_url"]).content)
    response = real.post(
        "/v1/phonemes/timing",
        files={"audio": ("take.wav", wav_of(samples, rate, "WAV"))},
        data={"text": JOINED},
    )
    assert response.status_code == 200, response.text
    words = response.json()["words"]
    assert [w["word"] for w in words] == [w.strip(",.") for w in JOINED.split()]


def test_stored_audio_is_listed_with_its_voice_named_as_requests_name_it(
    real: TestClient[Litestar],
) -> None:
    spoken = real.post("/v1/lipsync", json={"text": "Hello.", "voice": "en-us"}).json()
    listed = real.get("/v1/audios").json()["audios"]
    item = next(a for a in listed if a["audio_id"] == spoken["audio_id"])
    assert item["voice"] == spoken["voice"] == "en-us"
    assert "voice_id" not in item


def test_timing_from_json_text_is_the_engines(real: TestClient[Litestar]) -> None:
    response = real.post("/v1/phonemes/timing", json={"text": "Hello there", "voice": "en-us"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == "engine"
    assert [p["phoneme"] for p in body["phonemes"]][:4] == ["h", "ə", "l", "oʊ"]
    assert body["words"][1] == {
        **body["words"][1],
        "word": "there",
        "start_char": 6,
        "end_char": 11,
    }


@pytest.mark.parametrize("fmt", ["WAV", "FLAC", "OGG", "MP3"])
def test_timing_aligns_an_uploaded_recording(real: TestClient[Litestar], fmt: str) -> None:
    truth = real.post("/v1/phonemes/timing", json={"text": SENTENCE, "rate": 1.3, "pitch": 1.4})
    speech = real.post("/v1/lipsync", json={"text": SENTENCE, "rate": 1.3, "pitch": 1.4}).json()
    samples, rate = decode_wav(real.get(speech["audio_url"]).content)
    response = real.post(
        "/v1/phonemes/timing",
        files={"audio": (f"take.{fmt.lower()}", wav_of(samples, rate, fmt))},
        data={"text": SENTENCE},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == "aligner"
    expected = [p["start"] for p in truth.json()["phonemes"]]
    aligned = [p["start"] for p in body["phonemes"]]
    assert len(aligned) == len(expected)
    assert float(np.median(np.abs(np.array(aligned) - np.array(expected)))) < 0.03


@pytest.mark.parametrize(
    ("files", "data", "field"),
    [
        ({"audio": ("x.wav", b"")}, {"text": "hello"}, "audio"),
        ({"audio": ("x.wav", b"not audio at all")}, {"text": "hello"}, "audio"),
        ({"audio": ("x.wav", wav_of(np.zeros(0), 16000))}, {"text": "hello"}, "audio"),
        ({"audio": ("x.wav", wav_of(np.zeros(16000), 16000))}, {"text": "  "}, "text"),
        ({"audio": ("x.wav", wav_of(np.zeros(1600), 16000))}, {"text": "word " * 400}, "text"),
        ({"other": ("x.wav", b"RIFF")}, {"text": "hello"}, "audio"),
    ],
    ids=[
        "empty-file",
        "unreadable",
        "no-samples",
        "blank-text",
        "transcript-cannot-match",
        "no-audio",
    ],
)
def test_bad_uploads_are_clear_422s(
    real: TestClient[Litestar], assert_problem: Any, files: Any, data: Any, field: str
) -> None:
    response = real.post("/v1/phonemes/timing", files=files, data=data)
    assert_problem(response, 422, field=field)


def test_bad_text_and_voice_are_4xx(real: TestClient[Litestar], assert_problem: Any) -> None:
    assert_problem(real.post("/v1/lipsync", json={"text": "   "}), 422, field="text")
    assert_problem(real.post("/v1/phonemes/timing", json={"text": ""}), 422, field="text")
    unknown = assert_problem(real.post("/v1/lipsync", json={"text": "hi", "voice": "xx"}), 404)
    assert "en-us" in unknown["detail"]
    assert_problem(
        real.post(
            "/v1/phonemes/timing",
            content=b"{not json",
            headers={"content-type": "application/json"},
        ),
        400,
    )
    assert_problem(real.post("/v1/phonemes/timing", json={"text": 3}), 422, field="text")


def test_text_over_the_configured_limit_is_413(assert_problem: Any) -> None:
    with make_client(limits={"max_text_chars": 20}) as client:
        assert_problem(client.post("/v1/lipsync", json={"text": "x" * 21}), 413, field="text")


def test_voices_lists_every_espeak_voice(real: TestClient[Litestar]) -> None:
    body = real.get("/v1/voices").json()
    ids = {v["voice_id"] for v in body["voices"]}
    assert {"en-us", "de", "fr"} <= ids and body["count"] == len(ids)


def test_a_configured_piper_voice_becomes_the_default(tmp_path: Path) -> None:
    model = build_voice(tmp_path, "en_US-tiny-test")
    with make_client(tts="auto", piper_model_path=model) as client:
        body = client.post("/v1/lipsync/preview", json={"text": "Hello there"}).json()
        assert body["voice"] == "en_US-tiny-test"
        assert body["timing"] == "engine"
        assert [w["word"] for w in body["words"]] == ["Hello", "there"]


def test_with_no_configuration_the_installed_neural_voice_speaks(tmp_path: Path) -> None:
    with make_client(tts="auto", speech={"piper_voices_dir": tmp_path / "none"}) as client:
        body = client.post("/v1/lipsync/preview", json={"text": "Hi there"}).json()
        assert (body["voice"], body["timing"]) == ("en_US-joe-medium", "engine")
        voices = {v["voice_id"]: v for v in client.get("/v1/voices").json()["voices"]}
        joe = voices["en_US-joe-medium"]
        assert (joe["engine"], joe["neural"], joe["timing"], joe["gender"]) == (
            "piper",
            True,
            "exact",
            "male",
        )
        espeak = client.post("/v1/lipsync/preview", json={"text": "Hi", "voice": "en-us+f3"})
        assert espeak.json()["voice"] == "en-us+f3"
        assert voices["en-us+f3"]["gender"] == "female"


def test_with_no_neural_voice_installed_espeak_speaks(tmp_path: Path) -> None:
    speech = {"piper_voices_dir": tmp_path / "none", "voice_packages": False}
    with make_client(tts="auto", speech=speech) as client:
        assert client.post("/v1/lipsync/preview", json={"text": "Hi"}).json()["voice"] == "en-us"


def test_a_piper_voice_without_durations_is_timed_by_the_aligner(tmp_path: Path) -> None:
    build_voice(tmp_path, "en_US-tiny-nodur", durations=False)
    with make_client(tts="piper", speech={"piper_voices_dir": tmp_path}) as client:
        response = client.post("/v1/phonemes/timing", json={"text": "Hello there, friend"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["source"] == "aligner"
        assert [w["word"] for w in body["words"]] == ["Hello", "there", "friend"]


@pytest.mark.parametrize(
    ("fmt", "media", "magic"), [("mp3", "audio/mpeg", b"ID3"), ("ogg", "audio/ogg", b"OggS")]
)
def test_stored_audio_converts_to_mp3_and_ogg_opus(
    real: TestClient[Litestar], fmt: str, media: str, magic: bytes
) -> None:
    url = real.post("/v1/lipsync", json={"text": "Hello there"}).json()["audio_url"]
    response = real.get(url, params={"format": fmt})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert response.content.startswith(magic)
    etag = response.headers["etag"]
    assert real.get(url, params={"format": fmt}, headers={"If-None-Match": etag}).status_code == 304
    wav_samples, wav_rate = decode_wav(real.get(url).content)
    samples, rate = soundfile.read(io.BytesIO(response.content))
    assert len(samples) / rate == pytest.approx(len(wav_samples) / wav_rate, abs=0.08)


def test_an_unknown_audio_format_is_a_4xx(real: TestClient[Litestar]) -> None:
    url = real.post("/v1/lipsync", json={"text": "Hi"}).json()["audio_url"]
    assert real.get(url, params={"format": "flac"}).status_code in (400, 422)


def test_phonemes_of_each_word_with_char_offsets(real: TestClient[Litestar]) -> None:
    text = "Hello, world"
    response = real.post("/v1/phonemes", json={"text": text, "alphabet": "arpabet"})
    assert response.status_code == 200, response.text
    words = response.json()["words"]
    assert [(w["word"], w["start_char"], w["end_char"]) for w in words] == [
        ("Hello", 0, 5),
        ("world", 7, 12),
    ]
    assert words[0]["phonemes"] == ["HH", "AH0", "L", "OW1"]
