"""Contract suite for ``Aligner`` adapters (see ``core.ports.Aligner``)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from avatar_service.contracts._checks import (
    assert_every_input_word,
    assert_phonemes_name_their_words,
    assert_spans_valid,
    assert_words_slice_text,
)
from avatar_service.contracts._texts import MULTILINGUAL_WORD_TEXTS, WORD_TEXTS
from avatar_service.core.errors import Invalid
from avatar_service.core.ports import Aligner
from avatar_service.core.speech import Alignment, FloatArray

SpeechSample = tuple[FloatArray, int, str]
"""``(samples, sample_rate, text)``: mono float32 audio and its transcript."""
VoicedSample = tuple[FloatArray, int, str, str | None]
"""``(samples, sample_rate, text, voice)``: audio, its transcript and the voice hint."""


def synthetic_speech(sample_rate: int = 16000) -> FloatArray:
    """1.5 s: 0.2 s of silence, 1.1 s of tone bursts with noise (two "words" split by a short
    pause), 0.2 s of silence -- structure an energy-based aligner can use, the same every run."""
    rng = np.random.default_rng(1234)
    silence = np.zeros(int(0.2 * sample_rate), dtype=np.float32)
    parts: list[FloatArray] = [silence]
    for freq, seconds in ((220, 0.35), (330, 0.3), (0, 0.1), (260, 0.35)):
        n = int(seconds * sample_rate)
        t = np.arange(n, dtype=np.float32) / sample_rate
        tone = 0.5 * np.sin(2 * np.pi * freq * t) + 0.1 * rng.standard_normal(n)
        envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.02)
        parts.append((tone * envelope * (freq > 0)).astype(np.float32))
    parts.append(silence)
    return np.clip(np.concatenate(parts), -1.0, 1.0).astype(np.float32)


def assert_valid_alignment(alignment: Alignment, duration: float, text: str) -> None:
    """Everything the port promises about one ``Alignment`` of ``text``."""
    assert isinstance(alignment, Alignment), f"align returned {type(alignment).__name__}"
    assert alignment.words, "no words aligned for a transcript that has words"
    assert_spans_valid(alignment.phonemes, duration, "phonemes")
    assert_spans_valid(alignment.words, duration, "words")
    assert_words_slice_text(alignment.words, text)
    assert_every_input_word(alignment.words, text)
    assert_phonemes_name_their_words(alignment.phonemes, alignment.words)


def _signature(alignment: Alignment) -> tuple[list[str], list[str]]:
    return [p.symbol for p in alignment.phonemes], [w.text for w in alignment.words]


@pytest.mark.contract
class AlignerContract:
    """Subclass as ``class TestMine(AlignerContract)`` and override ``adapter``.

    Override ``speech_sample`` to feed real speech (e.g. a recording and its transcript) to
    an aligner that cannot cope with the synthetic default, and ``word_samples`` likewise.
    """

    @pytest.fixture
    def adapter(self) -> Aligner:
        """The aligner under test, ready to use."""
        raise NotImplementedError("must be overridden in derived classes")

    @pytest.fixture
    def speech_sample(self) -> SpeechSample:
        """Audio and the transcript it matches; the default is synthetic, "hello world"."""
        return synthetic_speech(16000), 16000, "hello world"

    @pytest.fixture
    def word_samples(self) -> Sequence[VoicedSample]:
        """Audio with transcripts whose every word must come back once, in order
        (``WORD_TEXTS`` and ``MULTILINGUAL_WORD_TEXTS``); the default audio is the synthetic
        pattern repeated, about 0.4 s per word."""
        samples = []
        for voice, text in (*WORD_TEXTS, *MULTILINGUAL_WORD_TEXTS):
            repeats = math.ceil(len(text.split()) * 0.4 / 1.5)
            samples.append((np.tile(synthetic_speech(16000), repeats), 16000, text, voice))
        return samples

    def test_adapter_implements_the_port(self, adapter: Aligner) -> None:
        assert isinstance(adapter, Aligner)
        adapter.check()  # raises Unavailable if the adapter is not usable

    def test_timings_are_ordered_and_inside_the_audio(
        self, adapter: Aligner, speech_sample: SpeechSample
    ) -> None:
        samples, rate, text = speech_sample
        alignment = adapter.align(samples, rate, text)
        assert_valid_alignment(alignment, len(samples) / rate, text)

    def test_words_follow_the_transcript_with_char_offsets(
        self, adapter: Aligner, speech_sample: SpeechSample
    ) -> None:
        samples, rate, text = speech_sample
        words = adapter.align(samples, rate, text).words
        assert_words_slice_text(words, text)
        for token in re.finditer(r"\w+", text):
            assert any(w.char_start < token.end() and token.start() < w.char_end for w in words), (
                f"transcript word {token.group()!r} at {token.start()} is not aligned"
            )

    def test_every_word_of_the_transcript_comes_back_once_in_order(
        self, adapter: Aligner, word_samples: Sequence[VoicedSample]
    ) -> None:
        """One word per written word, in order, with its offsets, each owning its phonemes
        (``word_index``), nothing zero-length: joined function words, numbers, abbreviations,
        hyphens, apostrophes, and other languages included."""
        for samples, rate, text, voice in word_samples:
            alignment = adapter.align(samples, rate, text, voice)
            assert_valid_alignment(alignment, len(samples) / rate, text)

    def test_the_same_audio_and_text_align_identically_every_time(
        self, adapter: Aligner, speech_sample: SpeechSample
    ) -> None:
        samples, rate, text = speech_sample
        first = adapter.align(samples, rate, text)
        for _ in range(3):
            assert adapter.align(samples, rate, text) == first

    def test_same_audio_at_another_rate_stays_inside_its_duration(
        self, adapter: Aligner, speech_sample: SpeechSample
    ) -> None:
        samples, rate, text = speech_sample
        half = samples[::2].copy()
        alignment = adapter.align(half, rate // 2, text)
        assert_valid_alignment(alignment, len(half) / (rate // 2), text)

    def test_empty_audio_is_invalid(self, adapter: Aligner, speech_sample: SpeechSample) -> None:
        _, rate, text = speech_sample
        with pytest.raises(Invalid):
            adapter.align(np.zeros(0, dtype=np.float32), rate, text)

    @pytest.mark.parametrize("text", ["", "   "], ids=["empty", "whitespace"])
    def test_empty_text_is_invalid(
        self, adapter: Aligner, speech_sample: SpeechSample, text: str
    ) -> None:
        samples, rate, _ = speech_sample
        with pytest.raises(Invalid):
            adapter.align(samples, rate, text)

    @pytest.mark.parametrize("rate", [0, -16000])
    def test_non_positive_sample_rate_is_invalid(
        self, adapter: Aligner, speech_sample: SpeechSample, rate: int
    ) -> None:
        samples, _, text = speech_sample
        with pytest.raises(Invalid):
            adapter.align(samples, rate, text)

    def test_transcript_far_too_long_for_the_audio_is_invalid(
        self, adapter: Aligner, speech_sample: SpeechSample
    ) -> None:
        samples, rate, _ = speech_sample
        tenth_of_a_second = samples[: max(1, rate // 10)].copy()
        text = " ".join(["word"] * 2000)
        with pytest.raises(Invalid) as caught:
            adapter.align(tenth_of_a_second, rate, text)
        assert caught.value.field == "text"

    def test_concurrent_calls_match_a_sequential_call(
        self, adapter: Aligner, speech_sample: SpeechSample
    ) -> None:
        samples, rate, text = speech_sample
        alone = adapter.align(samples, rate, text)
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda _: adapter.align(samples, rate, text), range(8)))
        for together in results:
            assert_valid_alignment(together, len(samples) / rate, text)
            assert _signature(together) == _signature(alone)
