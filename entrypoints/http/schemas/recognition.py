"""Bodies of lip sync from audio alone (``POST /v1/lipsync/audio``) and their mappings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import msgspec
from litestar.datastructures import UploadFile
from litestar.params import Body
from msgspec import Meta

from avatar_service.core.cue_formats import EXTENDED_SHAPES
from avatar_service.core.errors import Invalid
from avatar_service.core.usecases.speech import Alphabet, LipsyncResult
from avatar_service.entrypoints.http.schemas.bounds import MAX_VISEME_SETS
from avatar_service.entrypoints.http.schemas.speech_responses import (
    TimedPhonemeBody,
    TimedWordBody,
    VisemeCueBody,
    audio_url,
    to_preview_response,
)
from avatar_service.entrypoints.word_times import MAX_TIMED_WORDS


@dataclass
class RecordingForm:
    """The multipart form of ``POST /v1/lipsync/audio``."""

    audio: Annotated[
        UploadFile, Body(description="The recording: WAV, FLAC, OGG (Vorbis/Opus) or MP3.")
    ]
    text: Annotated[
        str | None,
        Body(description="What is said, if known: guides recognition and adds `words`."),
    ] = None
    words: Annotated[
        str | None,
        Body(
            description="What is said with each word's times, if known (a voice agent's or "
            'a speech engine\'s), instead of `text`: a JSON array of `{"word", "start", '
            f'"end"}}` in seconds, in order, at most {MAX_TIMED_WORDS:,}. The words come back '
            "with these times and each word's phones are fitted into its span."
        ),
    ] = None
    viseme_sets: Annotated[
        str | list[str] | None,
        Body(
            description="Viseme sets to return, comma-separated or as repeated fields "
            "(`GET /v1/viseme-sets` lists them); default oculus."
        ),
    ] = None
    language: Annotated[
        str,
        Body(description="Language spoken (BCP 47). Only English (`en`) is recognised."),
    ] = "en"
    alphabet: Annotated[
        str, Body(description="Phoneme symbols of the answer: `ipa` or `arpabet`.")
    ] = "ipa"
    avatar_id: Annotated[
        str | None, Body(description="Avatar the stored audio belongs to (must exist).")
    ] = None
    session_id: Annotated[
        str | None, Body(description="Session the stored audio belongs to (must exist).")
    ] = None
    cues: Annotated[
        str | None,
        Body(
            description="Answer with only the cues of the first viseme set (`rhubarb` when "
            "`viseme_sets` names none), as Rhubarb Lip Sync writes them: `tsv`, `json`, `xml` "
            "or `dat` (Moho switch data). The recording is kept all the same: its id is in "
            "the `Audio-Id` header."
        ),
    ] = None
    extended_shapes: Annotated[
        str,
        Body(
            description="With `cues` and the rhubarb set: which of the optional shapes G, H "
            "and X to use (left out: G shows as A, H as C, X as A)."
        ),
    ] = EXTENDED_SHAPES
    tweens: Annotated[
        bool,
        Body(
            description="With `cues` and the rhubarb set: insert Rhubarb's in-between shapes "
            "(D to B through C, ...) for rigs that swap drawings."
        ),
    ] = False
    dat_fps: Annotated[
        float, Body(description="With `cues=dat`: the frame rate frames are numbered at, 24-100.")
    ] = 24.0
    dat_preston_blair: Annotated[
        bool,
        Body(
            description="With `cues=dat` and the rhubarb set: name the shapes as Preston "
            "Blair's chart does (MBP, etc, E, AI, O, U, FV, L, rest)."
        ),
    ] = False


def viseme_set_names(value: str | list[str] | None, default: str = "oculus") -> tuple[str, ...]:
    """``oculus,rhubarb`` (or the field repeated: ``["oculus", "rhubarb"]``) -> the names in
    order, repeats dropped, at most ``MAX_VISEME_SETS``; none named: ``default``."""
    fields = [value] if isinstance(value, str) else value or []
    parts = (part.strip() for field in fields for part in field.split(","))
    names = tuple(dict.fromkeys(part for part in parts if part))
    if len(names) > MAX_VISEME_SETS:
        raise Invalid(f"name at most {MAX_VISEME_SETS} viseme sets", field="viseme_sets")
    return names or (default,)


class RecordingLipsyncResponse(msgspec.Struct, kw_only=True):
    """Timings recognised from a recording, which is kept at ``audio_url``."""

    avatar_id: Annotated[str | None, Meta(description="Avatar the audio belongs to.")]
    session_id: Annotated[str | None, Meta(description="Session the audio belongs to.")]
    audio_id: Annotated[str, Meta(description="Id of the stored recording (render it by id).")]
    audio_url: Annotated[str, Meta(description="Where the recording downloads from, as WAV.")]
    duration: Annotated[float, Meta(description="Seconds of audio.")]
    sample_rate: Annotated[int, Meta(description="Sample rate of the stored WAV, Hz.")]
    language: Annotated[str, Meta(description="Language recognised (`en`).")]
    transcript: Annotated[
        bool,
        Meta(
            description=(
                "Whether the transcript guided recognition: false without `text`, and when "
                "`text` did not fit the audio (the phonemes are then as heard; `words` still "
                "has one entry per word of `text`)."
            )
        ),
    ]
    phonemes: Annotated[
        list[TimedPhonemeBody], Meta(description="Recognised phonemes; silence is left out.")
    ]
    words: Annotated[
        list[TimedWordBody],
        Meta(
            description="One entry per word of `text` or `words`, in order; empty without either."
        ),
    ]
    visemes: Annotated[
        list[VisemeCueBody], Meta(description="Cues of the first requested viseme set.")
    ]
    visemes_by_set: Annotated[
        dict[str, list[VisemeCueBody]],
        Meta(description="Cues of every requested set: contiguous over [0, duration]."),
    ]


def to_recording_response(
    result: LipsyncResult, language: str, alphabet: Alphabet, transcript: bool
) -> RecordingLipsyncResponse:
    preview = to_preview_response(result.timed, alphabet)
    audio = result.audio
    return RecordingLipsyncResponse(
        avatar_id=audio.avatar_id,
        session_id=audio.session_id,
        audio_id=audio.audio_id,
        audio_url=audio_url(audio.audio_id),
        duration=preview.duration,
        sample_rate=audio.sample_rate,
        language=language,
        transcript=transcript,
        phonemes=preview.phonemes,
        words=preview.words,
        visemes=preview.visemes,
        visemes_by_set=preview.visemes_by_set,
    )
