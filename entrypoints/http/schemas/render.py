"""Bodies of the render routes (frame, sequence, animation) and their mappings."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta

from avatar_service.core.avatar import Pose
from avatar_service.core.records import RenderRecord
from avatar_service.core.speech import VisemeCue
from avatar_service.core.usecases.render_requests import (
    AnimationRequest,
    FrameRequest,
    FrameResult,
    SequenceRequest,
)
from avatar_service.core.usecases.speech import SpeechRequest
from avatar_service.entrypoints.http.schemas.bounds import MAX_CUES, MAX_EXPRESSION_CHANGES


def render_url(render_id: str) -> str:
    """Where a stored render downloads from (the media controller serves it)."""
    return f"/v1/renders/{render_id}"


class PoseBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One frame's pose: an ``oculus`` viseme, blink 0 (open) .. 1 (shut), an expression
    overriding the avatar's, gaze -1..1 per axis, head tilt in degrees (-20..20)."""

    viseme: str = "sil"
    blink: float = 0.0
    expression: str | None = None
    gaze_x: float = 0.0
    gaze_y: float = 0.0
    head_tilt: float = 0.0


class RenderRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One frame. ``prompt``: free text the renderer reads expression, gaze, blink, tilt and
    talking words from (for pose fields ``pose`` leaves at default); the words it did not use
    come back under ``warnings``. ``preset_id`` applies a preset over the avatar's state."""

    avatar_id: str
    width: int = 512
    height: int = 512
    format: str = "png"
    pose: PoseBody | None = None
    prompt: str | None = None
    session_id: str | None = None
    preset_id: str | None = None


class RenderResponse(msgspec.Struct, kw_only=True):
    avatar_id: str
    frame_id: str
    frame_url: str
    width: int
    height: int
    format: str
    pose: PoseBody
    warnings: list[str]


class CueBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    viseme: str
    start: float
    end: float


class ExpressionChangeBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """From ``start`` seconds on, the avatar shows ``expression``."""

    start: float
    expression: str


class SequenceRequestBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A talking video: ``text`` (speech is synthesised and lip-synced first) or ``audio_id``
    of stored audio, with optional ``oculus`` ``visemes`` cues (else they are aligned, or for a
    recording without a transcript recognised from the audio) and
    ``expressions`` scheduled on the timeline."""

    avatar_id: str
    text: str | None = None
    voice: str | None = None
    audio_id: str | None = None
    visemes: Annotated[list[CueBody], Meta(max_length=MAX_CUES)] | None = None
    expressions: (
        Annotated[list[ExpressionChangeBody], Meta(max_length=MAX_EXPRESSION_CHANGES)] | None
    ) = None
    width: int = 512
    height: int = 512
    fps: int = 25
    format: str = "mp4"
    session_id: str | None = None
    preset_id: str | None = None
    async_: bool = msgspec.field(default=False, name="async")
    """Answer 202 with a job at once instead of the finished video (as ``Prefer:
    respond-async`` does); poll ``status_url`` or wait for the webhook."""
    webhook_url: str | None = None
    """Where the job's final status is POSTed, signed (``docs/jobs.md``); implies ``async``."""


class SequenceResponse(msgspec.Struct, kw_only=True):
    avatar_id: str | None
    render_id: str
    video_url: str
    duration: float
    fps: int
    frames: int
    width: int
    height: int
    format: str


class AnimationRequestBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A named animation: ``idle``, ``blink``, ``nod``, ``head_shake`` (``duration`` seconds,
    silent) or ``talk`` (needs ``text``; as long as the speech, with sound)."""

    name: str
    duration: float = 3.0
    text: str | None = None
    voice: str | None = None
    width: int = 512
    height: int = 512
    fps: int = 25
    format: str = "gif"
    session_id: str | None = None
    preset_id: str | None = None
    async_: bool = msgspec.field(default=False, name="async")
    """As for ``/v1/render/sequence``: answer 202 with a job."""
    webhook_url: str | None = None
    """As for ``/v1/render/sequence``; implies ``async``."""


def to_pose(body: PoseBody | None) -> Pose:
    """The core pose; bad values raise the core's ``Invalid`` naming ``pose.<field>``."""
    if body is None:
        return Pose()
    fields: dict[str, Any] = {f: getattr(body, f) for f in body.__struct_fields__}
    return Pose.from_dict(fields)


def to_frame_request(data: RenderRequest) -> FrameRequest:
    return FrameRequest(
        avatar_id=data.avatar_id,
        width=data.width,
        height=data.height,
        format=data.format,
        pose=to_pose(data.pose),
        session_id=data.session_id,
        prompt=data.prompt,
        preset_id=data.preset_id,
    )


def to_render_response(result: FrameResult) -> RenderResponse:
    record, pose = result.record, result.pose
    return RenderResponse(
        avatar_id=record.avatar_id or "",
        frame_id=record.render_id,
        frame_url=render_url(record.render_id),
        width=record.width,
        height=record.height,
        format=record.format,
        pose=PoseBody(
            viseme=pose.viseme,
            blink=pose.blink,
            expression=None if pose.expression is None else str(pose.expression),
            gaze_x=pose.gaze_x,
            gaze_y=pose.gaze_y,
            head_tilt=pose.head_tilt,
        ),
        warnings=list(result.warnings),
    )


def _speech(text: str | None, voice: str | None, avatar_id: str, session_id: str | None) -> Any:
    if text is None:
        return None
    return SpeechRequest(text, voice, avatar_id=avatar_id, session_id=session_id)


def to_sequence_request(data: SequenceRequestBody) -> SequenceRequest:
    cues = None
    if data.visemes is not None:
        cues = tuple(VisemeCue(c.viseme, c.start, c.end) for c in data.visemes)
    return SequenceRequest(
        avatar_id=data.avatar_id,
        speech=_speech(data.text, data.voice, data.avatar_id, data.session_id),
        audio_id=data.audio_id,
        cues=cues,
        width=data.width,
        height=data.height,
        fps=data.fps,
        format=data.format,
        session_id=data.session_id,
        preset_id=data.preset_id,
        expressions=tuple((e.start, e.expression) for e in data.expressions or ()),
    )


def to_animation_request(avatar_id: str, data: AnimationRequestBody) -> AnimationRequest:
    return AnimationRequest(
        avatar_id=avatar_id,
        name=data.name,  # type: ignore[arg-type]  # checked by the core
        duration=data.duration,
        speech=_speech(data.text, data.voice, avatar_id, data.session_id),
        width=data.width,
        height=data.height,
        fps=data.fps,
        format=data.format,
        session_id=data.session_id,
        preset_id=data.preset_id,
    )


def to_sequence_response(record: RenderRecord) -> SequenceResponse:
    return SequenceResponse(
        avatar_id=record.avatar_id,
        render_id=record.render_id,
        video_url=render_url(record.render_id),
        duration=record.duration or 0.0,
        fps=record.fps or 0,
        frames=record.frames or 0,
        width=record.width,
        height=record.height,
        format=record.format,
    )
