"""The mock, phonenet and pocketsphinx recognisers honour the PhoneRecognizer contract; the real
ones hear real speech (the Piper voice en_US-joe-medium, whose own durations give the true phone
times) well enough to close the lips where the speech has p, b, m; phonenet's live stream
hears what the whole file gives."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from avatar_service.adapters.acoustic.model import PhoneModel
from avatar_service.adapters.recognizer.mock import MockRecognizer
from avatar_service.adapters.recognizer.phonenet_phones import LIVE_LOOP, PhoneNetRecognizer
from avatar_service.adapters.recognizer.pocketsphinx_phones import PocketsphinxRecognizer
from avatar_service.adapters.recognizer.resample import StreamResampler, to_model_rate
from avatar_service.adapters.tts.espeak import EspeakSynthesizer
from avatar_service.contracts import PhoneRecognizerContract
from avatar_service.contracts.recognizer import RecordingSample
from avatar_service.contracts.truth_corpus import Condition, truth_clips
from avatar_service.core.phonemes import base_symbol
from avatar_service.core.ports import PhoneRecognizer
from avatar_service.core.recognition import HeardPhones, TranscriptHint
from avatar_service.core.speech import FloatArray, Speech, TimedPhoneme, VisemeCue
from avatar_service.core.visemes import build_timeline

sys.path.insert(0, str(Path(__file__).parent))
from joe_speech import heldout_clip, joe_speech

SENTENCE = "Bob bought a map of Memphis, maybe by the pub."


@pytest.fixture(scope="module")
def real_speech() -> Speech:
    return joe_speech(SENTENCE)


@pytest.fixture(scope="module")
def pocketsphinx() -> PocketsphinxRecognizer:
    return PocketsphinxRecognizer()


@pytest.fixture(scope="module")
def phonenet() -> PhoneNetRecognizer:
    return PhoneNetRecognizer()


class TestPhoneNetRecognizer(PhoneRecognizerContract):
    @pytest.fixture
    def adapter(self, phonenet: PhoneNetRecognizer) -> PhoneNetRecognizer:
        return phonenet

    @pytest.fixture
    def speech_sample(self, real_speech: Speech) -> RecordingSample:
        return real_speech.samples, real_speech.sample_rate, SENTENCE


class TestMockRecognizer(PhoneRecognizerContract):
    @pytest.fixture
    def adapter(self) -> MockRecognizer:
        return MockRecognizer()


class TestPocketsphinxRecognizer(PhoneRecognizerContract):
    @pytest.fixture
    def adapter(self, pocketsphinx: PocketsphinxRecognizer) -> PocketsphinxRecognizer:
        return pocketsphinx

    @pytest.fixture
    def speech_sample(self, real_speech: Speech) -> RecordingSample:
        return real_speech.samples, real_speech.sample_rate, SENTENCE


def _lips_closed(cues: Sequence[VisemeCue], onset: float) -> bool:
    """A closed shape (A or X) overlaps [onset - 40 ms, onset + 40 ms]."""
    return any(c.viseme in "AX" and c.start < onset + 0.04 and c.end > onset - 0.04 for c in cues)


def _closed_at_bilabials(speech: Speech, recognized: PhoneRecognizer) -> float:
    assert speech.phonemes is not None
    cues = build_timeline(
        recognized.recognize(speech.samples, speech.sample_rate).phonemes,
        speech.duration,
        "rhubarb",
    )
    onsets = [p.start for p in speech.phonemes if base_symbol(p.symbol) in ("p", "b", "m")]
    return sum(_lips_closed(cues, t) for t in onsets) / len(onsets)


def test_lips_close_at_most_bilabials_of_real_speech(
    real_speech: Speech, pocketsphinx: PocketsphinxRecognizer
) -> None:
    assert _closed_at_bilabials(real_speech, pocketsphinx) >= 0.8


def test_phonenet_closes_the_lips_at_nine_in_ten_bilabials_of_real_speech(
    phonenet: PhoneNetRecognizer,
) -> None:
    """Over the tuning truth sentences at the voice's own pace (185 bilabials)."""
    closed = total = 0
    for clip in truth_clips("tuning", [Condition(1.0, 16000)]):
        cues = build_timeline(
            phonenet.recognize(clip.samples, clip.sample_rate).phonemes, clip.duration, "rhubarb"
        )
        for phone in clip.phones:
            if base_symbol(phone.symbol) in ("p", "b", "m"):
                total += 1
                closed += _lips_closed(cues, phone.onset)
    assert total > 180
    assert closed / total >= 0.9


def test_phonenet_places_hinted_words_near_the_engines_own_word_times(
    real_speech: Speech, phonenet: PhoneNetRecognizer
) -> None:
    assert real_speech.words is not None
    result = phonenet.recognize(
        real_speech.samples, real_speech.sample_rate, TranscriptHint(SENTENCE)
    )
    errors = [abs(a.start - b.start) for a, b in zip(result.words, real_speech.words, strict=True)]
    assert float(np.median(errors)) < 0.02


def test_phonenet_marks_its_phones_heard_unless_it_followed_the_hint(
    phonenet: PhoneNetRecognizer,
) -> None:
    clip = heldout_clip("h12")
    other = heldout_clip("h13").text
    assert phonenet.recognize(clip.samples, clip.sample_rate).heard
    assert not phonenet.recognize(clip.samples, clip.sample_rate, TranscriptHint(clip.text)).heard
    unfitted = phonenet.recognize(clip.samples, clip.sample_rate, TranscriptHint(other))
    assert unfitted.heard
    assert len(unfitted.words) == len(other.split())


def test_phonenet_does_not_follow_a_hint_whose_second_half_is_another_sentence(
    phonenet: PhoneNetRecognizer,
) -> None:
    """Where the ``phonenet`` aligner would refuse the transcript (a median word confidence,
    the rule before, let such hints through)."""
    clip = heldout_clip("h12")
    own, other = clip.text.split(), heldout_clip("h13").text.split()
    half = " ".join(own[: len(own) // 2] + other[len(other) // 2 :])
    assert phonenet.recognize(clip.samples, clip.sample_rate, TranscriptHint(half)).heard


def test_pocketsphinx_marks_its_phone_loop_heard(
    real_speech: Speech, pocketsphinx: PocketsphinxRecognizer
) -> None:
    assert pocketsphinx.recognize(real_speech.samples, real_speech.sample_rate).heard


def _streamed(
    recognizer: PhoneNetRecognizer, samples: FloatArray, rate: int
) -> list[tuple[TimedPhoneme, ...]]:
    """After each 20 ms chunk of ``samples``, the phones a live stream has heard so far: the
    final ones, then its latest."""
    stream = recognizer.open_stream(rate)
    final: list[TimedPhoneme] = []
    latest = HeardPhones(())
    snapshots = []
    step = rate // 50
    for start in range(0, len(samples), step):
        result = stream.feed(samples[start : start + step])
        final += latest.finalised_by(result)
        latest = result
        snapshots.append((*final, *latest.phones))
    stream.close()
    return snapshots


def test_phonenet_live_stream_hears_what_the_live_model_gives_on_the_whole_file(
    real_speech: Speech, phonenet: PhoneNetRecognizer
) -> None:
    """Fed in 20 ms chunks, the stream finds what the same model and loop find in one go
    (recordings are read by the wide model, which no stream can wait for)."""
    offline = PhoneNetRecognizer(recording_model=PhoneModel(), recording=LIVE_LOOP)
    whole = offline.recognize(real_speech.samples, real_speech.sample_rate).phonemes
    live = _streamed(phonenet, real_speech.samples, real_speech.sample_rate)[-1]
    found = [
        any(q.symbol == p.symbol and abs(q.start - p.start) <= 0.03 for q in live) for p in whole
    ]
    assert sum(found) >= 0.8 * len(whole)


def test_phonenet_live_phones_come_within_its_look_ahead(
    real_speech: Speech, phonenet: PhoneNetRecognizer
) -> None:
    step = real_speech.sample_rate // 50
    lags = []
    seen: set[tuple[str, float]] = set()
    snapshots = _streamed(phonenet, real_speech.samples, real_speech.sample_rate)
    for index, phones in enumerate(snapshots):
        fed = min(len(real_speech.samples), (index + 1) * step) / real_speech.sample_rate
        for phone in phones:
            if (phone.symbol, phone.start) not in seen:
                seen.add((phone.symbol, phone.start))
                lags.append(fed - phone.start)
    assert lags and float(np.median(lags)) <= 0.15


def test_a_transcript_hint_places_words_near_the_engines_own_word_times(
    real_speech: Speech, pocketsphinx: PocketsphinxRecognizer
) -> None:
    assert real_speech.words is not None
    result = pocketsphinx.recognize(
        real_speech.samples, real_speech.sample_rate, TranscriptHint(SENTENCE)
    )
    assert len(result.words) == len(real_speech.words)
    pairs = zip(result.words, real_speech.words, strict=True)
    errors = [abs(a.start - b.start) for a, b in pairs]
    assert float(np.median(errors)) < 0.06


def test_a_word_missing_from_the_dictionary_takes_the_hints_pronunciation(
    pocketsphinx: PocketsphinxRecognizer,
) -> None:
    espeak = EspeakSynthesizer(None, None, "en-us")
    text = "the zorblat boat"
    speech = joe_speech(text)
    hint = TranscriptHint(text, tuple(espeak.phonemize(text)))
    result = pocketsphinx.recognize(speech.samples, speech.sample_rate, hint)
    zorblat = [p.arpabet for p in result.phonemes if p.word_index == 1]
    assert zorblat == ["Z", "AO", "R", "B", "L", "AE", "T"]


def test_telephone_rate_audio_is_recognised(
    real_speech: Speech, pocketsphinx: PocketsphinxRecognizer
) -> None:
    narrow = to_model_rate(real_speech.samples, real_speech.sample_rate)[::2].copy()
    result = pocketsphinx.recognize(narrow, 8000)
    assert result.phonemes
    assert result.phonemes[-1].end <= len(narrow) / 8000 + 1e-6


def test_stream_resampler_matches_whole_file_resampling() -> None:
    rng = np.random.default_rng(3)
    audio = rng.standard_normal(22050).astype(np.float32) * 0.1
    resampler = StreamResampler(22050)
    pieces = [resampler.push(audio[i : i + 441]) for i in range(0, len(audio), 441)]
    streamed = np.concatenate(pieces)
    whole = np.interp(np.arange(len(streamed)) * 22050 / 16000, np.arange(len(audio)), audio)
    assert abs(len(streamed) - 16000) <= 1
    assert np.allclose(streamed, whole, atol=1e-5)


def test_phonenet_live_phone_still_sounding_ends_at_the_audio_fed(
    real_speech: Speech, phonenet: PhoneNetRecognizer
) -> None:
    assert real_speech.phonemes is not None
    vowel = max(
        (p for p in real_speech.phonemes if base_symbol(p.symbol)[:1] in "aeiouɑɔəɛɪʊʌæ"),
        key=lambda p: p.end - p.start,
    )
    assert vowel.end - vowel.start > 0.12
    heard = vowel.start + 0.8 * (vowel.end - vowel.start)
    cut = int(heard * real_speech.sample_rate)
    phones = _streamed(phonenet, real_speech.samples[:cut], real_speech.sample_rate)[-1]
    assert phones[-1].end == pytest.approx(cut / real_speech.sample_rate, abs=0.001)
