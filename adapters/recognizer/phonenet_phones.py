"""Phone recognition with the phone model (``adapters.acoustic``): US English, 5 ms frames.

A recording is read by the ``WIDE`` model (195 ms of look-ahead: nothing there is live).
Without a hint, its posteriors go through a phone loop with a phone bigram
(``acoustic.phone_loop``); with a transcript hint, the transcript is force-aligned
(``acoustic.forced``) and, when it does not fit the audio (where the ``phonenet`` aligner would
refuse it: ``acoustic.fitting``), the phone loop's phones are shared out over its words and the
result is marked ``heard``. Live streams run the ``LIVE`` model (95 ms of look-ahead) and the
loop as audio arrives (``acoustic.stream``), ``lookahead_frames`` x 5 ms behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import numpy.typing as npt

from avatar_service.adapters.acoustic import features
from avatar_service.adapters.acoustic.fitting import MIN_CONFIDENCE, mismatch_at
from avatar_service.adapters.acoustic.forced import TooManyPhones, force_align
from avatar_service.adapters.acoustic.lexicon import Lexicon
from avatar_service.adapters.acoustic.model import (
    LIVE,
    SILENCE,
    WIDE,
    LogPosteriors,
    PhoneModel,
    shared_model,
)
from avatar_service.adapters.acoustic.phone_loop import LoopDecoder, Segment
from avatar_service.adapters.acoustic.stream import PosteriorStream
from avatar_service.adapters.recognizer.resample import StreamResampler
from avatar_service.adapters.recognizer.speech_gate import (
    SPEECH_BAND_GATE,
    LiveSpeechFrames,
    SpeechGate,
)
from avatar_service.core.errors import Invalid
from avatar_service.core.phonemes import IPA_TO_ARPABET
from avatar_service.core.ports import PhoneRecognizer, PhoneStream, StreamingRecognizer
from avatar_service.core.recognition import HeardPhones, TranscriptHint, even_words
from avatar_service.core.speech import Alignment, FloatArray, TimedPhoneme
from avatar_service.core.words import (
    SpokenUnit,
    assign_words,
    bridged,
    spread_spans,
    text_words,
)

LANGUAGES = frozenset({"en"})
FRAME = features.FRAME_SECONDS
_CONTEXT_SEGMENTS = 2
"""Segments before a live stream's first open one that its phones' bounds may depend on (a
short pause between two phones is shared between them)."""


@dataclass(frozen=True, slots=True)
class LoopSettings:
    """How the phone loop reads a model: the phone bigram's ``language_weight``,
    ``insertion`` per change of phone, ``pause_penalty`` taken from the pause's log posterior
    (the model hears pauses in the gaps between words, where the mouth carries on), and
    ``bridge``: a pause of at most that many seconds between two phones is no rest (its
    neighbours meet in its middle); ``lips_bridge``: nor is one of at most that many where
    nothing says the lips closed (``bridged_bounds``)."""

    language_weight: float = 0.5
    insertion: float = -1.0
    pause_penalty: float = 0.0
    bridge: float = 0.0
    lips_bridge: float = 0.0


RECORDING_LOOP = LoopSettings(bridge=0.02, lips_bridge=0.05)
LIVE_LOOP = LoopSettings(pause_penalty=0.75, bridge=0.01)
"""Each chosen with ``python bench/run.py recognise`` on the tuning split only (the live one
with its model, on live streams: ``training/phonenet/README.md``)."""

LABIALS = ("p", "b", "m")
LIPS_HEARD = 0.01
"""The posterior of p, b and m together that some frame of a pause must reach for the pause to
be heard as closed lips: the model often hears a bilabial's closure as a pause and nothing
else, so a pause with that much of one stays a rest (which shows closed lips)."""


def bridged_bounds(
    segments: Sequence[Segment],
    silence: int | None,
    settings: LoopSettings,
    labials: Sequence[int],
    logp: LogPosteriors | None,
) -> list[list[int]]:
    """The ``[start, end)`` frames of each of ``segments``, where every pause (class
    ``silence``) between two phones that ``settings`` bridges is shared out between them
    (they meet in its middle). A pause longer than ``settings.bridge`` but within
    ``settings.lips_bridge`` is bridged only when nothing says the lips closed there: no
    ``labials`` class beside it, and no frame of ``logp`` (the posteriors the segments were
    decoded from; ``None``: unknown) where those classes together reach ``LIPS_HEARD``."""
    bridge = round(settings.bridge / FRAME)
    lips_bridge = round(settings.lips_bridge / FRAME)
    bounds = [[s.start, s.end] for s in segments]
    for i in range(1, len(segments) - 1):
        pause = segments[i]
        length = pause.end - pause.start
        if pause.label != silence or length > max(bridge, lips_bridge):
            continue
        if length > bridge:
            beside = (segments[i - 1].label, segments[i + 1].label)
            if logp is None or any(label in labials for label in beside):
                continue
            heard = np.exp(logp[pause.start : pause.end][:, list(labials)]).sum(axis=1)
            if heard.size and heard.max() >= LIPS_HEARD:
                continue
        middle = (pause.start + pause.end) // 2
        bounds[i - 1][1], bounds[i + 1][0] = middle, middle
    return bounds


class PhoneNetRecognizer(PhoneRecognizer, StreamingRecognizer):
    """``model`` (``LIVE``) serves live streams, ``recording_model`` (``WIDE``) recordings;
    ``recording`` and ``live`` tune the phone loop of each; ``lag`` is the live loop's fixed
    lag in frames; ``hint_bridge``: a pause of at most that many seconds between the words
    of a fitted hint is no rest; ``min_confidence``: a hint is not followed where the
    ``phonenet`` aligner would refuse it as a transcript (``fitting.mismatch_at``);
    ``gate``: where a recording or a live stream is loud enough for a heard phone to stand;
    ``concurrency``: most runs of each model at once (the shipped models are
    ``shared_model``s: the aligner reads with the same ``WIDE`` one). Thread-safe."""

    PLUGIN_NAME = "phonenet"

    def __init__(
        self,
        model: PhoneModel | None = None,
        lexicon: Lexicon | None = None,
        *,
        recording_model: PhoneModel | None = None,
        recording: LoopSettings = RECORDING_LOOP,
        live: LoopSettings = LIVE_LOOP,
        lag: int = 40,
        hint_bridge: float = 0.08,
        min_confidence: float = MIN_CONFIDENCE,
        gate: SpeechGate = SPEECH_BAND_GATE,
        concurrency: int | None = None,
    ) -> None:
        self._model = model or shared_model(LIVE, concurrency)
        self._recording_model = recording_model or shared_model(WIDE, concurrency)
        if self._recording_model.info.inventory != self._model.info.inventory:
            raise ValueError("the live and the recording model must share one phone inventory")
        self._lexicon = lexicon or Lexicon()
        self._recording, self._live = recording, live
        self._hint_bridge = hint_bridge
        self._min_confidence = min_confidence
        self._gate = gate
        self._lag = lag
        labials = (self._model.class_of(symbol) for symbol in LABIALS)
        self._labials = tuple(label for label in labials if label is not None)

    def languages(self) -> frozenset[str]:
        return LANGUAGES

    def check(self) -> None:
        for model in (self._model, self._recording_model):
            model.check()
            model.loop_data()

    def _biased(self, logp: LogPosteriors, settings: LoopSettings) -> LogPosteriors:
        """``logp`` with the pause penalty of ``settings`` applied (a copy)."""
        out = np.array(logp, np.float32)
        silence = self._model.class_of(SILENCE)
        if silence is not None and len(out):
            out[:, silence] -= settings.pause_penalty
        return out

    def _decoder(self, settings: LoopSettings) -> LoopDecoder:
        return LoopDecoder(
            self._model.loop_data().bigram,
            language_weight=settings.language_weight,
            insertion=settings.insertion,
            lag=self._lag,
        )

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
        loud = self._gate.speech_frames(audio)
        logp = self._recording_model.posteriors(audio)
        if hint is not None and loud.any():
            fitted = self._fitted(audio, logp, hint.text, duration)
            if fitted is not None:
                return fitted
        decoder = self._decoder(self._recording)
        decoder.push(self._biased(logp, self._recording))
        segments = decoder.segments()
        voiced = partial(self._gate.voiced, loud)
        heard = self._phones(segments, voiced, duration, self._recording, logp=logp)
        phones = spread_spans([phone for _, phone in heard], duration)
        if hint is None:
            return Alignment(phones, (), heard=True)
        if not phones:
            return replace(even_words(hint.text, duration), heard=True)
        unit = SpokenUnit(0, len(hint.text), tuple(range(len(phones))))
        return replace(assign_words(hint.text, phones, [unit], duration=duration), heard=True)

    def _fitted(
        self, audio: npt.NDArray[np.float32], logp: LogPosteriors, text: str, duration: float
    ) -> Alignment | None:
        try:
            aligned = force_align(
                self._recording_model, self._lexicon, audio, text, duration, logp=logp
            )
        except TooManyPhones:
            return None
        confidences = [w.confidence or 0.0 for w in aligned.words]
        if mismatch_at(confidences, self._min_confidence) is not None:
            return None
        phones = bridged(spread_spans(aligned.phonemes, duration), self._hint_bridge)
        return Alignment(phones, aligned.words)

    def _phones(
        self,
        segments: list[Segment],
        voiced: Callable[[float, float], bool],
        duration: float,
        settings: LoopSettings,
        *,
        open_end: bool = False,
        skip: int = 0,
        logp: LogPosteriors | None = None,
    ) -> list[tuple[int, TimedPhoneme]]:
        """The phones of ``segments`` that ``voiced(start, end)`` says are speech, short
        pauses bridged (``settings``; ``logp``: the posteriors the segments were decoded
        from), each with its segment's index; ``open_end``: the last segment lasts to
        ``duration`` (a live stream's newest phone sounds on until the model's look-ahead
        passes it); the first ``skip`` segments are context only."""
        silence = self._model.class_of(SILENCE)
        inventory = self._model.info.inventory
        bounds = bridged_bounds(segments, silence, settings, self._labials, logp)
        out = []
        for index, (segment, (first, last)) in enumerate(zip(segments, bounds, strict=True)):
            if segment.label == silence or index < skip:
                continue
            start = max(0.0, (first - 0.5) * FRAME)
            end = min(duration, (last - 0.5) * FRAME)
            if open_end and segment is segments[-1]:
                end = duration
            if end <= start or not voiced(start, end):
                continue
            symbol = inventory[segment.label]
            out.append((index, TimedPhoneme(symbol, start, end, IPA_TO_ARPABET.get(symbol))))
        return out

    def open_stream(self, sample_rate: int) -> PhoneStream:
        if isinstance(sample_rate, bool) or sample_rate <= 0:
            raise Invalid("the sample rate must be positive", field="sample_rate")
        return _LiveStream(self, sample_rate)

    def live_phones(
        self, segments: list[Segment], gate: LiveSpeechFrames, heard: float, skip: int
    ) -> list[tuple[int, TimedPhoneme]]:
        """The phones of a live stream's ``segments`` after the first ``skip`` (context), each
        with its segment's index, that ``gate`` finds speech when ``heard`` seconds have
        arrived: a phone the newest frames still hold sounds on to ``heard`` (the model's
        look-ahead has not reached the audio after it)."""
        return self._phones(segments, gate.voiced, heard, self._live, open_end=True, skip=skip)

    def live_gate(self) -> LiveSpeechFrames:
        """Where a live stream is loud enough for a heard phone to stand."""
        return LiveSpeechFrames(self._gate)

    def posterior_stream(self) -> PosteriorStream:
        return PosteriorStream(self._model)

    def live_decoder(self) -> LoopDecoder:
        """The live streams' phone loop."""
        return self._decoder(self._live)

    def live_biased(self, logp: LogPosteriors) -> LogPosteriors:
        """Live posteriors as the live loop reads them (a copy)."""
        return self._biased(logp, self._live)


