"""Phone recognition with the phone model (``adapters.acoustic``): US English, 5 ms frames.

Without a hint, the model's posteriors go through a phone loop with a phone bigram
(``acoustic.phone_loop``); with a transcript hint, the transcript is force-aligned
(``acoustic.forced``) and, when it does not fit the audio (most words under 0.3 confidence),
the phone loop's phones are shared out over its words. Live streams run the same model and
loop as audio arrives (``acoustic.stream``), ``lookahead_frames`` x 5 ms behind it.
"""

from __future__ import annotations

import statistics

import numpy as np
import numpy.typing as npt

from avatar_service.adapters.acoustic import features
from avatar_service.adapters.acoustic.forced import TooManyPhones, force_align
from avatar_service.adapters.acoustic.lexicon import Lexicon
from avatar_service.adapters.acoustic.model import SILENCE, LogPosteriors, PhoneModel
from avatar_service.adapters.acoustic.phone_loop import LoopDecoder, Segment
from avatar_service.adapters.acoustic.stream import PosteriorStream
from avatar_service.adapters.recognizer.pocketsphinx_phones import speech_frames
from avatar_service.adapters.recognizer.resample import StreamResampler
from avatar_service.core.errors import Invalid
from avatar_service.core.phonemes import IPA_TO_ARPABET
from avatar_service.core.ports import PhoneRecognizer, PhoneStream, StreamingRecognizer
from avatar_service.core.recognition import TranscriptHint
from avatar_service.core.speech import Alignment, FloatArray, TimedPhoneme
from avatar_service.core.words import SpokenUnit, TextWord, assign_words, spread_spans, text_words

LANGUAGES = frozenset({"en"})
FRAME = features.FRAME_SECONDS
HINT_FITS = 0.3
"""A hint fits the audio when the median word confidence of its forced alignment reaches
this; otherwise the phone loop's phones are used."""
LOUD_FRAME = 0.01
"""The energy gate's frame (``speech_frames``): 10 ms."""


