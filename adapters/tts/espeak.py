"""The embedded espeak-ng synthesizer: real speech with exact phoneme and word timings taken
from the engine's own events (each carries its sample offset), no estimation."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from avatar_service.adapters.tts.espeak_library import (
    EVENT_END,
    EVENT_MARK,
    EVENT_MSG_TERMINATED,
    EVENT_PHONEME,
    EVENT_SENTENCE,
    EVENT_WORD,
    EspeakEvent,
    EspeakLibrary,
    EspeakLoadError,
    EspeakVoiceInfo,
    RawSynthesis,
)
from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.core.phonemes import STRESS_MARKS, to_arpabet
from avatar_service.core.ports import (
    SpeechSynthesizer,
    SsmlSynthesisRequest,
    SsmlSynthesizer,
    SynthesisRequest,
)
from avatar_service.core.speech import (
    PhonemizedWord,
    Speech,
    SynthesisOptions,
    TimedPhoneme,
    Voice,
    check_timings,
)
from avatar_service.core.ssml import (
    ELEMENTS,
    Mark,
    MarkedSpeech,
    SsmlDocument,
    SsmlSupport,
    TextRun,
    TimedMark,
    to_ssml,
)
from avatar_service.core.voice_names import unknown_voice
from avatar_service.core.words import SpokenUnit, assign_words, text_words

DEFAULT_VOICE = "en-us"
NORMAL_WPM = 175  # espeak's normal rate; SynthesisOptions.rate multiplies it
MIN_WPM, MAX_WPM = 80, 700  # espeak refuses < 80; above 450 it speeds up with sonic
_BOUNDARIES = frozenset(
    {EVENT_PHONEME, EVENT_WORD, EVENT_END, EVENT_SENTENCE, EVENT_MSG_TERMINATED}
)
_GENDERS = {1: "male", 2: "female"}
FEMALE_VARIANT = "f3"
"""The espeak-ng variant listed as each language's female voice."""
# interpret-as values espeak-ng reads, by the core's names; None: plain text reads that way.
_SAY_AS = {
    "characters": "characters",
    "spell-out": "characters",
    "digits": "tts:digits",
    "cardinal": None,
    "number": None,
}
SSML_SUPPORT = SsmlSupport(frozenset(ELEMENTS) - {"speak"}, frozenset(_SAY_AS))


@dataclass(frozen=True, slots=True)
class EspeakResult:
    """Timings of one synthesis in samples: phonemes ``(name, start, end)`` (names keep their
    stress marks) and the engine's word units (character spans it reported, phoneme indices),
    which ``core.words.assign_words`` maps onto the words of the text."""

    raw: RawSynthesis
    phonemes: tuple[tuple[str, int, int], ...]
    units: tuple[SpokenUnit, ...]


def strip_stress(name: str) -> tuple[str, int]:
    """An espeak IPA name without stress marks, and its stress (0, 1 primary, 2 secondary)."""
    stress = next((STRESS_MARKS[ch] for ch in name if ch in STRESS_MARKS), 0)
    return "".join(ch for ch in name if ch not in STRESS_MARKS), stress


LENGTH_MARKS = frozenset("ːˑ")
"""IPA length marks: espeak-ng may report one as a phoneme of its own."""


