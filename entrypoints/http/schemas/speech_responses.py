"""Response bodies of the speech routes (phonemes, lip sync and its preview, timings, viseme
sets, voices) and their mappings from the core's results."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from avatar_service.core.curve_export import curves_json
from avatar_service.core.curves import Curves
from avatar_service.core.phonemes import split_stress
from avatar_service.core.records import AudioRecord
from avatar_service.core.speech import (
    Alignment,
    PhonemizedWord,
    TimedPhoneme,
    TimedWord,
    VisemeCue,
    Voice,
)
from avatar_service.core.usecases.speech import (
    Alphabet,
    LipsyncResult,
    TimedSpeech,
    phoneme_label,
)
from avatar_service.core.visemesets import VisemeSetRegistry

TIME_DECIMALS = 6
"""Times are rounded to microseconds; equal floats round equally, so cues stay contiguous."""


def audio_url(audio_id: str) -> str:
    """Where a stored audio downloads from (the media controller serves it)."""
    return f"/v1/audios/{audio_id}"


def _t(seconds: float) -> float:
    return round(seconds, TIME_DECIMALS)


class PhonemeSymbol(msgspec.Struct):
    phoneme: str


class PhonemizedWordBody(msgspec.Struct):
    """A word, its ``[start_char, end_char)`` offsets in the text, and its phonemes."""

    word: str
    start_char: int
    end_char: int
    phonemes: list[str]


class PhonemesResponse(msgspec.Struct):
    text: str
    voice: str | None
    phonemes: list[PhonemeSymbol]
    words: list[PhonemizedWordBody]


class TimedPhonemeBody(msgspec.Struct):
    """A phoneme held over ``[start, end)`` seconds."""

    phoneme: str
    start: float
    end: float
    word_index: Annotated[
        int | None,
        Meta(
            description="Index in `words` of the word this phoneme belongs to; null for a "
            "pause between words. Words an engine speaks as one unit share its phonemes."
        ),
    ] = None


class TimedWordBody(msgspec.Struct, omit_defaults=True):
    word: str
    start: float
    end: float
    start_char: int
    end_char: int
    confidence: Annotated[
        float | None,
        Meta(
            description="How well the audio fits this word, 0 to 1 (aligned recordings, "
            "from aligners that measure it; absent otherwise).",
        ),
    ] = None


class VisemeCueBody(msgspec.Struct):
    """A mouth shape over ``[start, end)`` seconds; cues are contiguous over ``[0, duration]``."""

    viseme: str
    start: float
    end: float


class CurveTrackBody(msgspec.Struct):
    """Weights of a set's channels: ``frames[i][j]`` is ``names[j]`` at ``i / fps`` seconds."""

    fps: Annotated[int, Meta(description="Frames per second; row i is at i / fps seconds.")]
    names: Annotated[list[str], Meta(description="The channel of each column.")]
    frames: Annotated[
        list[list[float]], Meta(description="A row per frame from t = 0, weights in [0, 1].")
    ]


def curve_bodies(curves: dict[str, Curves]) -> dict[str, CurveTrackBody]:
    bodies = {}
    for name, track in curves.items():
        data = curves_json(track)
        bodies[name] = CurveTrackBody(data["fps"], data["names"], data["frames"])
    return bodies


class VisemeSetBody(msgspec.Struct):
    """A registered viseme set."""

    name: str
    symbols: list[str]
    silence: str
    channels: Annotated[list[str], Meta(description="Curve channels; empty: cues only.")]
    description: str


class VisemeSetsResponse(msgspec.Struct):
    viseme_sets: list[VisemeSetBody]
    count: int


def to_viseme_sets_response(registry: VisemeSetRegistry) -> VisemeSetsResponse:
    bodies = [
        VisemeSetBody(s.name, list(s.symbols), s.silence, list(s.channels), s.description)
        for s in (registry.get(name) for name in registry.names())
    ]
    return VisemeSetsResponse(viseme_sets=bodies, count=len(bodies))


CURVES_DESCRIPTION = "Weight curves of each set named in the request's curves, by set name."


class MarkBody(msgspec.Struct):
    """An SSML ``<mark>`` reached ``time`` seconds into the audio."""

    name: str
    time: float


class LipsyncPreviewResponse(msgspec.Struct):
    """Timings only; nothing is stored. ``visemes`` is the first requested set. ``timing``:
    ``engine`` (the voice's own durations) or ``aligned`` (the aligner timed the audio)."""

    duration: float
    voice: str
    timing: str
    phonemes: list[TimedPhonemeBody]
    words: list[TimedWordBody]
    visemes: list[VisemeCueBody]
    visemes_by_set: dict[str, list[VisemeCueBody]]
    marks: list[MarkBody] = msgspec.field(default_factory=list)
    curves: Annotated[dict[str, CurveTrackBody], Meta(description=CURVES_DESCRIPTION)] = (
        msgspec.field(default_factory=dict)
    )


