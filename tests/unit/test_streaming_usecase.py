"""Streaming speech in the core: sentence chunks back to back on one clock, timings absolute,
word offsets into the whole text, lazy synthesis, early refusal of bad input."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from avatar_service.adapters.aligner.mock import MockAligner
from avatar_service.adapters.tts.mock import MockSynthesizer
from avatar_service.core.errors import Invalid, TooLarge
from avatar_service.core.limits import Limits
from avatar_service.core.ports import SynthesisRequest
from avatar_service.core.speech import Speech
from avatar_service.core.usecases.streaming import StreamingSpeech, StreamRequest

TEXT = "Hello there. How are you today? I am fine, thank you!"


class _CountingSynthesizer(MockSynthesizer):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def synthesize(self, request: SynthesisRequest) -> Speech:
        self.calls.append(request.text)
        return super().synthesize(request)


class _UntimedSynthesizer(MockSynthesizer):
    def synthesize(self, request: SynthesisRequest) -> Speech:
        return replace(super().synthesize(request), phonemes=None, words=None)


def _streaming(synthesizer: MockSynthesizer | None = None, **limits: int) -> StreamingSpeech:
    return StreamingSpeech(synthesizer or MockSynthesizer(), MockAligner(), Limits(**limits))


def test_chunks_are_sentences_back_to_back_with_absolute_timings() -> None:
    streaming = _streaming()
    chunks = list(streaming.chunks(streaming.prepare(StreamRequest(TEXT))))
    assert len(chunks) == 3
    clock = 0.0
    for chunk in chunks:
        assert chunk.offset == pytest.approx(clock)
        end = chunk.offset + chunk.duration
        assert chunk.visemes[0].start == pytest.approx(chunk.offset)
        assert chunk.visemes[-1].end == pytest.approx(end)
        for span in (*chunk.phonemes, *chunk.words):
            assert chunk.offset - 1e-9 <= span.start <= span.end <= end + 1e-9
        clock = end
    words = [w for c in chunks for w in c.words]
    assert [TEXT[w.char_start : w.char_end] for w in words] == [w.text for w in words]
    assert [w.text.strip(".,?!") for w in words][:4] == ["Hello", "there", "How", "are"]


def test_offsets_come_from_sample_counts_so_they_never_drift() -> None:
    streaming = _streaming()
    text = " ".join(f"Sentence number {i}." for i in range(30))
    chunks = list(streaming.chunks(streaming.prepare(StreamRequest(text))))
    played = 0
    for chunk in chunks:
        assert chunk.offset == played / chunk.sample_rate
        played += len(chunk.samples)


def test_synthesis_is_lazy_one_sentence_per_pull() -> None:
    synthesizer = _CountingSynthesizer()
    streaming = _streaming(synthesizer)
    chunks = streaming.chunks(streaming.prepare(StreamRequest(TEXT)))
    first = next(chunks)
    assert synthesizer.calls == ["Hello there."]
    assert first.words[0].char_start == 0
    chunks.close()
    assert synthesizer.calls == ["Hello there."]


def test_the_aligner_times_a_voice_that_gives_no_timings() -> None:
    streaming = _streaming(_UntimedSynthesizer())
    chunks = list(streaming.chunks(streaming.prepare(StreamRequest(TEXT))))
    second = chunks[1]
    assert second.words and second.words[0].char_start == TEXT.index("How")
    assert second.phonemes[0].start >= second.offset


def test_bad_input_is_refused_before_any_audio() -> None:
    streaming = _streaming(max_text_chars=20)
    with pytest.raises(TooLarge):
        streaming.prepare(StreamRequest("x" * 21))
    with pytest.raises(Invalid) as caught:
        streaming.prepare(StreamRequest("Hi.", viseme_set="klingon"))
    assert caught.value.field == "viseme_set"
    with pytest.raises(Invalid):
        streaming.prepare(StreamRequest("   "))


def test_ssml_on_a_voice_without_ssml_is_a_clear_invalid_text() -> None:
    streaming = _streaming()
    with pytest.raises(Invalid, match="does not accept SSML") as caught:
        streaming.prepare(StreamRequest("<speak>Hi.</speak>", ssml=True))
    assert caught.value.field == "text"


def test_pcm_samples_are_float32_in_range() -> None:
    streaming = _streaming()
    chunk = next(streaming.chunks(streaming.prepare(StreamRequest(TEXT))))
    assert chunk.samples.dtype == np.float32 and float(np.abs(chunk.samples).max()) <= 1.0
