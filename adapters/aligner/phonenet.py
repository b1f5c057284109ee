"""Forced alignment with the phone model (``adapters.acoustic.forced``, with the ``WIDE``
model, which looks 195 ms ahead: nothing here is live): US English, 5 ms frames, a confidence
per word. A transcript whose words stop fitting the audio is refused (``TranscriptMismatch``,
an ``Invalid`` on ``text`` that carries the alignment found) naming the first word that does
not.
"""

from __future__ import annotations

from typing import NoReturn

from avatar_service.adapters.acoustic import features
from avatar_service.adapters.acoustic.fitting import MIN_CONFIDENCE, mismatch_at
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
        min_confidence: float = MIN_CONFIDENCE,
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
