"""Render requests as JSON-able dicts, so a job can be stored and run by another process.

``from_dict(to_dict(r)) == r`` for every sequence and animation request; a dict that is not
one raises ``Invalid`` (field ``request``).
"""

from __future__ import annotations

from typing import Any

from avatar_service.core.errors import Invalid
from avatar_service.core.jobs import JobKind
from avatar_service.core.speech import SynthesisOptions, VisemeCue
from avatar_service.core.usecases.rendering import Animation, AnimationRequest, SequenceRequest
from avatar_service.core.usecases.speech import SpeechRequest

RenderJobRequest = SequenceRequest | AnimationRequest


def kind_of(request: RenderJobRequest) -> JobKind:
    return JobKind.SEQUENCE if isinstance(request, SequenceRequest) else JobKind.ANIMATION


def to_dict(request: RenderJobRequest) -> dict[str, Any]:
    common = {
        "avatar_id": request.avatar_id, "width": request.width, "height": request.height,
        "fps": request.fps, "format": request.format, "session_id": request.session_id,
        "preset_id": request.preset_id,
        "speech": None if request.speech is None else _speech_to_dict(request.speech),
    }  # fmt: skip
    if isinstance(request, AnimationRequest):
        return {**common, "name": str(request.name), "duration": request.duration}
    return {
        **common,
        "audio_id": request.audio_id,
        "cues": None
        if request.cues is None
        else [[c.viseme, c.start, c.end] for c in request.cues],
        "expressions": [[start, name] for start, name in request.expressions],
    }


def from_dict(kind: JobKind, data: dict[str, Any]) -> RenderJobRequest:
    try:
        speech = None if data.get("speech") is None else _speech_from_dict(data["speech"])
        common: dict[str, Any] = {
            key: data[key]
            for key in ("avatar_id", "width", "height", "fps", "format", "session_id",
                        "preset_id")
        }  # fmt: skip
        if kind is JobKind.ANIMATION:
            return AnimationRequest(
                name=Animation(data["name"]), duration=float(data["duration"]), speech=speech,
                **common,
            )  # fmt: skip
        cues = data.get("cues")
        return SequenceRequest(
            speech=speech,
            audio_id=data.get("audio_id"),
            cues=None
            if cues is None
            else tuple(VisemeCue(v, float(s), float(e)) for v, s, e in cues),
            expressions=tuple((float(start), str(name)) for start, name in data["expressions"]),
            **common,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid(f"the stored {kind} request is malformed: {exc!r}", field="request") from None


def _speech_to_dict(speech: SpeechRequest) -> dict[str, Any]:
    options = speech.options
    return {
        "text": speech.text, "voice_id": speech.voice_id, "viseme_sets": list(speech.viseme_sets),
        "avatar_id": speech.avatar_id, "session_id": speech.session_id, "ssml": speech.ssml,
        "options": {"rate": options.rate, "pitch": options.pitch, "volume": options.volume,
                    "speaker_id": options.speaker_id},
    }  # fmt: skip


def _speech_from_dict(data: dict[str, Any]) -> SpeechRequest:
    return SpeechRequest(
        text=data["text"], voice_id=data["voice_id"], options=SynthesisOptions(**data["options"]),
        viseme_sets=tuple(data["viseme_sets"]), avatar_id=data["avatar_id"],
        session_id=data["session_id"], ssml=bool(data.get("ssml", False)),
    )  # fmt: skip
