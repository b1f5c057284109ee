"""The adapter's step-by-step Piper synthesis gives exactly what ``PiperVoice.synthesize`` with
alignments gives: the same samples, bit for bit, and the same samples per phoneme."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from piper import PiperVoice, SynthesisConfig

from avatar_service.adapters.tts.piper_inference import synthesize

sys.path.insert(0, str(Path(__file__).parent))
from piper_voice import build_voice

TEXTS = (
    "Hello there, how are you today?",
    "One sentence. Another one! And a question?",  # one chunk per sentence
    "A cat for the dog: isn't it naïve? 42 cafés.",
)
CONFIGS = (
    SynthesisConfig(),
    SynthesisConfig(length_scale=0.5, volume=0.3),
    SynthesisConfig(length_scale=2.0, volume=3.0, normalize_audio=False),
)


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PiperVoice]:
    folder = tmp_path_factory.mktemp("inference")
    built = {
        "timed": build_voice(folder, "en_US-tiny-inf"),
        "multi": build_voice(folder, "en_US-tiny-inf-multi", speakers=3),
        "untimed": build_voice(folder, "en_US-tiny-inf-nodur", durations=False),
    }
    return {k: PiperVoice.load(path, include_alignments=True) for k, path in built.items()}


@pytest.mark.parametrize("config", CONFIGS, ids=["default", "fast-quiet", "slow-loud-raw"])
@pytest.mark.parametrize("text", TEXTS, ids=["clauses", "sentences", "mixed"])
def test_samples_and_phoneme_samples_equal_piper_tts_own(
    voices: dict[str, PiperVoice], text: str, config: SynthesisConfig
) -> None:
    voice = voices["timed"]
    chunks = list(voice.synthesize(text, syn_config=config, include_alignments=True))
    got = synthesize(voice, text, config)
    want = np.concatenate([c.audio_float_array for c in chunks])
    assert got.samples.dtype == np.float32 and got.samples.shape == want.shape
    assert np.array_equal(got.samples, want)
    assert got.sentences == [
        [(a.phoneme, int(a.num_samples)) for a in c.phoneme_alignments or ()] for c in chunks
    ]
    assert sum(n for sentence in got.sentences for _, n in sentence) == want.size


def test_each_speaker_of_a_multi_speaker_voice_is_the_same_audio(
    voices: dict[str, PiperVoice],
) -> None:
    voice = voices["multi"]
    for speaker in (None, 0, 2):
        config = SynthesisConfig(speaker_id=speaker)
        want = np.concatenate([c.audio_float_array for c in voice.synthesize("Hi there", config)])
        assert np.array_equal(synthesize(voice, "Hi there", config).samples, want)


def test_a_model_without_durations_gives_audio_and_no_phoneme_samples(
    voices: dict[str, PiperVoice],
) -> None:
    voice = voices["untimed"]
    got = synthesize(voice, "Hello there.", SynthesisConfig())
    want = np.concatenate([c.audio_float_array for c in voice.synthesize("Hello there.")])
    assert got.sentences is None
    assert np.array_equal(got.samples, want)
