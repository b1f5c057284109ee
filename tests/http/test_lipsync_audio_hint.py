"""``POST /v1/lipsync/audio`` with the shipped ``phonenet`` recogniser and a transcript that
does not fit the recording: the transcript is not followed (``transcript`` false), and the
cues are those of the recording alone (what was heard, every syllable opened)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from support import MOCK_ADAPTERS

from avatar_service.contracts.truth_corpus import TruthClip
from avatar_service.core.audio import encode_wav
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

sys.path.insert(0, str(Path(__file__).parents[1] / "adapters"))
from joe_speech import heldout_clip


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Litestar]]:
    settings = Settings(**{**MOCK_ADAPTERS, "recognizer": "phonenet"}, _env_file=None)
    container = bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
    with TestClient(create_app(container), base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture(scope="module")
def clip() -> TruthClip:
    return heldout_clip("h12")  # "Somebody left a yellow umbrella in the back of the bus."


def _lipsync(client: TestClient[Litestar], clip: TruthClip, **fields: str) -> Any:
    response = client.post(
        "/v1/lipsync/audio",
        files={"audio": ("take.wav", encode_wav(clip.samples, clip.sample_rate), "audio/wav")},
        data={"viseme_sets": "rhubarb", **fields},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_transcript_that_fits_guides_recognition(
    client: TestClient[Litestar], clip: TruthClip
) -> None:
    body = _lipsync(client, clip, text=clip.text)
    assert body["transcript"] is True
    assert [w["word"] for w in body["words"]][:2] == ["Somebody", "left"]


def test_a_transcript_that_does_not_fit_leaves_the_cues_of_what_was_heard(
    client: TestClient[Litestar], clip: TruthClip
) -> None:
    alone = _lipsync(client, clip)
    other = heldout_clip("h13").text
    body = _lipsync(client, clip, text=other)
    assert body["transcript"] is False
    assert len(body["words"]) == len(other.split())
    heard = [(p["phoneme"], p["start"], p["end"]) for p in alone["phonemes"]]
    assert [(p["phoneme"], p["start"], p["end"]) for p in body["phonemes"]] == heard
    assert body["visemes_by_set"]["rhubarb"] == alone["visemes_by_set"]["rhubarb"]
