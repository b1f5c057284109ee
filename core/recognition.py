"""Recognition domain types: what a phone recogniser is told about a recording (an optional
transcript hint with pronunciations), the languages it covers, and how recognised phones
become mouth shapes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from avatar_service.core.errors import Invalid
from avatar_service.core.phonemes import base_symbol
from avatar_service.core.speech import Alignment, PhonemizedWord, TimedPhoneme, VisemeCue
from avatar_service.core.visemes import VisemeSet, build_timeline, resolve_set
from avatar_service.core.visemesets import VisemeSetSpec
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


@dataclass(frozen=True, slots=True)
class HeardPhones:
    """What a live stream has heard so far (``PhoneStream.feed``): ``phones``, its best
    phones from ``since`` seconds on. The phones an earlier result held that start before
    ``since`` are final: the stream never reports that stretch again, so a result stays
    short however long the stream runs."""

    phones: tuple[TimedPhoneme, ...]
    since: float = 0.0

    def finalised_by(self, later: HeardPhones) -> tuple[TimedPhoneme, ...]:
        """The phones of this result that the stream's next result ``later`` makes final (those
        starting before its ``since``), in order: what a client keeps of this one."""
        return tuple(p for p in self.phones if p.start < later.since)


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
"""A recognised "phone" held longer than this is taken for no speech (a note, a hum, steady
noise): it is dropped, so the mouth rests instead of sticking open. The default of
``Limits.max_phone_seconds``: a sung vowel lasts longer, so singing needs a higher one."""


def speech_only(
    phonemes: Sequence[TimedPhoneme], longest: float = MAX_PHONE_SECONDS
) -> tuple[TimedPhoneme, ...]:
    """The phonemes without those held longer than ``longest`` seconds (not speech)."""
    return tuple(p for p in phonemes if p.end - p.start <= longest)


REST_GAP_SECONDS = 0.02
"""A gap between recognised phones longer than this is a rest: the phones do not touch."""
UNSURE_VOWELS = frozenset({"ɪ", "ᵻ"})
"""Recognised short vowels that are often another vowel: on the truth corpus's tuning split a
quarter of the recogniser's ``ɪ`` are ``ʊ``, ``ə``, ``ʌ``, ``ɛ`` or ``æ`` (open shapes)."""
OPEN_STAND_IN = "ə"
"""Whose shape an unsure vowel shows when its own would not move the mouth."""


def syllables_opened(
    phonemes: Sequence[TimedPhoneme], shape_of: Callable[[str], str]
) -> tuple[TimedPhoneme, ...]:
    """``phonemes`` (ordered, recognised without a transcript) with every unsure short vowel
    (``UNSURE_VOWELS``) whose shape (``shape_of``) equals that of a phone touching it (within
    ``REST_GAP_SECONDS``) given ``OPEN_STAND_IN``'s symbol, times unchanged: in a set that
    shows ``ɪ`` like its consonants (``rhubarb``'s B), a misheard ``ʊ`` or ``ə`` between
    them would otherwise hold one shape over the whole syllable. Other phones are untouched."""
    shown = list(phonemes)
    for index, phone in enumerate(phonemes):
        if base_symbol(phone.symbol) not in UNSURE_VOWELS:
            continue
        shape = shape_of(phone.symbol)
        before = phonemes[index - 1] if index > 0 else None
        after = phonemes[index + 1] if index + 1 < len(phonemes) else None
        stuck = (
            before is not None
            and phone.start - before.end <= REST_GAP_SECONDS
            and shape_of(before.symbol) == shape
        ) or (
            after is not None
            and after.start - phone.end <= REST_GAP_SECONDS
            and shape_of(after.symbol) == shape
        )
        if stuck:
            shown[index] = replace(phone, symbol=OPEN_STAND_IN, arpabet=None)
    return tuple(shown)


def recognised_timeline(
    phonemes: Sequence[TimedPhoneme],
    duration: float,
    viseme_set: VisemeSet | VisemeSetSpec,
    *,
    transcribed: bool,
    min_cue: float = 0.04,
) -> tuple[VisemeCue, ...]:
    """The cue timeline (``build_timeline``) of recognised ``phonemes``; without a transcript
    (``transcribed`` false) unsure vowels are shown as ``syllables_opened`` says."""
    spec = resolve_set(viseme_set)
    if not transcribed:
        phonemes = syllables_opened(phonemes, spec.symbol_for)
    return build_timeline(phonemes, duration, spec, min_cue=min_cue)


def even_words(text: str, duration: float) -> Alignment:
    """One schwa per word of ``text``, evenly over ``duration``: words for audio in which
    nothing was heard (``text`` has at least one word)."""
    words = text_words(text)
    step = duration / len(words)
    phones = [TimedPhoneme("ə", i * step, (i + 1) * step, arpabet="AH") for i in range(len(words))]
    units = [SpokenUnit(w.char_start, w.char_end, (i,)) for i, w in enumerate(words)]
    return assign_words(text, phones, units, duration=duration)