def timings_from_events(raw: RawSynthesis, text: str) -> EspeakResult:
    """Phoneme spans from consecutive boundary events; one unit per word event with the
    phonemes that follow it, its span trimmed to slice ``text`` (espeak reports one word event
    for ``on the``, several for ``42``: the units are mapped onto the text's words later)."""
    total = len(raw.samples)
    events = raw.events
    phonemes: list[tuple[str, int, int]] = []
    units: list[tuple[int, int, list[int]]] = []
    current: list[int] | None = None
    # The sample of the first boundary event after each event (a backward pass: O(n)).
    next_boundary = [total] * len(events)
    upcoming = total
    for index in range(len(events) - 1, -1, -1):
        next_boundary[index] = upcoming
        if events[index].kind in _BOUNDARIES:
            upcoming = events[index].sample
    floor = 0
    for index, event in enumerate(events):
        if event.kind == EVENT_WORD:
            start = min(max(event.text_position - 1, 0), len(text))
            end = min(start + max(event.length, 0), len(text))
            while start < end and not text[start].strip():
                start += 1
            while end > start and not text[end - 1].strip():
                end -= 1
            current = []
            units.append((start, end, current))
        elif event.kind == EVENT_PHONEME and event.name.strip():
            begin = min(max(event.sample, floor), total)
            finish = min(max(next_boundary[index], begin), total)
            floor = finish
            name = event.name.strip()
            if phonemes and set(name) <= LENGTH_MARKS:
                # A length mark alone (Konkani ``ː``) lengthens the sound before it.
                before, before_start, _ = phonemes[-1]
                phonemes[-1] = (before + name, before_start, finish)
                continue
            if current is not None:
                current.append(len(phonemes))
            phonemes.append((name, begin, finish))
    kept = tuple(SpokenUnit(a, b, tuple(members)) for a, b, members in units if members)
    return EspeakResult(raw, tuple(phonemes), kept)


