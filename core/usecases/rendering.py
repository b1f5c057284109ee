"""Rendering use cases: one frame, or a talking video from text or from stored audio."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from avatar_service.core.audio import decode_wav
from avatar_service.core.avatar import AvatarState, Pose
from avatar_service.core.errors import Invalid
from avatar_service.core.limits import Limits
from avatar_service.core.ports import BlobStore, ProgressCallback, Renderer, Store
from avatar_service.core.records import Namespace, RenderKind, RenderRecord, new_id
from avatar_service.core.speech import Timeline, VisemeCue
from avatar_service.core.usecases.speech import SpeechRequest, SpeechUseCases
from avatar_service.core.visemes import OCULUS_VISEMES, build_timeline

CONTENT_TYPES = {
    "png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif",
    "mp4": "video/mp4", "webm": "video/webm",
}  # fmt: skip
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FrameRequest:
    avatar_id: str
    width: int = 512
    height: int = 512
    format: str = "png"
    pose: Pose = field(default_factory=Pose)
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class SequenceRequest:
    """Either ``speech`` (text: lip sync runs first) or ``audio_id`` (+ optional oculus cues)."""

    avatar_id: str
    speech: SpeechRequest | None = None
    audio_id: str | None = None
    cues: tuple[VisemeCue, ...] | None = None
    width: int = 512
    height: int = 512
    fps: int = 25
    format: str = "mp4"
    session_id: str | None = None


class RenderUseCases:
    def __init__(
        self,
        renderer: Renderer,
        store: Store,
        blobs: BlobStore,
        speech: SpeechUseCases,
        limits: Limits,
    ) -> None:
        self._renderer = renderer
        self._store = store
        self._blobs = blobs
        self._speech = speech
        self._limits = limits

    def render_frame(self, request: FrameRequest) -> RenderRecord:
        self._limits.frame_size(request.width, request.height)
        fmt = _check_format(request.format, self._renderer.image_formats)
        state = self._avatar_state(request.avatar_id, request.session_id)
        image = self._renderer.render_frame(state, request.pose, request.width, request.height, fmt)
        render_id = new_id("fr")
        record = RenderRecord(
            render_id=render_id, kind=RenderKind.FRAME, width=request.width, height=request.height,
            format=fmt, blob_name=f"{render_id}.{fmt}", avatar_id=request.avatar_id,
            session_id=request.session_id,
        )  # fmt: skip
        return self._keep(record, iter([image]))

    def render_sequence(
        self, request: SequenceRequest, progress: ProgressCallback | None = None
    ) -> RenderRecord:
        self._limits.frame_size(request.width, request.height)
        self._limits.fps(request.fps)
        fmt = _check_format(request.format, self._renderer.video_formats)
        state = self._avatar_state(request.avatar_id, request.session_id)
        wav, timeline = self._audio_and_timeline(request)
        self._limits.video_seconds(timeline.duration)
        video = self._renderer.render_sequence(
            state, timeline, wav, request.width, request.height, request.fps, fmt, progress
        )
        try:
            render_id = new_id("rd")
            record = RenderRecord(
                render_id=render_id, kind=RenderKind.VIDEO, width=video.width, height=video.height,
                format=video.format, blob_name=f"{render_id}.{video.format}",
                avatar_id=request.avatar_id, session_id=request.session_id,
                duration=video.duration, fps=video.fps, frames=video.frames,
            )  # fmt: skip
            return self._keep(record, _read_file(video.path))
        finally:
            video.path.unlink(missing_ok=True)

    def _audio_and_timeline(self, request: SequenceRequest) -> tuple[bytes, Timeline]:
        if (request.speech is None) == (request.audio_id is None):
            raise Invalid("give either text or audio_id", field="text")
        if request.speech is not None:
            result = self._speech.lipsync(request.speech)
            audio_id = result.audio.audio_id
        else:
            assert request.audio_id is not None
            audio_id = request.audio_id
        record = self._store.get_audio(audio_id)
        wav = b"".join(self._blobs.read(Namespace.AUDIOS, record.blob_name))
        if request.cues is not None:
            cues = _check_cues(request.cues, record.duration)
        elif request.speech is not None:
            cues = result.timed.visemes["oculus"]
        else:
            samples, rate = decode_wav(wav)
            alignment = self._speech.align(samples, rate, record.text, record.voice_id)
            cues = build_timeline(
                alignment.phonemes, record.duration, min_cue=self._limits.min_cue_seconds
            )
        return wav, Timeline(record.duration, cues)

    def _avatar_state(self, avatar_id: str, session_id: str | None) -> AvatarState:
        if session_id is not None and self._store.get_session(session_id).avatar_id != avatar_id:
            raise Invalid("the session belongs to another avatar", field="session_id")
        return self._store.get_avatar(avatar_id).state

    def _keep(self, record: RenderRecord, chunks: Iterator[bytes]) -> RenderRecord:
        """Blob first, then the row; if the row fails the blob goes too."""
        self._blobs.write(
            Namespace.RENDERS, record.blob_name, chunks, max_size=self._limits.max_file_size,
            content_type=CONTENT_TYPES.get(record.format, "application/octet-stream"),
        )  # fmt: skip
        try:
            return self._store.add_render(record)
        except BaseException:
            self._blobs.delete(Namespace.RENDERS, record.blob_name)
            raise


def _check_format(fmt: str, supported: frozenset[str]) -> str:
    fmt = fmt.lower()
    if fmt not in supported:
        raise Invalid(f"format must be one of {', '.join(sorted(supported))}", field="format")
    return fmt


def _check_cues(cues: Sequence[VisemeCue], duration: float) -> tuple[VisemeCue, ...]:
    previous = 0.0
    for cue in cues:
        if cue.viseme not in OCULUS_VISEMES:
            raise Invalid(f"cue viseme {cue.viseme!r} is not an oculus viseme", field="cues")
        if cue.start < previous - 1e-6 or cue.end < cue.start or cue.end > duration + 1e-3:
            raise Invalid(
                "cues must be ordered, non-overlapping and within the audio", field="cues"
            )
        previous = cue.end
    return tuple(cues)


def _read_file(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk
