"""A deterministic recogniser for tests: loud stretches are "speech", each heard as an ``m``
(closed lips) followed by ``ɑ`` (open) syllables of 100 ms; quiet is silence. A transcript
hint is followed (its words share out the syllables heard) unless nothing was heard: then each
word gets an even share of the audio and the result is marked ``heard``. Never a default."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from avatar_service.core.errors import Invalid
from avatar_service.core.ports import PhoneRecognizer, PhoneStream, StreamingRecognizer
from avatar_service.core.recognition import HeardPhones, TranscriptHint, even_words
from avatar_service.core.speech import Alignment, FloatArray, TimedPhoneme
from avatar_service.core.words import SpokenUnit, assign_words, text_words

FRAME = 0.01
LOUD_RMS = 0.02
SYLLABLE = 0.1


def heard(samples: FloatArray, sample_rate: int) -> list[TimedPhoneme]:
    """``m``+``ɑ`` syllables over the frames whose RMS reaches ``LOUD_RMS``."""
    size = max(1, round(sample_rate * FRAME))
    frames = len(samples) // size
    duration = len(samples) / sample_rate
    if frames == 0:
        return []
    power = np.square(samples[: frames * size].astype(np.float64)).reshape(frames, size)
    loud = np.sqrt(power.mean(axis=1)) >= LOUD_RMS
    phones: list[TimedPhoneme] = []
    start: int | None = None
    for index, is_loud in enumerate([*loud.tolist(), False]):
        if is_loud and start is None:
            start = index
        elif not is_loud and start is not None:
            t, end = start * FRAME, min(index * FRAME, duration)
            while end - t >= 0.02:
                stop = min(t + SYLLABLE, end)
                middle = t + min(0.03, (stop - t) / 2)
                phones.append(TimedPhoneme("m", t, middle, arpabet="M"))
                phones.append(TimedPhoneme("ɑ", middle, stop, arpabet="AA"))
                t = stop
            start = None
    return phones


class MockRecognizer(PhoneRecognizer, StreamingRecognizer):
    PLUGIN_NAME = "mock"

    def languages(self) -> frozenset[str]:
        return frozenset({"en"})

    def check(self) -> None:
        return None

    def recognize(
        self, samples: FloatArray, sample_rate: int, hint: TranscriptHint | None = None
    ) -> Alignment:
        if sample_rate <= 0:
            raise Invalid("the sample rate must be positive", field="sample_rate")
        if len(samples) == 0:
            raise Invalid("the audio holds no samples", field="audio")
        duration = len(samples) / sample_rate
        phones = heard(samples, sample_rate)
        if hint is None:
            return Alignment(tuple(phones), (), heard=True)
        words = text_words(hint.text)
        if not words:
            raise Invalid("the transcript holds no word", field="text")
        if not phones:
            return replace(even_words(hint.text, duration), heard=True)
        unit = SpokenUnit(0, len(hint.text), tuple(range(len(phones))))
        return assign_words(hint.text, phones, [unit], duration=duration)

    def open_stream(self, sample_rate: int) -> PhoneStream:
        if sample_rate <= 0:
            raise Invalid("the sample rate must be positive", field="sample_rate")
        return _MockStream(sample_rate)


class _MockStream(PhoneStream):
    def __init__(self, sample_rate: int) -> None:
        self._rate = sample_rate
        self._audio: list[FloatArray] = []

    def feed(self, samples: FloatArray) -> HeardPhones:
        self._audio.append(np.asarray(samples, dtype=np.float32))
        return HeardPhones(tuple(heard(np.concatenate(self._audio), self._rate)))

    def close(self) -> None:
        self._audio.clear()