class EspeakSynthesizer(SpeechSynthesizer, SsmlSynthesizer):
    """libespeak-ng in process. Voice ids are the voice files' names (``en-us``, ``de``,
    ``fr``...); every call is serialised on the library's lock (a sentence takes a few ms).
    """

    PLUGIN_NAME = "espeak"

    def __init__(
        self,
        library_path: str | Path | None = None,
        data_path: str | Path | None = None,
        default_voice: str = DEFAULT_VOICE,
    ) -> None:
        self._library = EspeakLibrary(library_path, data_path)
        self._default = default_voice
        self._catalogue: dict[str, tuple[Voice, EspeakVoiceInfo]] | None = None
        self._catalogue_lock = threading.Lock()

    def check(self) -> None:
        self._voices()
        if self._default not in self._voices():
            raise Unavailable(f"the default espeak voice {self._default!r} is not installed")

    def voices(self) -> list[Voice]:
        """Every language voice (espeak's default variant: male), each followed by its
        ``+f3`` variant, a female voice."""
        listed = []
        for voice, _ in self._voices().values():
            listed.append(voice)
            listed.append(
                replace(
                    voice,
                    voice_id=f"{voice.voice_id}+{FEMALE_VARIANT}",
                    name=f"{voice.name} (female)",
                    gender="female",
                )
            )
        return listed

    def phonemize(self, text: str, voice_id: str | None = None) -> list[PhonemizedWord]:
        """Words with their IPA phonemes as espeak speaks them (stress marks kept); a unit
        espeak speaks for several words (``on the``) is shared between them."""
        result = self.run(text, voice_id, SynthesisOptions())
        timed = [TimedPhoneme(name, start, end) for name, start, end in result.phonemes]
        alignment = assign_words(text, timed, result.units)
        by_word: dict[int, list[str]] = {}
        for phoneme in alignment.phonemes:
            if phoneme.word_index is not None:
                by_word.setdefault(phoneme.word_index, []).append(phoneme.symbol)
        return [
            PhonemizedWord(w.text, w.char_start, w.char_end, tuple(by_word[i]))
            for i, w in enumerate(alignment.words)
        ]

    def synthesize(self, request: SynthesisRequest) -> Speech:
        result = self.run(request.text, request.voice_id, request.options)
        return self._speech(result, request.text, request.voice_id)

    def ssml_support(self, voice_id: str | None = None) -> SsmlSupport:
        self._resolve(voice_id)
        return SSML_SUPPORT

    def synthesize_ssml(self, request: SsmlSynthesisRequest) -> MarkedSpeech:
        """Speak the document through espeak-ng's own SSML reader; word offsets point into
        ``document.source``, marks come from the engine's mark events."""
        document, voice_id = request.document, request.voice_id
        plain = document.plain_text
        markup, index = to_ssml(document, _SAY_AS)
        raw = self._raw(markup, voice_id, request.options, ssml=True)
        events = _plain_events(raw.events, index, plain)
        result = timings_from_events(replace(raw, events=events), plain)
        if not result.units or len(raw.samples) == 0:
            raise Invalid("text contains no speakable word", field="text")
        speech = self._speech(result, plain, voice_id)
        offsets = document.source_offsets()
        words = tuple(
            replace(
                w,
                char_start=offsets[w.char_start],
                char_end=_source_end(document.source, offsets[w.char_end - 1]),
            )
            for w in speech.words or ()
        )
        marks = _marks(document, raw, speech)
        return MarkedSpeech(replace(speech, words=words), marks)

    def _speech(self, result: EspeakResult, text: str, voice_id: str | None) -> Speech:
        rate = result.raw.sample_rate
        spoken_by = self._resolve(voice_id)[0].voice_id  # cached: a dict look-up
        timed = []
        for name, start, end in result.phonemes:
            symbol, stress = strip_stress(name)
            timed.append(
                TimedPhoneme(
                    symbol or name, start / rate, end / rate, to_arpabet(symbol, stress), stress
                )
            )
        samples = (result.raw.samples.astype(np.float32) / 32768.0).astype(np.float32)
        duration = len(samples) / rate
        alignment = assign_words(text, timed, result.units, duration=duration)
        check_timings(alignment.phonemes, duration)
        check_timings(alignment.words, duration)
        return Speech(samples, rate, spoken_by, alignment.phonemes, alignment.words)

    def run(self, text: str, voice_id: str | None, options: SynthesisOptions) -> EspeakResult:
        """Synthesise and read the events; ``Invalid`` when nothing speakable came out."""
        if not isinstance(text, str) or not text.strip():
            raise Invalid("text must contain at least one non-space character", field="text")
        raw = self._raw(text, voice_id, options)
        result = timings_from_events(raw, text)
        if not result.units or len(raw.samples) == 0 or not text_words(text):
            raise Invalid("text contains no speakable word", field="text")
        return result

    def _raw(
        self, text: str, voice_id: str | None, options: SynthesisOptions, *, ssml: bool = False
    ) -> RawSynthesis:
        voice, info = self._resolve(voice_id)
        if options.speaker_id not in (None, 0):
            raise Invalid(
                f"espeak voice {voice.voice_id} has one speaker (id 0); got {options.speaker_id}",
                field="speaker_id",
            )
        wpm = min(max(round(NORMAL_WPM * options.rate), MIN_WPM), MAX_WPM)
        pitch = min(max(round(50 * options.pitch), 0), 100)
        volume = min(max(round(100 * options.volume), 0), 200)
        try:
            return self._library.synthesize(
                text,
                info.identifier,
                rate=wpm,
                pitch=pitch,
                volume=volume,
                ssml=ssml,
                seed=options.seed or 0,
            )
        except (EspeakLoadError, LookupError, RuntimeError) as exc:
            raise Unavailable(f"espeak-ng failed: {exc}") from exc

    def _resolve(self, voice_id: str | None) -> tuple[Voice, EspeakVoiceInfo]:
        """The voice for ``voice_id``; ``base+variant`` (``en-us+f3``) picks one of espeak's
        voice variants (not listed by ``voices()``, which would be 100x longer)."""
        catalogue = self._voices()
        key = self._default if voice_id is None else voice_id.strip().lower()
        base, plus, variant = key.partition("+")
        found = catalogue.get(base)
        if found is not None and plus:
            names = {name.lower(): name for name in self._library.variants()}
            if variant in names:
                voice, info = found
                return (
                    replace(voice, voice_id=key, name=f"{voice.name} ({names[variant]})"),
                    replace(info, identifier=f"{info.identifier}+{names[variant]}"),
                )
            found = None
        if found is None:
            raise unknown_voice(voice_id, catalogue, "(a variant may follow +, e.g. en-us+f3)")
        return found

    def _voices(self) -> dict[str, tuple[Voice, EspeakVoiceInfo]]:
        with self._catalogue_lock:
            if self._catalogue is None:
                try:
                    rate = self._library.ensure_loaded()
                    infos = self._library.voices()
                except EspeakLoadError as exc:
                    raise Unavailable(str(exc)) from exc
                catalogue: dict[str, tuple[Voice, EspeakVoiceInfo]] = {}
                for info in infos:
                    voice_id = info.identifier.rsplit("/", 1)[-1].lower()
                    language = info.languages[0] if info.languages else voice_id
                    voice = Voice(
                        voice_id,
                        info.name,
                        language,
                        "espeak",
                        rate,
                        _GENDERS.get(info.gender, "male"),
                        quality="formant",
                        timing="exact",
                    )
                    catalogue.setdefault(voice_id, (voice, info))
                self._catalogue = catalogue
            return self._catalogue


