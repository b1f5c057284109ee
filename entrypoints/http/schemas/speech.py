"""Bodies of the speech routes (phonemes, lip sync, preview, voices) and their mappings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from avatar_service.core.curve_export import MAX_MORPH_TARGETS, curves_json
from avatar_service.core.curves import Curves
from avatar_service.core.phonemes import split_stress
from avatar_service.core.records import AudioRecord
from avatar_service.core.speech import (
    Alignment,
    PhonemizedWord,
    SynthesisOptions,
    TimedPhoneme,
    TimedWord,
    VisemeCue,
    Voice,
)
from avatar_service.core.usecases.speech import (
    Alphabet,
    LipsyncResult,
    SpeechRequest,
    TimedSpeech,
    phoneme_label,
)
from avatar_service.core.visemesets import VisemeSetRegistry, custom_set
from avatar_service.entrypoints.http.schemas.bounds import MAX_OBJECT_KEYS, MAX_VISEME_SETS

TIME_DECIMALS = 6
"""Times are rounded to microseconds; equal floats round equally, so cues stay contiguous."""


def audio_url(audio_id: str) -> str:
    """Where a stored audio downloads from (the media controller serves it)."""
    return f"/v1/audios/{audio_id}"


def _t(seconds: float) -> float:
    return round(seconds, TIME_DECIMALS)


# --- requests -------------------------------------------------------------------------------


class PhonemesRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Text to phonemes, no audio made. ``voice`` omitted: the engine's default voice."""

    text: str
    voice: str | None = None
    alphabet: Alphabet = "ipa"


class LipsyncRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Text to timed speech. ``viseme_set`` names one set, ``viseme_sets`` several (both may be
    given: ``viseme_set`` comes first); by default ``oculus``. ``rate``/``pitch`` are
    multipliers, ``volume`` a gain; omitted knobs keep the voice's own."""

    text: str
    voice: str | None = None
    avatar_id: str | None = None
    session_id: str | None = None
    viseme_set: (
        Annotated[str, Meta(description="A viseme set for the cues (see GET /v1/viseme-sets).")]
        | None
    ) = None
    viseme_sets: (
        Annotated[
            list[str],
            Meta(max_length=MAX_VISEME_SETS, description="Viseme sets for the cues, by name."),
        ]
        | None
    ) = None
    viseme_table: (
        Annotated[
            dict[str, Any],
            Meta(
                max_length=MAX_OBJECT_KEYS,
                description=(
                    "A custom viseme set for this request: {name, symbols, silence, default?, "
                    "classes?, phonemes?, channels?, targets?, closure?} (docs/visemes.md); "
                    "name it in viseme_sets or curves. Unknown symbols are a 422 naming them."
                ),
            ),
        ]
        | None
    ) = None
    curves: (
        Annotated[
            list[str],
            Meta(
                max_length=MAX_VISEME_SETS,
                description=(
                    "Sets whose per-frame weight curves to return: vrm, arkit, oculus, or a "
                    "set with channels."
                ),
            ),
        ]
        | None
    ) = None
    fps: Annotated[int, Meta(description="Frames per second of the curves (default 60).")] = 60
    intensity: Annotated[
        float,
        Meta(description="Curve intensity: 1 as declared, 0 at rest, up to 2 exaggerated."),
    ] = 1.0
    alphabet: Alphabet = "ipa"
    rate: float | None = None
    pitch: float | None = None
    volume: float | None = None
    speaker_id: int | None = None
    seed: int | None = None
    """Fixes the engine's random choices: the same request with the same seed gives
    bit-identical audio and timings."""
    ssml: bool = False
    """``text`` is SSML (``docs/streaming.md``); marks come back in ``marks``."""


def to_speech_request(data: LipsyncRequest) -> SpeechRequest:
    """The core request for ``data``; out-of-range knobs raise the core's ``Invalid``."""
    knobs: dict[str, Any] = {
        "rate": data.rate,
        "pitch": data.pitch,
        "volume": data.volume,
        "speaker_id": data.speaker_id,
        "seed": data.seed,
    }
    options = SynthesisOptions(**{k: v for k, v in knobs.items() if v is not None})
    extra: dict[str, Any] = {}
    if data.viseme_set is not None or data.viseme_sets is not None:
        named = ([data.viseme_set] if data.viseme_set else []) + list(data.viseme_sets or [])
        extra["viseme_sets"] = tuple(dict.fromkeys(named))
    if data.viseme_table is not None:
        extra["viseme_table"] = custom_set(data.viseme_table)
    return SpeechRequest(
        text=data.text,
        voice_id=data.voice,
        options=options,
        avatar_id=data.avatar_id,
        session_id=data.session_id,
        ssml=data.ssml,
        curves=tuple(data.curves or ()),
        fps=data.fps,
        intensity=data.intensity,
        **extra,
    )


class TimingRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Text to the engine's timings (the audio is made but not kept). The same fields, sent
    as multipart form fields with an ``audio`` file, align that recording instead."""

    text: str
    voice: str | None = None
    alphabet: Alphabet = "ipa"
    rate: float | None = None
    pitch: float | None = None
    volume: float | None = None
    speaker_id: int | None = None
    seed: int | None = None


def timing_speech_request(data: TimingRequest) -> SpeechRequest:
    return to_speech_request(
        LipsyncRequest(
            text=data.text,
            voice=data.voice,
            rate=data.rate,
            pitch=data.pitch,
            volume=data.volume,
            speaker_id=data.speaker_id,
            seed=data.seed,
        )
    )


# --- responses ------------------------------------------------------------------------------


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


class CurvesExportRequest(LipsyncRequest, kw_only=True, forbid_unknown_fields=True):
    """Text to weight curves in a file format; nothing is stored. ``curves`` names the sets
    (csv: each column ``<set>.<name>`` when several; gltf: the first set only)."""

    format: Annotated[
        Literal["json", "csv", "gltf"],
        Meta(description="json (as /v1/lipsync/preview's curves), csv, or gltf (glTF 2.0)."),
    ] = "json"
    morph_targets: (
        Annotated[
            list[str],
            Meta(
                max_length=MAX_MORPH_TARGETS,
                description=(
                    "gltf: the model's morph target names in its order, each 'name' (drives "
                    "the channel of that name) or 'name=channel'."
                ),
            ),
        ]
        | None
    ) = None


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
