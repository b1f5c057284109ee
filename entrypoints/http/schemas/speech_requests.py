"""Request bodies of the speech routes (phonemes, lip sync and its preview, timings, curve
export) and their mapping to the core's ``SpeechRequest``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from avatar_service.core.cue_formats import CUE_SET, DAT_FPS_RANGE, EXTENDED_SHAPES, CueFormat
from avatar_service.core.curve_export import MAX_MORPH_TARGETS
from avatar_service.core.speech import SynthesisOptions
from avatar_service.core.usecases.speech import Alphabet, SpeechRequest
from avatar_service.core.visemesets import custom_set
from avatar_service.entrypoints.http.schemas.bounds import MAX_OBJECT_KEYS, MAX_VISEME_SETS


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


class CuesExportRequest(LipsyncRequest, kw_only=True, forbid_unknown_fields=True):
    """Text to its viseme cues in a file format of Rhubarb Lip Sync; nothing is stored. The
    cues are those of ``viseme_set`` (or the first of ``viseme_sets``; ``rhubarb`` when
    neither is given)."""

    format: Annotated[
        CueFormat,
        Meta(description="tsv, json, xml, or dat (Moho switch data), as Rhubarb writes them."),
    ] = "tsv"
    extended_shapes: Annotated[
        str,
        Meta(
            max_length=len(EXTENDED_SHAPES),
            description="The rhubarb set: which of the optional shapes G, H and X to use "
            "(left out: G shows as A, H as C, X as A).",
        ),
    ] = EXTENDED_SHAPES
    tweens: Annotated[
        bool,
        Meta(
            description="The rhubarb set: insert Rhubarb's in-between shapes (D to B through "
            "C, ...) for rigs that swap drawings."
        ),
    ] = False
    dat_fps: Annotated[
        float,
        Meta(
            ge=DAT_FPS_RANGE[0],
            le=DAT_FPS_RANGE[1],
            description="dat: the frame rate frames are numbered at.",
        ),
    ] = 24.0
    dat_preston_blair: Annotated[
        bool,
        Meta(
            description="dat and the rhubarb set: name the shapes as Preston Blair's chart "
            "does (MBP, etc, E, AI, O, U, FV, L, rest)."
        ),
    ] = False

    def chosen_set(self) -> str:
        return self.viseme_set or (self.viseme_sets or [CUE_SET])[0]
