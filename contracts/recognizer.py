"""Contract suite for ``PhoneRecognizer`` adapters (see ``core.ports.PhoneRecognizer``), and
for the optional ``StreamingRecognizer`` capability when the adapter has it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from avatar_service.contracts._checks import assert_spans_valid, assert_words_slice_text
from avatar_service.contracts.aligner import synthetic_speech
from avatar_service.core.errors import Invalid
from avatar_service.core.phonemes import SILENCE_SYMBOLS, base_symbol
from avatar_service.core.ports import PhoneRecognizer, StreamingRecognizer
from avatar_service.core.recognition import HeardPhones, TranscriptHint
from avatar_service.core.speech import Alignment, FloatArray, TimedPhoneme
from avatar_service.core.words import text_words

RecordingSample = tuple[FloatArray, int, str]
"""``(samples, sample_rate, transcript)``: mono float32 speech and what it says."""


def assert_valid_recognition(result: Alignment, duration: float, text: str | None) -> None:
    """Everything the port promises about one result (``text``: the hint given, if any)."""
    assert isinstance(result, Alignment), f"recognize returned {type(result).__name__}"
    assert_spans_valid(result.phonemes, duration, "phonemes")
    for index, phone in enumerate(result.phonemes):
        assert phone.end - phone.start >= 0.001 - 1e-9, f"phonemes[{index}] is under 1 ms"
        assert base_symbol(phone.symbol) not in SILENCE_SYMBOLS, f"phonemes[{index}] is silence"
    if text is None:
        assert result.words == (), "words without a transcript hint"
        return
    expected = [w.text for w in text_words(text)]
    assert [w.text for w in result.words] == expected, "not one word per transcript word"
    assert_words_slice_text(result.words, text)
    assert_spans_valid(result.words, duration, "words")
    for phone in result.phonemes:
        assert phone.word_index is None or 0 <= phone.word_index < len(result.words)


@pytest.mark.contract
class PhoneRecognizerContract:
    """Subclass as ``class TestMine(PhoneRecognizerContract)`` and override ``adapter``;
    override ``speech_sample`` to feed real speech (the default is synthetic)."""

    @pytest.fixture
    def adapter(self) -> PhoneRecognizer:
        """The recogniser under test, ready to use."""
        raise NotImplementedError("must be overridden in derived classes")

    @pytest.fixture
    def speech_sample(self) -> RecordingSample:
        return synthetic_speech(16000), 16000, "hello world"

    def test_adapter_implements_the_port_and_names_its_languages(
        self, adapter: PhoneRecognizer
    ) -> None:
        assert isinstance(adapter, PhoneRecognizer)
        adapter.check()
        languages = adapter.languages()
        assert languages, "a recogniser covers at least one language"
        assert all(tag == tag.lower() and tag.isalpha() for tag in languages)

    def test_phones_are_ordered_inside_the_audio_and_not_silence(
        self, adapter: PhoneRecognizer, speech_sample: RecordingSample
    ) -> None:
        samples, rate, _ = speech_sample
        result = adapter.recognize(samples, rate)
        assert_valid_recognition(result, len(samples) / rate, None)
        assert result.phonemes, "speech gave no phoneme"

    def test_silence_gives_no_phoneme(self, adapter: PhoneRecognizer) -> None:
        result = adapter.recognize(np.zeros(16000, dtype=np.float32), 16000)
        assert result.phonemes == ()

    def test_without_a_hint_the_phones_are_marked_heard(
        self, adapter: PhoneRecognizer, speech_sample: RecordingSample
    ) -> None:
        samples, rate, _ = speech_sample
        assert adapter.recognize(samples, rate).heard, "phones without a hint are heard"

    def test_a_transcript_hint_gives_one_word_per_transcript_word(
        self, adapter: PhoneRecognizer, speech_sample: RecordingSample
    ) -> None:
        samples, rate, text = speech_sample
        result = adapter.recognize(samples, rate, TranscriptHint(text))
        assert_valid_recognition(result, len(samples) / rate, text)

    def test_a_hint_over_silence_still_places_every_word(self, adapter: PhoneRecognizer) -> None:
        text = "nobody said this"
        result = adapter.recognize(np.zeros(8000, dtype=np.float32), 16000, TranscriptHint(text))
        assert_valid_recognition(result, 0.5, text)
        assert result.heard, "a transcript cannot be followed where nothing was said"

    def test_another_sample_rate_stays_inside_its_duration(
        self, adapter: PhoneRecognizer, speech_sample: RecordingSample
    ) -> None:
        samples, rate, _ = speech_sample
        half = samples[::2].copy()
        result = adapter.recognize(half, rate // 2)
        assert_valid_recognition(result, len(half) / (rate // 2), None)

    def test_empty_audio_is_invalid(self, adapter: PhoneRecognizer) -> None:
        with pytest.raises(Invalid) as caught:
            adapter.recognize(np.zeros(0, dtype=np.float32), 16000)
        assert caught.value.field == "audio"

    @pytest.mark.parametrize("rate", [0, -16000])
    def test_non_positive_sample_rate_is_invalid(
        self, adapter: PhoneRecognizer, speech_sample: RecordingSample, rate: int
    ) -> None:
        with pytest.raises(Invalid) as caught:
            adapter.recognize(speech_sample[0], rate)
        assert caught.value.field == "sample_rate"

    def test_a_hint_without_words_is_invalid(
        self, adapter: PhoneRecognizer, speech_sample: RecordingSample
    ) -> None:
        samples, rate, _ = speech_sample
        with pytest.raises(Invalid) as caught:
            adapter.recognize(samples, rate, TranscriptHint("?!"))
        assert caught.value.field == "text"

    def test_concurrent_calls_match_a_sequential_call(
        self, adapter: PhoneRecognizer, speech_sample: RecordingSample
    ) -> None:
        samples, rate, _ = speech_sample
        alone = adapter.recognize(samples, rate)
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda _: adapter.recognize(samples, rate), range(4)))
        assert all(result == alone for result in results)

    def test_a_live_stream_reports_phones_inside_the_audio_fed(
        self, adapter: PhoneRecognizer, speech_sample: RecordingSample
    ) -> None:
        if not isinstance(adapter, StreamingRecognizer):
            pytest.skip("the adapter does not offer live recognition (optional capability)")
        samples, rate, _ = speech_sample
        stream = adapter.open_stream(rate)
        step = rate // 50  # 20 ms chunks
        final: list[TimedPhoneme] = []
        heard = HeardPhones(())
        try:
            for start in range(0, len(samples), step):
                latest = stream.feed(samples[start : start + step])
                assert latest.since >= heard.since, "a live stream's since went back"
                assert all(p.start >= latest.since for p in latest.phones), "a phone before since"
                final += heard.finalised_by(latest)
                heard = latest
                phones = (*final, *heard.phones)
                assert_spans_valid(phones, min(len(samples), start + step) / rate, "phonemes")
        finally:
            stream.close()
            stream.close()
        assert final or heard.phones, "a live stream of speech gave no phoneme"

    def test_a_live_stream_at_a_non_positive_rate_is_invalid(
        self, adapter: PhoneRecognizer
    ) -> None:
        if not isinstance(adapter, StreamingRecognizer):
            pytest.skip("the adapter does not offer live recognition (optional capability)")
        with pytest.raises(Invalid):
            adapter.open_stream(0)