class LipsyncResponse(msgspec.Struct):
    """Timed speech whose WAV is kept at ``audio_url``. ``visemes`` is the first requested set.
    ``timing``: ``engine`` (the voice's own durations) or ``aligned`` (the aligner's)."""

    avatar_id: str | None
    session_id: str | None
    audio_id: str
    audio_url: str
    duration: float
    sample_rate: int
    voice: str
    timing: str
    phonemes: list[TimedPhonemeBody]
    words: list[TimedWordBody]
    visemes: list[VisemeCueBody]
    visemes_by_set: dict[str, list[VisemeCueBody]]
    marks: list[MarkBody] = msgspec.field(default_factory=list)
    curves: Annotated[dict[str, CurveTrackBody], Meta(description=CURVES_DESCRIPTION)] = (
        msgspec.field(default_factory=dict)
    )


class TimingResponse(msgspec.Struct):
    """Phoneme and word timings in seconds. ``source`` says where they come from: ``engine``
    (the synthesizer's own), ``aligner`` (the configured aligner, e.g. for uploaded audio)."""

    text: str
    voice: str | None
    duration: float
    source: str
    alphabet: str
    phonemes: list[TimedPhonemeBody]
    words: list[TimedWordBody]


class VoiceBody(msgspec.Struct):
    """A voice. ``neural``: natural speech (Piper), else formant synthesis (espeak-ng);
    ``quality``: the engine's grade; ``timing``: ``exact`` (the engine's own durations) or
    ``aligned`` (timed by the aligner); ``gender``: ``female``, ``male`` or null (unknown)."""

    voice_id: str
    name: str
    language: str
    engine: str
    sample_rate: int
    gender: str | None
    speakers: int
    neural: bool
    quality: str | None
    timing: str


class VoicesResponse(msgspec.Struct):
    """Every voice; ``default_voice`` speaks requests that name none."""

    voices: list[VoiceBody]
    count: int
    default_voice: str | None


def to_phonemes_response(
    text: str, voice: str | None, words: list[PhonemizedWord], alphabet: Alphabet
) -> PhonemesResponse:
    def label(symbol: str) -> str:
        return phoneme_label(symbol, alphabet, stress=split_stress(symbol)[1])

    bodies = [
        PhonemizedWordBody(w.text, w.char_start, w.char_end, [label(p) for p in w.phonemes])
        for w in words
    ]
    flat = [PhonemeSymbol(p) for body in bodies for p in body.phonemes]
    return PhonemesResponse(text=text, voice=voice, phonemes=flat, words=bodies)


def _phoneme(p: TimedPhoneme, alphabet: Alphabet) -> TimedPhonemeBody:
    label = phoneme_label(p.symbol, alphabet, stress=p.stress, arpabet=p.arpabet)
    return TimedPhonemeBody(label, _t(p.start), _t(p.end), p.word_index)


def _word(w: TimedWord) -> TimedWordBody:
    confidence = None if w.confidence is None else round(w.confidence, 3)
    return TimedWordBody(w.text, _t(w.start), _t(w.end), w.char_start, w.char_end, confidence)


def _cues(cues: tuple[VisemeCue, ...]) -> list[VisemeCueBody]:
    return [VisemeCueBody(c.viseme, _t(c.start), _t(c.end)) for c in cues]


def to_preview_response(timed: TimedSpeech, alphabet: Alphabet) -> LipsyncPreviewResponse:
    by_set: dict[str, list[VisemeCueBody]] = {n: _cues(c) for n, c in timed.visemes.items()}
    return LipsyncPreviewResponse(
        duration=_t(timed.speech.duration),
        voice=timed.speech.voice_id,
        timing=timed.timing,
        phonemes=[_phoneme(p, alphabet) for p in timed.alignment.phonemes],
        words=[_word(w) for w in timed.alignment.words],
        visemes=next(iter(by_set.values()), []),
        visemes_by_set=by_set,
        marks=[MarkBody(m.name, _t(m.time)) for m in timed.marks],
        curves=curve_bodies(timed.curves),
    )


def to_lipsync_response(result: LipsyncResult, alphabet: Alphabet) -> LipsyncResponse:
    preview = to_preview_response(result.timed, alphabet)
    audio: AudioRecord = result.audio
    return LipsyncResponse(
        avatar_id=audio.avatar_id,
        session_id=audio.session_id,
        audio_id=audio.audio_id,
        audio_url=audio_url(audio.audio_id),
        duration=preview.duration,
        sample_rate=audio.sample_rate,
        voice=audio.voice_id,
        timing=preview.timing,
        phonemes=preview.phonemes,
        words=preview.words,
        visemes=preview.visemes,
        visemes_by_set=preview.visemes_by_set,
        marks=preview.marks,
        curves=preview.curves,
    )


def to_voices_response(voices: list[Voice], default: Voice | None) -> VoicesResponse:
    bodies = [
        VoiceBody(
            v.voice_id,
            v.name,
            v.language,
            v.engine,
            v.sample_rate,
            v.gender,
            v.speakers,
            v.neural,
            v.quality,
            v.timing,
        )
        for v in voices
    ]
    default_id = None if default is None else default.voice_id
    return VoicesResponse(voices=bodies, count=len(bodies), default_voice=default_id)


def to_timing_response(
    text: str,
    voice: str | None,
    duration: float,
    alignment: Alignment,
    source: str,
    alphabet: Alphabet,
) -> TimingResponse:
    return TimingResponse(
        text=text,
        voice=voice,
        duration=_t(duration),
        source=source,
        alphabet=alphabet,
        phonemes=[_phoneme(p, alphabet) for p in alignment.phonemes],
        words=[_word(w) for w in alignment.words],
    )
