"""Contract suite for ``SpeechSynthesizer`` adapters (see ``core.ports.SpeechSynthesizer``)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from avatar_service.contracts._checks import (
    assert_every_input_word,
    assert_phonemes_name_their_words,
    assert_spans_valid,
    assert_words_cover_phonemes,
    assert_words_slice_text,
)
from avatar_service.contracts._requests import with_added_field
from avatar_service.contracts._texts import WORD_TEXTS
from avatar_service.core.errors import AvatarServiceError, Invalid, NotFound
from avatar_service.core.ports import SpeechSynthesizer, SynthesisRequest
from avatar_service.core.speech import Speech, SynthesisOptions

UNKNOWN_VOICE = "no-such-voice-7f3a9c"
CONCURRENT_TEXTS = (
    "Hello.",
    "Good morning, everyone.",
    "The quick brown fox jumps over the lazy dog.",
    "One two three four five six seven eight nine ten.",
    "Yes.",
    "How are you doing today?",
    "Please call me back when you have a moment to talk about the plan.",
    "Thanks a lot!",
)


def assert_valid_speech(speech: Speech, text: str) -> None:
    """Everything the port promises about one ``Speech`` for ``text``."""
    samples = speech.samples
    assert isinstance(samples, np.ndarray), f"samples is {type(samples).__name__}, not ndarray"
    assert samples.dtype == np.float32, f"samples dtype is {samples.dtype}, not float32"
    assert samples.ndim == 1, f"samples has shape {samples.shape}; mono audio is 1-D"
    assert len(samples) > 0, "no samples for text that has a word"
    assert np.all(np.isfinite(samples)), "samples contain NaN or infinity"
    assert float(np.max(np.abs(samples))) <= 1.0, "samples leave [-1, 1]"
    assert isinstance(speech.sample_rate, int), "sample_rate is not an int"
    assert speech.sample_rate > 0, f"sample_rate is {speech.sample_rate}"
    assert speech.duration == len(samples) / speech.sample_rate
    if speech.phonemes is not None:
        assert_spans_valid(speech.phonemes, speech.duration, "phonemes")
        assert all(p.symbol for p in speech.phonemes), "a phoneme has an empty symbol"
    if speech.words is not None:
        assert_spans_valid(speech.words, speech.duration, "words")
        assert_words_slice_text(speech.words, text)
    if speech.phonemes is not None and speech.words is not None:
        assert_words_cover_phonemes(speech.words, speech.phonemes)
        assert_every_input_word(speech.words, text)
        assert_phonemes_name_their_words(speech.phonemes, speech.words)


def _signature(speech: Speech) -> tuple[Any, ...]:
    phonemes = None if speech.phonemes is None else [p.symbol for p in speech.phonemes]
    words = None if speech.words is None else [w.text for w in speech.words]
    return phonemes, words


def _call(adapter: SpeechSynthesizer, method: str, text: str, voice: str | None = None) -> object:
    """``synthesize`` or ``phonemize`` of ``text`` in ``voice``."""
    if method == "synthesize":
        return adapter.synthesize(SynthesisRequest(text, voice_id=voice))
    return adapter.phonemize(text, voice)


@pytest.mark.contract
class SpeechSynthesizerContract:
    """Subclass as ``class TestMine(SpeechSynthesizerContract)`` and override ``adapter``.

    Override ``sample_text`` when the engine does not speak English, and ``word_texts`` to
    add voices of other languages (``contracts.MULTILINGUAL_WORD_TEXTS`` names espeak-ng's).
    """

    @pytest.fixture
    def adapter(self) -> SpeechSynthesizer:
        """The synthesizer under test, ready to use."""
        raise NotImplementedError("must be overridden in derived classes")

    @pytest.fixture
    def sample_text(self) -> str:
        """A sentence of a few words the engine can speak."""
        return "Hello there, how are you today?"

    @pytest.fixture
    def word_texts(self) -> Sequence[tuple[str | None, str]]:
        """``(voice, text)`` pairs whose every word must come back once, in order."""
        return WORD_TEXTS

    def test_adapter_implements_the_port(self, adapter: SpeechSynthesizer) -> None:
        assert isinstance(adapter, SpeechSynthesizer)
        adapter.check()  # raises Unavailable if the adapter is not usable

    def test_voices_are_listed_with_unique_ids(self, adapter: SpeechSynthesizer) -> None:
        voices = adapter.voices()
        assert voices, "voices() lists no voice"
        ids = [v.voice_id for v in voices]
        assert all(isinstance(i, str) and i for i in ids), f"empty voice id in {ids}"
        assert len(ids) == len(set(ids)), f"duplicate voice ids in {ids}"
        assert all(v.sample_rate > 0 for v in voices)

    def test_synthesize_returns_valid_mono_speech(
        self, adapter: SpeechSynthesizer, sample_text: str
    ) -> None:
        assert_valid_speech(adapter.synthesize(SynthesisRequest(sample_text)), sample_text)

    def test_every_listed_voice_speaks_and_is_reported(
        self, adapter: SpeechSynthesizer, sample_text: str
    ) -> None:
        for voice in adapter.voices()[:3]:
            speech = adapter.synthesize(SynthesisRequest(sample_text, voice_id=voice.voice_id))
            assert_valid_speech(speech, sample_text)
            assert speech.voice_id == voice.voice_id

    def test_timings_when_given_are_ordered_and_inside_the_audio(
        self, adapter: SpeechSynthesizer, sample_text: str
    ) -> None:
        speech = adapter.synthesize(SynthesisRequest(sample_text))
        if speech.phonemes is None and speech.words is None:
            pytest.skip("engine reports no timings")
        assert_valid_speech(speech, sample_text)

    def test_longer_text_gives_longer_audio(
        self, adapter: SpeechSynthesizer, sample_text: str
    ) -> None:
        short = adapter.synthesize(SynthesisRequest(sample_text))
        long = adapter.synthesize(SynthesisRequest(" ".join([sample_text] * 4)))
        assert long.duration > short.duration

    def test_extreme_valid_options_still_give_valid_speech(
        self, adapter: SpeechSynthesizer, sample_text: str
    ) -> None:
        for options in (
            SynthesisOptions(rate=4.0, pitch=0.25, volume=2.0),
            SynthesisOptions(rate=0.25, pitch=4.0, volume=0.0),
        ):
            speech = adapter.synthesize(SynthesisRequest(sample_text, options=options))
            assert_valid_speech(speech, sample_text)

    def test_a_request_with_a_field_added_later_is_spoken_as_without_it(
        self, adapter: SpeechSynthesizer, sample_text: str
    ) -> None:
        """Requests gain fields with defaults; an adapter reads the fields it knows by name,
        so a request with one it has never heard of is spoken the same."""
        request = SynthesisRequest(sample_text, options=SynthesisOptions(seed=7))
        plain = adapter.synthesize(request)
        newer = adapter.synthesize(with_added_field(request))
        assert_valid_speech(newer, sample_text)
        assert _signature(newer) == _signature(plain)
        assert newer.duration == pytest.approx(plain.duration, rel=0.1)

    def test_phonemize_returns_words_in_order_with_phonemes(
        self, adapter: SpeechSynthesizer, sample_text: str
    ) -> None:
        words = adapter.phonemize(sample_text)
        assert words, "phonemize found no words"
        assert_words_slice_text(words, sample_text)
        assert_every_input_word(words, sample_text)
        for word in words:
            assert word.phonemes, f"{word!r} has no phonemes"
            assert all(isinstance(p, str) and p for p in word.phonemes), f"{word!r}"

    def test_every_word_of_the_text_comes_back_once_in_order(
        self, adapter: SpeechSynthesizer, word_texts: Sequence[tuple[str | None, str]]
    ) -> None:
        """One word per written word, in order, with its offsets, each owning its phonemes
        (``word_index``), nothing zero-length: joined function words, numbers, abbreviations,
        hyphens and apostrophes included."""
        for voice, text in word_texts:
            speech = adapter.synthesize(SynthesisRequest(text, voice_id=voice))
            if speech.phonemes is None and speech.words is None:
                pytest.skip("engine reports no timings (the aligner's contract covers them)")
            assert speech.phonemes is not None and speech.words is not None, (
                "an engine reports phonemes and words together, or neither"
            )
            assert_valid_speech(speech, text)

    def test_phonemize_gives_every_word_of_the_text_once_in_order(
        self, adapter: SpeechSynthesizer, word_texts: Sequence[tuple[str | None, str]]
    ) -> None:
        for voice, text in word_texts:
            words = adapter.phonemize(text, voice)
            assert_every_input_word(words, text, f"phonemize({text!r}, {voice!r})")
            assert all(w.phonemes for w in words), f"a word of {text!r} has no phoneme"

    @pytest.mark.parametrize("text", ["", " ", "\n\t  "], ids=["empty", "space", "whitespace"])
    @pytest.mark.parametrize("method", ["synthesize", "phonemize"])
    def test_text_without_words_is_invalid(
        self, adapter: SpeechSynthesizer, method: str, text: str
    ) -> None:
        with pytest.raises(Invalid) as caught:
            _call(adapter, method, text)
        assert caught.value.field == "text"

    def test_punctuation_only_text_is_invalid_or_valid_speech(
        self, adapter: SpeechSynthesizer
    ) -> None:
        self._invalid_or_valid(adapter, "?!...")

    def test_unicode_text_is_spoken_or_invalid_never_a_crash(
        self, adapter: SpeechSynthesizer
    ) -> None:
        self._invalid_or_valid(adapter, "Grüße, café — naïve 😀")

    @pytest.mark.parametrize("method", ["synthesize", "phonemize"])
    def test_unknown_voice_is_not_found_and_lists_the_voices(
        self, adapter: SpeechSynthesizer, sample_text: str, method: str
    ) -> None:
        with pytest.raises(NotFound) as caught:
            _call(adapter, method, sample_text, UNKNOWN_VOICE)
        assert caught.value.field == "voice"
        listed = [v.voice_id for v in adapter.voices()]
        assert any(v in caught.value.message for v in listed), (
            f"message {caught.value.message!r} names none of {listed}"
        )

    def test_out_of_range_options_are_invalid(
        self, adapter: SpeechSynthesizer, sample_text: str
    ) -> None:
        with pytest.raises(Invalid):
            adapter.synthesize(SynthesisRequest(sample_text, options=SynthesisOptions(rate=0)))

    def test_concurrent_calls_match_sequential_calls(self, adapter: SpeechSynthesizer) -> None:
        """Thread safety: no cross-talk between calls; each result is valid and the same
        phonemes, words and (within 10%) duration as the same text spoken alone."""
        requests = [SynthesisRequest(text) for text in CONCURRENT_TEXTS]
        sequential = [adapter.synthesize(request) for request in requests]
        with ThreadPoolExecutor(max_workers=8) as pool:
            concurrent = list(pool.map(adapter.synthesize, requests))
        for text, alone, together in zip(CONCURRENT_TEXTS, sequential, concurrent, strict=True):
            assert_valid_speech(together, text)
            assert _signature(together) == _signature(alone), f"timings differ for {text!r}"
            assert together.duration == pytest.approx(alone.duration, rel=0.1), text

    @staticmethod
    def _invalid_or_valid(adapter: SpeechSynthesizer, text: str) -> None:
        for name in ("synthesize", "phonemize"):
            try:
                result = _call(adapter, name, text)
            except Invalid:
                continue
            except AvatarServiceError as exc:
                pytest.fail(f"{name}({text!r}) raised {exc!r}; only Invalid is allowed")
            except Exception as exc:
                pytest.fail(f"{name}({text!r}) raised non-core {exc!r}")
            if isinstance(result, Speech):
                assert_valid_speech(result, text)
            else:
                assert isinstance(result, list), f"phonemize returned {type(result).__name__}"
                assert_words_slice_text(result, text)
                assert_every_input_word(result, text)
