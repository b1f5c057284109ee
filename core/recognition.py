"""Recognition domain types: what a phone recogniser is told about a recording (an optional
transcript hint with pronunciations) and the languages it covers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from avatar_service.core.errors import Invalid
from avatar_service.core.speech import Alignment, PhonemizedWord, TimedPhoneme
from avatar_service.core.words import SpokenUnit, assign_words, text_words

RECORDED_VOICE = "recording"
"""``voice_id`` of stored audio that came from a client's recording, not from a synthesizer:
such audio is lip-synced by the recogniser when it is rendered."""


@dataclass(frozen=True, slots=True)
class TranscriptHint:
    """What was said in a recording, as far as the caller knows. ``pronunciations`` are the
    words of ``text`` with IPA phonemes from a synthesizer (possibly empty, or missing some
    words): a recogniser may use them for words its own lexicon lacks."""

    text: str
    pronunciations: tuple[PhonemizedWord, ...] = ()


def language_tag(language: str, supported: frozenset[str]) -> str:
    """The primary subtag of ``language`` (``en-US`` -> ``en``) when ``supported`` has it, else
    ``Invalid`` (field ``language``) naming what is supported."""
    primary = language.strip().replace("_", "-").split("-")[0].lower()
    if primary not in supported:
        raise Invalid(
            f"language {language!r} is not supported by the recogniser; it covers "
            f"{', '.join(sorted(supported))}",
            field="language",
        )
    return primary


MAX_PHONE_SECONDS = 0.6
"""A recognised "phone" held longer than this is not speech (a hum, a note, steady noise): it
is dropped, so the mouth rests instead of sticking open."""


def speech_only(phonemes: Sequence[TimedPhoneme]) -> tuple[TimedPhoneme, ...]:
    """The phonemes without those held longer than ``MAX_PHONE_SECONDS`` (not speech)."""
    return tuple(p for p in phonemes if p.end - p.start <= MAX_PHONE_SECONDS)


def even_words(text: str, duration: float) -> Alignment:
    """One schwa per word of ``text``, evenly over ``duration``: words for audio in which
    nothing was heard (``text`` has at least one word)."""
    words = text_words(text)
    step = duration / len(words)
    phones = [TimedPhoneme("ə", i * step, (i + 1) * step, arpabet="AH") for i in range(len(words))]
    units = [SpokenUnit(w.char_start, w.char_end, (i,)) for i, w in enumerate(words)]
    return assign_words(text, phones, units, duration=duration)