class PhoneNetRecognizer(PhoneRecognizer, StreamingRecognizer):
    """``language_weight``, ``insertion`` and ``lag`` tune the phone loop (measured with
    ``python bench/run.py recognise`` on the tuning split). Thread-safe."""

    PLUGIN_NAME = "phonenet"

    def __init__(
        self,
        model: PhoneModel | None = None,
        lexicon: Lexicon | None = None,
        *,
        language_weight: float = 1.0,
        insertion: float = -2.0,
        lag: int = 40,
    ) -> None:
        self._model = model or PhoneModel()
        self._lexicon = lexicon or Lexicon()
        self._tuning = {"language_weight": language_weight, "insertion": insertion, "lag": lag}

    def languages(self) -> frozenset[str]:
        return LANGUAGES

    def check(self) -> None:
        self._model.check()
        self._model.loop_data()

    def warm_up(self) -> None:
        """Load the model now, so the first request does not wait for it."""
        self._model.run(np.zeros((8, features.MELS), np.float32))

    def decoder(self) -> LoopDecoder:
        return LoopDecoder(self._model.loop_data().bigram, **self._tuning)  # type: ignore[arg-type]

    def recognize(
        self, samples: FloatArray, sample_rate: int, hint: TranscriptHint | None = None
    ) -> Alignment:
        if isinstance(sample_rate, bool) or sample_rate <= 0:
            raise Invalid("the sample rate must be positive", field="sample_rate")
        if len(samples) == 0:
            raise Invalid("the audio holds no samples", field="audio")
        words = text_words(hint.text) if hint is not None else ()
        if hint is not None and not words:
            raise Invalid("the transcript holds no word", field="text")
        duration = len(samples) / sample_rate
        audio = features.resample(np.nan_to_num(np.asarray(samples, np.float32)), sample_rate)
        loud = speech_frames(audio)
        if hint is not None and loud.any():
            fitted = self._fitted(audio, hint.text, duration)
            if fitted is not None:
                return fitted
        logp = self._model.posteriors(audio)
        decoder = self.decoder()
        decoder.push(logp)
        phones = spread_spans(self._phones(decoder.segments(), loud, duration), duration)
        if hint is None:
            return Alignment(phones, ())
        if not phones:
            return _even_words(hint.text, words, duration)
        unit = SpokenUnit(0, len(hint.text), tuple(range(len(phones))))
        return assign_words(hint.text, phones, [unit], duration=duration)

    def _fitted(
        self, audio: npt.NDArray[np.float32], text: str, duration: float
    ) -> Alignment | None:
        try:
            aligned = force_align(self._model, self._lexicon, audio, text)
        except TooManyPhones:
            return None
        confidences = [w.confidence or 0.0 for w in aligned.words]
        if statistics.median(confidences) < HINT_FITS:
            return None
        return Alignment(spread_spans(aligned.phonemes, duration), aligned.words)

    def _phones(
        self, segments: list[Segment], loud: npt.NDArray[np.bool_] | None, duration: float
    ) -> list[TimedPhoneme]:
        silence = self._model.class_of(SILENCE)
        inventory = self._model.info.inventory
        out = []
        for segment in segments:
            if segment.label == silence:
                continue
            start = max(0.0, (segment.start - 0.5) * FRAME)
            end = min(duration, (segment.end - 0.5) * FRAME)
            if end <= start:
                continue
            if loud is not None and not _voiced(loud, start, end):
                continue
            symbol = inventory[segment.label]
            out.append(TimedPhoneme(symbol, start, end, IPA_TO_ARPABET.get(symbol)))
        return out

    def open_stream(self, sample_rate: int) -> PhoneStream:
        if isinstance(sample_rate, bool) or sample_rate <= 0:
            raise Invalid("the sample rate must be positive", field="sample_rate")
        return _LiveStream(self, sample_rate)

    def phones_of(self, segments: list[Segment], duration: float) -> list[TimedPhoneme]:
        return self._phones(segments, None, duration)

    def posterior_stream(self) -> PosteriorStream:
        return PosteriorStream(self._model)


def _voiced(loud: npt.NDArray[np.bool_], start: float, end: float) -> bool:
    """At least 30% of the 10 ms frames of ``[start, end)`` are loud enough to be speech."""
    first = int(start / LOUD_FRAME)
    last = max(first + 1, round(end / LOUD_FRAME))
    frames = loud[first:last]
    return bool(len(frames)) and float(frames.mean()) >= 0.3


def _even_words(text: str, words: tuple[TextWord, ...], duration: float) -> Alignment:
    """One schwa per word, evenly over the audio: words for audio in which nothing was heard."""
    step = duration / len(words)
    phones = [TimedPhoneme("ə", i * step, (i + 1) * step, arpabet="AH") for i in range(len(words))]
    units = [SpokenUnit(w.char_start, w.char_end, (i,)) for i, w in enumerate(words)]
    return assign_words(text, phones, units, duration=duration)


class _LiveStream(PhoneStream):
    """The model and the phone loop fed chunk by chunk."""

    def __init__(self, recognizer: PhoneNetRecognizer, sample_rate: int) -> None:
        self._recognizer = recognizer
        self._resampler = StreamResampler(sample_rate)
        self._posteriors = recognizer.posterior_stream()
        self._decoder = recognizer.decoder()
        self._fed = 0
        self._open = True

    def feed(self, samples: FloatArray) -> tuple[TimedPhoneme, ...]:
        if not self._open:
            raise Invalid("the stream is closed", field="audio")
        chunk = self._resampler.push(np.nan_to_num(np.asarray(samples, np.float32)))
        self._fed += len(chunk)
        rows: LogPosteriors = self._posteriors.push(chunk)
        if len(rows):
            self._decoder.push(rows)
        heard = self._fed / features.RATE
        phones = self._recognizer.phones_of(self._decoder.segments(), heard)
        return tuple(phones)

    def close(self) -> None:
        self._open = False
