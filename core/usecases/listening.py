"""Live lip sync from audio as it is produced: PCM chunks in, mouth-shape cues out as soon as
the recogniser is sure enough of them, and cues re-sent (corrected) when better knowledge
arrives -- a later hypothesis, a transcript of a stretch already heard, or words with their
times (``core.word_timings``).

Cues are open-ended: a cue ``(viseme, start)`` holds until the next cue's start. A cue sent
supersedes every cue sent before it whose start is at or after its own, so a client keeps
one list: drop the cues starting at or after the new one's start, then append it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from avatar_service.core.errors import Invalid, TooLarge
from avatar_service.core.ports import PhoneStream
from avatar_service.core.recognition import (
    MAX_PHONE_SECONDS,
    REST_GAP_SECONDS,
    HeardPhones,
    recognised_timeline,
    syllables_opened,
)
from avatar_service.core.speech import FloatArray, TimedPhoneme, TimedWord
from avatar_service.core.visemes import SILENCE, VisemeSet, viseme_for
from avatar_service.core.word_timings import (
    RecogniseStretch,
    WordSpan,
    check_word_spans,
    phones_of_words,
    timed_words,
)

SETTLE_SECONDS = 0.03
"""A phone is reported once this much audio after its start has been heard (the recogniser's
newest guess flickers for a frame or two)."""
SAME_START = 0.015
"""Two cues of one shape whose starts differ by less than this are the same cue."""
CONTEXT_PHONES = 4
"""Final phones kept as context for the cues after them: a phone's cue depends on the phones
on either side of it (``syllables_opened``, rests, merged repeats)."""


@dataclass(frozen=True, slots=True)
class LiveCue:
    """From ``start`` seconds (since the stream began) the mouth shows ``viseme``; ``corrected``
    when it replaces cues sent before."""

    viseme: str
    start: float
    corrected: bool = False


@dataclass(frozen=True, slots=True)
class Correction:
    """What a transcript or word times say of the stretch ``[start, end)`` seconds: its
    ``phonemes`` (times from ``start``; a transcript's, fitted to the audio, when
    ``transcribed``, else heard ones) and its ``words`` (times from the stream's start)."""

    phonemes: tuple[TimedPhoneme, ...]
    transcribed: bool
    start: float
    end: float
    words: tuple[TimedWord, ...]


CorrectionPlan = Callable[[], Correction]
"""A correction's work (``ListenSession.plan_words``, ``plan_transcript``): it reads only the
audio it was given, so it may run on another thread while the stream goes on."""


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    cues: tuple[LiveCue, ...]
    words: tuple[TimedWord, ...] = ()
    heard: float = 0.0
    """Seconds of audio received so far."""


class ListenSession:
    """One live stream. ``recognise(samples, rate, hint)`` re-recognises a stretch when a
    transcript for it arrives (``RecognitionUseCases.recognise``). A phone held longer than
    ``longest_phone`` seconds is taken for no speech (``core.recognition.speech_only``): the
    mouth rests from its start as soon as it has sounded that long, even while it sounds on."""

    def __init__(
        self,
        stream: PhoneStream,
        sample_rate: int,
        viseme_set: VisemeSet,
        recognise: RecogniseStretch,
        *,
        max_seconds: float,
        min_cue: float = 0.04,
        longest_phone: float = MAX_PHONE_SECONDS,
    ) -> None:
        self._stream = stream
        self._rate = sample_rate
        self._set = viseme_set
        self._recognise = recognise
        self._max_samples = int(max_seconds * sample_rate)
        self._min_cue = min_cue
        self._longest_phone = longest_phone
        self._chunks: list[FloatArray] = []
        self._received = 0
        self._open = HeardPhones(())  # the stream's latest result: its phones are not final
        self._final: list[TimedPhoneme] = []  # the last ``CONTEXT_PHONES`` final ones
        self._sent: list[tuple[str, float]] = []  # ordered by start
        self._locked_until = 0.0  # cues before this come from a transcript: final

    @property
    def sample_rate(self) -> int:
        return self._rate

    @property
    def heard(self) -> float:
        return self._received / self._rate

    def feed(self, samples: FloatArray) -> LiveUpdate:
        """Add a chunk; the cues that are new or changed because of it."""
        if self._received + len(samples) > self._max_samples:
            raise TooLarge(
                f"a live stream may last {self._max_samples / self._rate:g} s "
                "(AVATAR_LIMITS__MAX_RECORDING_SECONDS)",
                field="audio",
            )
        samples = np.clip(np.nan_to_num(samples.astype(np.float32)), -1.0, 1.0)
        self._chunks.append(samples)
        self._received += len(samples)
        result = self._stream.feed(samples)
        self._final = [*self._final, *self._open.finalised_by(result)][-CONTEXT_PHONES:]
        self._open = result
        window = max(self._locked_until, self._final[-1].start if self._final else 0.0)
        return LiveUpdate(self._update(self._hypothesis(window), window), heard=self.heard)

    def _hypothesis(self, window: float) -> list[tuple[str, float]]:
        """Cues from ``window`` on (at or after ``_locked_until``; the cues before it are
        final) from the recogniser's phones, settled only; unsure vowels shown as
        ``syllables_opened`` says. The final phones kept give the cues their context."""
        heard = self.heard
        silence = SILENCE[self._set]
        settled = [
            phone
            for phone in (*self._final, *self._open.phones)
            if self._locked_until <= phone.start <= heard - SETTLE_SECONDS
            and phone.end - phone.start <= self._longest_phone
        ]
        cues: list[tuple[str, float]] = []
        previous_end = self._locked_until
        for phone in syllables_opened(settled, self._shape):
            if phone.start - previous_end > REST_GAP_SECONDS:
                cues.append((silence, previous_end))
            cues.append((self._shape(phone.symbol), phone.start))
            previous_end = phone.end
        if previous_end < heard - SETTLE_SECONDS - REST_GAP_SECONDS:
            cues.append((silence, previous_end))
        merged: list[tuple[str, float]] = []
        for viseme, start in cues:
            if not merged or merged[-1][0] != viseme:
                merged.append((viseme, start))
        return [cue for cue in merged if cue[1] >= window]

    def _shape(self, symbol: str) -> str:
        return viseme_for(symbol, self._set)

    def _update(self, cues: list[tuple[str, float]], window: float) -> tuple[LiveCue, ...]:
        """The cues to send so that the client's list matches ``cues`` from ``window`` on
        (the cues sent before it stand): the first difference on, marked ``corrected`` when
        it replaces cues sent."""
        first = bisect_left(self._sent, window, key=lambda cue: cue[1])
        sent = self._sent[first:]
        same = 0
        while (
            same < min(len(sent), len(cues))
            and sent[same][0] == cues[same][0]
            and abs(sent[same][1] - cues[same][1]) < SAME_START
        ):
            same += 1
        replaces = same < len(sent)
        if same < len(cues):
            out = [LiveCue(v, start, corrected=replaces) for v, start in cues[same:]]
        elif replaces and (same > 0 or first > 0):
            # Cues sent after the last one still believed are withdrawn: restate that one.
            out = [LiveCue(*(cues[same - 1] if same else self._sent[first - 1]), corrected=True)]
        else:
            return ()
        del self._sent[first:]
        self._sent.extend(cues)
        return tuple(out)

    def transcript(self, text: str, start: float, end: float) -> LiveUpdate:
        """What was said over ``[start, end)`` seconds, now known: that stretch is recognised
        again with the transcript; its cues and words are sent corrected and become final."""
        return self.apply(self.plan_transcript(text, start, end)())

    def words(self, spans: Sequence[WordSpan]) -> LiveUpdate:
        """Words with their times, now known (``core.word_timings``): the stretch from the
        first word's start to the last one's end is recognised again with their text, each
        word's phones are fitted into its span, and the stretch's cues and words are sent
        corrected and become final. Where the recogniser does not hear the stretch as those
        words, each word is recognised alone in its own span: the client's words and times
        stand. ``Invalid`` (field ``words``) as ``check_word_spans``."""
        return self.apply(self.plan_words(spans)())

    def plan_transcript(self, text: str, start: float, end: float) -> CorrectionPlan:
        """``transcript``'s work, checked now, to run on any thread while the stream goes on;
        ``apply`` its result."""
        if not 0 <= start < end <= self.heard + 1e-6:
            raise Invalid(
                f"the transcript's stretch must lie within the {self.heard:.3f} s heard",
                field="start",
            )
        audio, recognise, rate = self._segment(start, end), self._recognise, self._rate

        def work() -> Correction:
            alignment = recognise(audio, rate, text)
            words = tuple(
                replace(w, start=w.start + start, end=w.end + start) for w in alignment.words
            )
            return Correction(alignment.phonemes, not alignment.heard, start, end, words)

        return work

    def plan_words(self, spans: Sequence[WordSpan]) -> CorrectionPlan:
        """``words``' work, checked now, to run on any thread while the stream goes on;
        ``apply`` its result."""
        check_word_spans(spans, self.heard)
        start, end = spans[0].start, spans[-1].end
        audio, recognise, rate = self._segment(start, end), self._recognise, self._rate
        local = [WordSpan(w.text, w.start - start, w.end - start) for w in spans]

        def work() -> Correction:
            phonemes, transcribed = phones_of_words(recognise, audio, rate, local)
            return Correction(phonemes, transcribed, start, end, timed_words(spans))

        return work

    def _segment(self, start: float, end: float) -> FloatArray:
        """The audio heard over ``[start, end)`` seconds."""
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        self._chunks = [audio]
        return audio[int(start * self._rate) : int(end * self._rate)]

    def apply(self, correction: Correction) -> LiveUpdate:
        """Send ``correction``'s phones as the cues of its stretch, with its words, corrected
        and final; the shape in force at the stretch's end carries on after it. Apply
        corrections in the order they were planned; what was fed since stands after them."""
        phonemes, start, end = correction.phonemes, correction.start, correction.end
        stretch = recognised_timeline(
            phonemes,  # ``recognise`` gives speech only; fitted words are the client's
            end - start,
            self._set,
            transcribed=correction.transcribed,
            min_cue=self._min_cue,
        )
        fresh = [(c.viseme, c.start + start) for c in stretch]
        after = [c for c in self._sent if c[1] >= end]
        before = [c for c in self._sent if c[1] < start]
        carried = [c for c in self._sent if c[1] < end]
        if carried and (after[0][1] > end if after else end < self.heard - 1e-6):
            after.insert(0, (carried[-1][0], end))  # the shape in force at ``end`` carries on
        self._sent = before + fresh + after
        self._locked_until = max(self._locked_until, end)
        cues = tuple(LiveCue(v, s, corrected=True) for v, s in fresh + after)
        return LiveUpdate(cues, correction.words, heard=self.heard)

    def close(self) -> None:
        self._stream.close()
        self._chunks.clear()
