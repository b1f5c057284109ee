"""The dtw aligner (espeak resynthesis + MFCC + banded DTW) and the engine aligner honour the
Aligner contract; dtw recovers the true boundaries of speech it did not make."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from avatar_service.adapters.aligner.dtw import DtwAligner
from avatar_service.adapters.aligner.dtw_features import banded_dtw, mfcc
from avatar_service.adapters.aligner.engine import EngineAligner
from avatar_service.adapters.audio.files import read_audio
from avatar_service.adapters.tts.espeak import EspeakSynthesizer
from avatar_service.contracts import AlignerContract
from avatar_service.contracts.aligner import SpeechSample
from avatar_service.core.errors import Invalid
from avatar_service.core.ports import SynthesisRequest
from avatar_service.core.speech import Speech, SynthesisOptions

TEXT = "The quick brown fox jumps over the lazy dog. Please call me back when you can."


@pytest.fixture(scope="module")
def espeak() -> EspeakSynthesizer:
    return EspeakSynthesizer()


@pytest.fixture(scope="module")
def truth(espeak: EspeakSynthesizer) -> Speech:
    """Speech at another rate and pitch than the aligner's reference."""
    return espeak.synthesize(
        SynthesisRequest(TEXT, voice_id="en-us", options=SynthesisOptions(rate=1.3, pitch=1.5))
    )


class TestDtwAligner(AlignerContract):
    @pytest.fixture
    def adapter(self, espeak: EspeakSynthesizer) -> DtwAligner:
        return DtwAligner(espeak, "en-us")


class TestDtwAlignerOnRealSpeech(AlignerContract):
    @pytest.fixture
    def adapter(self, espeak: EspeakSynthesizer) -> DtwAligner:
        return DtwAligner(espeak, "en-us")

    @pytest.fixture
    def speech_sample(self, truth: Speech) -> SpeechSample:
        return truth.samples, truth.sample_rate, TEXT


class TestEngineAligner(AlignerContract):
    @pytest.fixture
    def adapter(self, espeak: EspeakSynthesizer) -> EngineAligner:
        return EngineAligner(espeak)


def boundary_errors(truth: Speech, aligned: tuple[float, ...]) -> np.ndarray:
    assert truth.phonemes is not None
    expected = [t for p in truth.phonemes for t in (p.start, p.end)]
    return np.abs(np.array(expected) - np.array(aligned))


def test_dtw_recovers_phoneme_boundaries_of_speech_at_another_rate(
    espeak: EspeakSynthesizer, truth: Speech
) -> None:
    alignment = DtwAligner(espeak, "en-us").align(truth.samples, truth.sample_rate, TEXT)
    assert truth.phonemes is not None
    assert [p.symbol for p in alignment.phonemes] == [p.symbol for p in truth.phonemes]
    errors = boundary_errors(truth, tuple(t for p in alignment.phonemes for t in (p.start, p.end)))
    assert np.median(errors) <= 0.025
    assert np.percentile(errors, 90) <= 0.060
    assert [w.text for w in alignment.words] == [w.text for w in truth.words or ()]


def test_dtw_aligns_audio_with_silence_padding_and_another_sample_rate(
    espeak: EspeakSynthesizer, truth: Speech
) -> None:
    """Half a second of silence before, resampled to 16 kHz: boundaries move by exactly 0.5 s."""
    rate = 16000
    positions = np.arange(0, len(truth.samples), truth.sample_rate / rate)
    resampled = np.interp(positions, np.arange(len(truth.samples)), truth.samples)
    padded = np.concatenate([np.zeros(rate // 2), resampled, np.zeros(rate // 4)])
    alignment = DtwAligner(espeak).align(padded.astype(np.float32), rate, TEXT)
    aligned = tuple(t - 0.5 for p in alignment.phonemes for t in (p.start, p.end))
    errors = boundary_errors(truth, aligned)
    assert np.median(errors) <= 0.03


def test_a_transcript_of_other_words_is_invalid_when_durations_cannot_match(
    espeak: EspeakSynthesizer,
) -> None:
    short = espeak.synthesize(SynthesisRequest("Yes."))
    with pytest.raises(Invalid) as caught:
        DtwAligner(espeak).align(short.samples, short.sample_rate, TEXT * 3)
    assert caught.value.field == "text"


def test_banded_dtw_finds_the_warp_of_a_stretched_sequence() -> None:
    rng = np.random.default_rng(7)
    reference = rng.standard_normal((80, 4))
    query = np.repeat(reference, 2, axis=0)  # every frame twice
    path = banded_dtw(reference, query, band=10)
    assert tuple(path[0]) == (0, 0) and tuple(path[-1]) == (79, 159)
    assert np.all(np.diff(path, axis=0) >= 0)
    for i, j in path:
        assert j // 2 == i


def test_mfcc_gives_one_normalised_frame_per_10_ms() -> None:
    rate = 22050
    tone = np.sin(2 * np.pi * 440 * np.arange(rate) / rate)
    features = mfcc(tone + 0.01 * np.random.default_rng(1).standard_normal(rate), rate)
    assert features.shape == (100, 13)
    assert np.allclose(features.mean(axis=0), 0, atol=1e-6)


def test_a_piper_voice_id_picks_the_espeak_voice_of_its_language(espeak: EspeakSynthesizer) -> None:
    german = "Guten Morgen, wie geht es dir heute?"
    speech = espeak.synthesize(SynthesisRequest(german, voice_id="de"))
    alignment = DtwAligner(espeak, "en-us").align(
        speech.samples, speech.sample_rate, german, "de_DE-thorsten-medium"
    )
    assert [p.symbol for p in alignment.phonemes] == [p.symbol for p in speech.phonemes or ()]


def test_one_file_aligns_identically_four_times(
    espeak: EspeakSynthesizer, truth: Speech, tmp_path: Path
) -> None:
    """The reference speech is the same on every call, whatever was spoken in between, so
    the same recording and transcript give the same alignment."""
    clip = tmp_path / "take.wav"
    soundfile.write(clip, truth.samples, truth.sample_rate)
    aligner = DtwAligner(espeak, "en-us")
    results = []
    for other in ("Hallo Welt, wie geht es dir heute?", "Short.", "Another sentence here."):
        samples, rate = read_audio(clip.read_bytes())
        results.append(aligner.align(samples, rate, TEXT))
        espeak.synthesize(
            SynthesisRequest(other, voice_id="de" if other.startswith("Hallo") else None)
        )
    samples, rate = read_audio(clip.read_bytes())
    results.append(aligner.align(samples, rate, TEXT))
    assert all(result == results[0] for result in results[1:])
