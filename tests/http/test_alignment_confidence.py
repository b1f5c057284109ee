"""``POST /v1/phonemes/timing`` with a recording, aligned by pocketsphinx: every word carries a
confidence, and a transcript that does not match the audio is a 422 naming where it stopped
matching, not a confident wrong answer. The recording is real neural speech (truth corpus)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import soundfile
from litestar import Litestar
from litestar.testing import TestClient
from support import IN_MEMORY, MOCK

from avatar_service.contracts.truth_corpus import SENTENCES, Condition, TruthClip, truth_clips
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

SETTINGS = {"tts": "espeak", "aligner": "pocketsphinx", "renderer": MOCK, **IN_MEMORY}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Litestar]]:
    container = bootstrap(
        Settings(**SETTINGS, _env_file=None),
        plugin_manager=make_plugin_manager(load_entrypoints=False),
    )
    with TestClient(create_app(container), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture(scope="module")
def clip() -> TruthClip:
    chosen = [s for s in SENTENCES if s.sentence_id == "h05"]  # "The children watched ..."
    return truth_clips("heldout", [Condition(1.0, 44100)], sentences=chosen)[0]


def _post(client: TestClient[Litestar], clip: TruthClip, text: str) -> Any:
    buffer = io.BytesIO()
    soundfile.write(buffer, clip.samples, clip.sample_rate, format="FLAC")
    return client.post(
        "/v1/phonemes/timing",
        files={"audio": ("take.flac", buffer.getvalue())},
        data={"text": text},
    )


def test_every_aligned_word_carries_a_confidence(
    client: TestClient[Litestar], clip: TruthClip
) -> None:
    response = _post(client, clip, clip.text)
    assert response.status_code == 200, response.text
    words = response.json()["words"]
    assert [w["word"] for w in words] == [w.text for w in clip.words]
    assert all(0.0 <= w["confidence"] <= 1.0 for w in words)
    assert sorted(w["confidence"] for w in words)[len(words) // 2] > 0.5


def test_a_wrong_transcript_is_a_422_not_a_confident_answer(
    client: TestClient[Litestar], clip: TruthClip, assert_problem: Any
) -> None:
    response = _post(client, clip, "Our teacher explained the rules of the game twice.")
    assert_problem(response, 422, field="text")


def test_a_sentence_missing_from_the_audio_is_a_422_naming_where_it_stopped_matching(
    client: TestClient[Litestar], clip: TruthClip, assert_problem: Any
) -> None:
    text = clip.text + " After that everybody walked home along the quiet river in the rain."
    problem = assert_problem(_post(client, clip, text), 422, field="text")
    assert "stops matching the audio at word" in problem["detail"]


def test_the_schema_describes_the_confidence(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()
    word = schema["components"]["schemas"]["TimedWordBody"]["properties"]["confidence"]
    assert "0 to 1" in str(word)