def _plain_events(
    events: tuple[EspeakEvent, ...], index: tuple[int | None, ...], plain: str
) -> tuple[EspeakEvent, ...]:
    """Word events re-pointed from the written SSML to whitespace-delimited tokens of the plain
    text. espeak-ng's SSML text positions drift after some markup (nested or adjacent
    elements), so when there is one word event per token (all tokens, or those with a letter
    or digit) they are paired in order; otherwise each goes to the token nearest its position.
    """
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", plain)]
    spoken = [t for t in tokens if any(ch.isalnum() for ch in plain[t[0] : t[1]])]
    words = [e for e in events if e.kind == EVENT_WORD]
    paired = tokens if len(words) == len(tokens) else spoken if len(words) == len(spoken) else None
    out = []
    for event in events:
        if event.kind != EVENT_WORD:
            out.append(event)
            continue
        if paired is not None:
            start, end = paired[len([e for e in out if e.kind == EVENT_WORD])]
        else:
            at = _nearest_plain(index, event.text_position - 1, plain)
            if at is None:
                continue
            start, end = next((a, b) for a, b in tokens if a <= at < b)
        out.append(replace(event, text_position=start + 1, length=end - start))
    return tuple(out)


def _marks(document: SsmlDocument, raw: RawSynthesis, speech: Speech) -> tuple[TimedMark, ...]:
    """Every mark of ``document``, in order, at the time espeak-ng reported it. espeak-ng drops
    a mark that opens a sentence other than the first; such a mark is placed where the next
    word starts (``speech`` words still in plain-text offsets), else at the end of the audio."""
    reported: dict[str, list[float]] = {}
    for event in raw.events:
        if event.kind == EVENT_MARK:
            sample = min(event.sample, len(raw.samples))
            reported.setdefault(event.name, []).append(sample / raw.sample_rate)
    marks = []
    position = 0
    for segment in document.segments:
        if isinstance(segment, TextRun):
            position += len(segment.text)
        elif isinstance(segment, Mark):
            times = reported.get(segment.name)
            if times:
                time = times.pop(0)
            else:
                following = (w.start for w in speech.words or () if w.char_start >= position)
                time = next(following, speech.duration)
            marks.append(TimedMark(segment.name, time))
    return tuple(marks)


def _nearest_plain(index: tuple[int | None, ...], at: int, plain: str) -> int | None:
    for delta in (0, 1, -1, 2, -2, 3, -3):
        i = at + delta
        if 0 <= i < len(index):
            found = index[i]
            if found is not None and not plain[found].isspace():
                return found
    return None


def _source_end(source: str, offset: int) -> int:
    """End of the source character at ``offset``: past a whole entity (``&amp;``)."""
    return source.index(";", offset) + 1 if source[offset] == "&" else offset + 1