class _LiveStream(PhoneStream):
    """The model and the phone loop fed chunk by chunk. A phone is final once the loop has
    committed the segments after it (``LoopDecoder``: frames 200 ms behind the newest) and
    the gate has decided its frames; only the phones after the final ones are worked on."""

    def __init__(self, recognizer: PhoneNetRecognizer, sample_rate: int) -> None:
        self._recognizer = recognizer
        self._resampler = StreamResampler(sample_rate)
        self._posteriors = recognizer.posterior_stream()
        self._decoder = recognizer.live_decoder()
        self._gate = recognizer.live_gate()
        self._fed = 0
        self._first = 0  # the first segment whose phone is not final
        self._since = 0.0
        self._open = True

    def feed(self, samples: FloatArray) -> HeardPhones:
        if not self._open:
            raise Invalid("the stream is closed", field="audio")
        chunk = self._resampler.push(np.nan_to_num(np.asarray(samples, np.float32)))
        self._fed += len(chunk)
        self._gate.push(chunk)
        rows: LogPosteriors = self._posteriors.push(chunk)
        if len(rows):
            self._decoder.push(self._recognizer.live_biased(rows))
        heard = self._fed / features.RATE
        context = max(0, self._first - _CONTEXT_SEGMENTS)
        segments = self._decoder.segments(context)
        found = self._recognizer.live_phones(segments, self._gate, heard, self._first - context)
        result = HeardPhones(tuple(phone for _, phone in found), self._since)
        # A segment is final when the committed one after it is not the last committed
        # (that may still grow) and the gate has decided its frames.
        final = max(self._first, self._decoder.committed - 2)
        while final > self._first and (
            segments[final - 1 - context].end * FRAME > self._gate.decided_seconds
        ):
            final -= 1
        settled = [phone for index, phone in found if index + context < final]
        if settled:
            self._since = settled[-1].end
        self._first = final
        return result

    def close(self) -> None:
        self._open = False
