"""The speech, lip-sync and streaming routes once on each engine: espeak-ng (formant) and
Piper with the voice installed with the project (joe), through the default ``auto`` catalogue;
and each built-in character's voice."""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from support import IN_MEMORY, MOCK

from avatar_service.core.audio import decode_wav
from avatar_service.core.loudness import measure
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.characters import load_characters
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

sys.path.insert(0, str(Path(__file__).parents[1] / "adapters"))
from piper_voice import build_voice

BASE = {"tts": "auto", "aligner": "dtw", "renderer": MOCK, **IN_MEMORY}
VOICES = {"espeak": "en-us", "piper": "en_US-joe-medium"}
TEXT = "Hello there, my friend. The quick brown fox jumps over the lazy dog."


def make_client(tmp: Path, **speech: Any) -> TestClient[Litestar]:
    settings = Settings(
        **BASE, speech={"piper_voices_dir": tmp / "voices", **speech}, _env_file=None
    )
    container = bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
    return TestClient(create_app(container), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Litestar]]:
    with make_client(tmp_path_factory.mktemp("engines")) as made:
        yield made


@pytest.fixture(params=sorted(VOICES))
def voice(request: pytest.FixtureRequest) -> str:
    return VOICES[str(request.param)]


def test_lipsync_keeps_audio_at_the_web_level_with_the_engines_timings(
    client: TestClient[Litestar], voice: str
) -> None:
    response = client.post("/v1/lipsync", json={"text": TEXT, "voice": voice, "seed": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["voice"], body["timing"]) == (voice, "engine")
    words = [w["word"] for w in body["words"]]
    assert words[:3] == ["Hello", "there", "my"] and words[-1] == "dog"
    assert body["visemes"][-1]["end"] == body["duration"]
    samples, rate = decode_wav(client.get(body["audio_url"]).content)
    assert rate == body["sample_rate"] and len(samples) / rate == pytest.approx(body["duration"])
    level = measure(samples, rate)
    assert level.lufs == pytest.approx(-16.0, abs=0.5)  # 16-bit rounding of the WAV
    assert level.peak_dbtp <= -1.0 + 0.05


def test_the_same_seed_gives_the_same_preview(client: TestClient[Litestar], voice: str) -> None:
    """Piper: bit-identical. espeak-ng carries its waveform generator's phase from one
    utterance to the next, so its audio may differ by a few samples (documented)."""
    bodies = [
        client.post(
            "/v1/lipsync/preview", json={"text": "Once more, please.", "voice": voice, "seed": 9}
        ).json()
        for _ in range(3)
    ]
    if voice == VOICES["piper"]:
        assert bodies[0] == bodies[1] == bodies[2]
    else:
        assert len({tuple(w["word"] for w in b["words"]) for b in bodies}) == 1
        assert max(b["duration"] for b in bodies) - min(b["duration"] for b in bodies) < 0.002


def test_engine_timings_route(client: TestClient[Litestar], voice: str) -> None:
    body = client.post("/v1/phonemes/timing", json={"text": "Good morning", "voice": voice}).json()
    assert body["source"] == "engine"
    assert [w["word"] for w in body["words"]] == ["Good", "morning"]


def test_the_stream_speaks_clause_by_clause_with_absolute_times(
    client: TestClient[Litestar], voice: str
) -> None:
    text = "Well, here is a first long clause, and here is another one; and then comes the end."
    with client.websocket_connect("/v1/lipsync/stream") as ws:
        ws.send_text(json.dumps({"type": "speak", "text": text, "voice": voice}))
        messages: list[dict[str, Any]] = []
        while True:
            message = ws.receive()
            if message.get("text") is None:
                continue
            decoded = json.loads(message["text"])
            messages.append(decoded)
            if decoded["type"] in ("end", "error"):
                break
    assert messages[0]["type"] == "start" and messages[0]["sentences"] == 3
    audio = [m for m in messages if m["type"] == "audio"]
    assert len(audio) == 3 and audio[0]["offset"] == 0
    words = [m for m in messages if m["type"] == "word"]
    assert [text[w["start_char"] : w["end_char"]] for w in words] == [w["word"] for w in words]
    assert words[-1]["word"] == "end" and words[-1]["start"] > audio[-1]["offset"]
    assert all(a["start"] <= b["start"] for a, b in itertools.pairwise(words))


def test_every_voice_is_listed_with_its_engine_and_timing(client: TestClient[Litestar]) -> None:
    body = client.get("/v1/voices").json()
    assert body["default_voice"] == "en_US-joe-medium"
    by_id = {v["voice_id"]: v for v in body["voices"]}
    assert by_id["en_US-joe-medium"]["timing"] == "exact" and by_id["en-us"]["timing"] == "exact"
    assert {v["engine"] for v in body["voices"]} == {"piper", "espeak"}


def _character_voice(client: TestClient[Litestar], character: str) -> str:
    state = load_characters()[character]["state"]
    created = client.post("/v1/avatars", json={"name": character, "state": state})
    assert created.status_code == 201, created.text
    avatar_id = created.json()["avatar_id"]
    spoken = client.post("/v1/lipsync", json={"text": "Hi", "avatar_id": avatar_id})
    assert spoken.status_code == 200, spoken.text
    voice: str = spoken.json()["voice"]
    return voice


def test_out_of_the_box_every_character_speaks_with_the_neural_voice(
    client: TestClient[Litestar],
) -> None:
    for character in ("ava", "mia", "sam", "leo", "noah"):
        assert _character_voice(client, character) == "en_US-joe-medium", character


def test_a_female_neural_voice_goes_to_the_female_characters(tmp_path: Path) -> None:
    voices = tmp_path / "voices"
    build_voice(voices, "en_US-tiny-female")
    config = voices / "en_US-tiny-female.onnx.json"
    config.write_text(json.dumps({**json.loads(config.read_text()), "gender": "female"}))
    with make_client(tmp_path) as client:
        chosen = {c: _character_voice(client, c) for c in ("ava", "mia", "sam", "leo", "noah")}
        assert chosen == {
            "ava": "en_US-tiny-female",
            "mia": "en_US-tiny-female",
            "sam": "en_US-tiny-female",
            "leo": "en_US-joe-medium",
            "noah": "en_US-joe-medium",
        }
        named = client.post("/v1/avatars", json={"name": "x", "state": {"voice_gender": "male"}})
        avatar_id = named.json()["avatar_id"]
        body = client.post(
            "/v1/lipsync", json={"text": "Hi", "avatar_id": avatar_id, "voice": "en-us+f3"}
        ).json()
        assert body["voice"] == "en-us+f3"  # the request's voice wins
        patched = client.patch(
            f"/v1/avatars/{avatar_id}/state",
            json={"voice_gender": "female"},
            headers={"content-type": "application/merge-patch+json"},
        )
        assert patched.status_code == 200, patched.text
        again = client.post("/v1/lipsync", json={"text": "Hi", "avatar_id": avatar_id}).json()
        assert again["voice"] == "en_US-tiny-female"


def test_without_neural_voices_female_characters_get_a_female_espeak_voice(
    tmp_path: Path,
) -> None:
    with make_client(tmp_path, voice_packages=False) as client:
        assert _character_voice(client, "ava") == "en-us+f3"
        assert _character_voice(client, "leo") == "en-us"


def test_start_up_names_the_default_voice_and_says_when_espeak_stands_in(tmp_path: Path) -> None:
    from structlog.testing import capture_logs

    from avatar_service.entrypoints.http.app import announce_voice

    for packages, expected in ((True, "en_US-joe-medium"), (False, "en-us")):
        settings = Settings(
            **BASE,
            speech={"piper_voices_dir": tmp_path, "voice_packages": packages},
            _env_file=None,
        )
        container = bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
        with capture_logs() as logs:
            announce_voice(container)
        assert [e["voice"] for e in logs if e["event"] == "default voice"] == [expected]
        warnings = [e["event"] for e in logs if e["log_level"] == "warning"]
        if packages:
            assert warnings == []
        else:
            assert len(warnings) == 1 and "no neural voice is installed" in warnings[0]
