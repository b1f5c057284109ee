"""Forced alignment with the phone model (``adapters.acoustic.forced``, with the ``WIDE``
model, which looks 195 ms ahead: nothing here is live): US English, 5 ms frames, a confidence
per word. A transcript whose words stop fitting the audio is refused (``TranscriptMismatch``,
an ``Invalid`` on ``text`` that carries the alignment found) naming the first word that does
not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from avatar_service.adapters.acoustic import features
from avatar_service.adapters.acoustic.forced import TooManyPhones, force_align
from avatar_service.adapters.acoustic.lexicon import Lexicon
from avatar_service.adapters.acoustic.model import WIDE, PhoneModel, shared_model
from avatar_service.adapters.aligner.inputs import checked_audio
from avatar_service.core.errors import Invalid
from avatar_service.core.ports import Aligner
from avatar_service.core.speech import Alignment, FloatArray, TranscriptMismatch
from avatar_service.core.words import text_words

MIN_WORD_SECONDS = 0.05
"""No word is spoken faster: a transcript needing less per word is refused before any work."""
MISMATCH_RUN = 3
RUN_CONFIDENCE = 0.35
"""Three consecutive words whose mean confidence is under this, one of them under the minimum
confidence, mark where a transcript goes wrong (one weak word alone may be a mumble)."""
WEAK_SHARE = 0.2
"""A transcript with at least two words, and this share of all its words, under the minimum
confidence does not fit the audio, even when its weak words are scattered (another sentence
can fit a few of its words by chance). On the tuning split right transcripts have at most an
eighth of their words so weak, other sentences' transcripts at least a tenth, mostly far more."""


class PhoneNetAligner(Aligner):
    """Phone-model forced alignment (US English; ``voice_id`` is ignored). ``min_confidence``:
    a word below it that starts a run of such words marks where the transcript stops
    matching; ``concurrency``: most runs of the phone model at once (``shared_model``).
    Thread-safe."""

    PLUGIN_NAME = "phonenet"

    def __init__(
        self,
        model: PhoneModel | None = None,
        lexicon: Lexicon | None = None,
        min_confidence: float = 0.2,
        concurrency: int | None = None,
    ) -> None:
        self._model = model or shared_model(WIDE, concurrency)
        self._lexicon = lexicon or Lexicon()
        self._min_confidence = min_confidence

    def check(self) -> None:
        self._model.check()
        self._lexicon.groups("check")

    def align(
        self, samples: FloatArray, sample_rate: int, text: str, voice_id: str | None = None
    ) -> Alignment:
        audio = checked_audio(samples, sample_rate, text)
        duration = audio.size / sample_rate
        words = len(text_words(text))
        if words * MIN_WORD_SECONDS > duration:
            raise Invalid(
                f"the transcript has {words} words but the audio lasts {duration:.2f} s; "
                "it cannot be this audio's text",
                field="text",
            )
        audio16 = features.resample(audio, sample_rate)
        try:
            alignment = force_align(self._model, self._lexicon, audio16, text, duration)
        except TooManyPhones as exc:
            raise Invalid(
                f"the transcript cannot be this audio's: {exc} of audio", field="text"
            ) from exc
        self._refuse_mismatch(alignment)
        return alignment

    def _refuse_mismatch(self, alignment: Alignment) -> None:
        index = mismatch_at([w.confidence or 0.0 for w in alignment.words], self._min_confidence)
        if index is not None:
            self._refuse_at(alignment, index)

    @staticmethod
    def _refuse_at(alignment: Alignment, index: int) -> NoReturn:
        word = alignment.words[index]
        raise TranscriptMismatch(
            f"the transcript stops matching the audio at word {index + 1} {word.text!r} "
            f"(character {word.char_start}); its words from there do not fit the sounds "
            f"(confidence {word.confidence or 0.0:.2f})",
            alignment,
        )


def mismatch_at(confidences: Sequence[float], min_confidence: float) -> int | None:
    """The index of the word where a transcript stops fitting, given its words' confidences:
    the first word under ``min_confidence`` in a run of ``MISMATCH_RUN`` words whose mean
    confidence is under ``RUN_CONFIDENCE``, or after which no word reaches 0.5; else the
    first of the weak words when they are ``WEAK_SHARE`` of all; ``None`` when it fits."""
    for index, value in enumerate(confidences):
        if value >= min_confidence:
            continue
        rest = confidences[index:]
        runs = [
            confidences[start : start + MISMATCH_RUN]
            for start in range(max(0, index - MISMATCH_RUN + 1), index + 1)
        ]
        weak_run = any(
            len(run) == MISMATCH_RUN and sum(run) / len(run) < RUN_CONFIDENCE for run in runs
        )
        if weak_run or (len(rest) >= 2 and max(rest) < 0.5):
            return index
    weak = [i for i, value in enumerate(confidences) if value < min_confidence]
    if len(weak) >= 2 and len(weak) >= WEAK_SHARE * len(confidences):
        return weak[0]
    return None
