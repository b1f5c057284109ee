"""Rendering use cases: one frame (a pose, optionally read from a prompt), a talking video from
text or from stored audio, and named animations. Built-in characters (``characters``: id ->
``{"name", "state"}``) become avatars on first use; a ``preset_id`` applies a stored preset's
settings over the avatar's state for that render only."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from avatar_service.core.audio import decode_wav
from avatar_service.core.avatar import AvatarState
from avatar_service.core.curves import cue_phonemes
from avatar_service.core.errors import Conflict, Invalid, NotFound
from avatar_service.core.limits import Limits
from avatar_service.core.ports import (
    BlobStore,
    FrameRenderRequest,
    ProgressCallback,
    Renderer,
    SequenceRenderRequest,
    Store,
)
from avatar_service.core.prompt import MAX_PROMPT_CHARS, read_prompt
from avatar_service.core.recognition import RECORDED_VOICE
from avatar_service.core.records import Avatar, Namespace, RenderKind, RenderRecord, new_id
from avatar_service.core.speech import TimedPhoneme, Timeline
from avatar_service.core.usecases.framing import framed
from avatar_service.core.usecases.recognition import RecognitionUseCases, followed
from avatar_service.core.usecases.render_requests import (
    Animation,
    AnimationRequest,
    FrameRequest,
    FrameResult,
    SequenceRequest,
    check_animation,
    check_format,
)
from avatar_service.core.usecases.render_timeline import (
    animation_timeline,
    check_cues,
    check_expressions,
)
from avatar_service.core.usecases.speech import SpeechUseCases
from avatar_service.core.visemes import build_timeline

__all__ = [
    "CONTENT_TYPES",
    "Animation",
    "AnimationRequest",
    "FrameRequest",
    "FrameResult",
    "RenderUseCases",
    "SequenceRequest",
]
"""The use cases with the request types their methods take (``core.usecases.render_requests``)."""

CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "webm": "video/webm",
}
_CHUNK = 1024 * 1024


class RenderUseCases:
    def __init__(
        self,
        renderer: Renderer,
        store: Store,
        blobs: BlobStore,
        speech: SpeechUseCases,
        limits: Limits,
        characters: Mapping[str, Mapping[str, Any]] | None = None,
        recognition: RecognitionUseCases | None = None,
    ) -> None:
        self._renderer = renderer
        self._store = store
        self._blobs = blobs
        self._speech = speech
        self._limits = limits
        self._characters = dict(characters or {})
        self._recognition = recognition

    def with_storage(
        self, store: Store, blobs: BlobStore, speech: SpeechUseCases
    ) -> RenderUseCases:
        """The same rendering over ``store`` and ``blobs`` (a tenant's views) and ``speech``
        (keeping its audio there too)."""
        view = copy.copy(self)
        view._store, view._blobs, view._speech = store, blobs, speech
        if self._recognition is not None:
            view._recognition = self._recognition.with_speech(speech)
        return view

    def characters(self) -> dict[str, Mapping[str, Any]]:
        """The built-in characters: id -> ``{"name", "state", ...}``."""
        return dict(self._characters)

    def render_frame(self, request: FrameRequest) -> RenderRecord:
        return self.frame(request).record

    def frame(self, request: FrameRequest) -> FrameResult:
        """One stored frame; ``prompt`` words fill pose fields the request left at default."""
        pose, warnings = request.pose, tuple[str, ...]()
        if request.prompt is not None:
            if len(request.prompt) > MAX_PROMPT_CHARS:
                raise Invalid(f"prompt is over {MAX_PROMPT_CHARS} characters", field="prompt")
            reading = read_prompt(request.prompt)
            pose, warnings = reading.apply(pose), reading.warnings
        self._limits.frame_size(request.width, request.height)
        fmt = check_format(request.format, self._renderer.image_formats)
        state = self._avatar_state(request.avatar_id, request.session_id, request.preset_id)
        image = self._renderer.render_frame(
            FrameRenderRequest(state, pose, width=request.width, height=request.height, format=fmt)
        )
        render_id = new_id("fr")
        record = RenderRecord(
            render_id=render_id,
            kind=RenderKind.FRAME,
            width=request.width,
            height=request.height,
            format=fmt,
            blob_name=f"{render_id}.{fmt}",
            avatar_id=request.avatar_id,
            session_id=request.session_id,
        )
        return FrameResult(self._keep(record, iter([image])), pose, warnings)

    def render_sequence(
        self,
        request: SequenceRequest,
        progress: ProgressCallback | None = None,
        render_id: str | None = None,
    ) -> RenderRecord:
        """A stored talking video. A given ``render_id`` (a job's) names the render, and a blob
        an interrupted earlier attempt left under that name is replaced."""
        self._limits.frame_size(request.width, request.height)
        self._limits.fps(request.fps)
        fmt = check_format(request.format, self._renderer.video_formats)
        self._admit(request)
        state = self._avatar_state(request.avatar_id, request.session_id, request.preset_id)
        wav, timeline, phonemes = self._audio_and_timeline(request)
        wav, timeline = framed(wav, timeline, phonemes, request.fps)
        return self._video(request, state, timeline, wav, fmt, progress, render_id)

    def animate(
        self,
        request: AnimationRequest,
        progress: ProgressCallback | None = None,
        render_id: str | None = None,
    ) -> RenderRecord:
        """A stored video of the named animation (``talk``: the speech, with sound);
        ``render_id`` as for ``render_sequence``."""
        name = check_animation(request.name)
        if name is Animation.TALK:
            if request.speech is None:
                raise Invalid("the talk animation needs text", field="text")
            return self.render_sequence(
                SequenceRequest(
                    request.avatar_id,
                    speech=request.speech,
                    width=request.width,
                    height=request.height,
                    fps=request.fps,
                    format=request.format,
                    session_id=request.session_id,
                    preset_id=request.preset_id,
                ),
                progress,
                render_id,
            )
        self._limits.frame_size(request.width, request.height)
        self._limits.fps(request.fps)
        self._limits.video_seconds(request.duration)
        self._limits.frames(request.duration, request.fps)
        fmt = check_format(request.format, self._renderer.video_formats)
        self._admit(request)
        state = self._avatar_state(request.avatar_id, request.session_id, request.preset_id)
        timeline = animation_timeline(name, request.duration)
        return self._video(request, state, timeline, None, fmt, progress, render_id)

    def check(self, request: SequenceRequest | AnimationRequest) -> None:
        """Raise what rendering ``request`` would raise for its parameters (size, fps, format,
        animation and its duration, text or audio, avatar, session, preset) without rendering
        anything, so that an asynchronous job is refused when submitted, not when run."""
        self._limits.frame_size(request.width, request.height)
        self._limits.fps(request.fps)
        check_format(request.format, self._renderer.video_formats)
        if isinstance(request, AnimationRequest):
            name = check_animation(request.name)
            if name is Animation.TALK and request.speech is None:
                raise Invalid("the talk animation needs text", field="text")
            if name is not Animation.TALK:
                self._limits.video_seconds(request.duration)
                self._limits.frames(request.duration, request.fps)
        else:
            if (request.speech is None) == (request.audio_id is None):
                raise Invalid("give either text or audio_id", field="text")
            if request.audio_id is not None:
                self._store.get_audio(request.audio_id)
        if request.speech is not None:
            self._limits.text(request.speech.text)
        self._admit(request)
        self._avatar_state(request.avatar_id, request.session_id, request.preset_id)

    def _admit(self, request: SequenceRequest | AnimationRequest) -> None:
        """Refuse (``TooLarge``), before any speech or rendering, a video over the length or
        cost limits. Its length is the animation's duration, the stored audio's, or estimated
        from the text (``Limits.speech_seconds``); the exact cost is checked again once the
        speech is made."""
        limits = self._limits
        if request.speech is not None:
            speech = request.speech
            seconds = limits.estimated_video(speech.text, speech.options.rate, ssml=speech.ssml)
            field = "text"
        elif isinstance(request, AnimationRequest):
            seconds, field = request.duration, "duration"
        elif request.audio_id is not None:
            seconds, field = self._store.get_audio(request.audio_id).duration, "audio_id"
        else:
            return
        limits.render_cost(request.width, request.height, request.fps, seconds, field=field)

    def _video(
        self,
        request: SequenceRequest | AnimationRequest,
        state: AvatarState,
        timeline: Timeline,
        wav: bytes | None,
        fmt: str,
        progress: ProgressCallback | None,
        render_id: str | None = None,
    ) -> RenderRecord:
        self._limits.video_seconds(timeline.duration)
        self._limits.render_cost(request.width, request.height, request.fps, timeline.duration)
        self._limits.frames(timeline.duration, request.fps)
        video = self._renderer.render_sequence(
            SequenceRenderRequest(
                state,
                timeline,
                width=request.width,
                height=request.height,
                fps=request.fps,
                format=fmt,
                audio_wav=wav,
            ),
            progress,
        )
        replace = render_id is not None
        render_id = render_id or new_id("rd")
        try:
            record = RenderRecord(
                render_id=render_id,
                kind=RenderKind.VIDEO,
                width=video.width,
                height=video.height,
                format=video.format,
                blob_name=f"{render_id}.{video.format}",
                avatar_id=request.avatar_id,
                session_id=request.session_id,
                duration=video.duration,
                fps=video.fps,
                frames=video.frames,
            )
            return self._keep(record, _read_file(video.path), overwrite=replace)
        finally:
            video.path.unlink(missing_ok=True)

    def _audio_and_timeline(
        self, request: SequenceRequest
    ) -> tuple[bytes, Timeline, list[TimedPhoneme]]:
        """The audio, its timeline, and the phonemes its mouth curves follow."""
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
        phonemes: list[TimedPhoneme]
        if request.cues is not None:
            cues = check_cues(request.cues, record.duration)
            phonemes = cue_phonemes(cues)
        elif request.speech is not None:
            cues = result.timed.visemes.get("oculus") or build_timeline(
                result.timed.alignment.phonemes,
                record.duration,
                min_cue=self._limits.min_cue_seconds,
            )
            phonemes = list(result.timed.alignment.phonemes)
        else:
            samples, rate = decode_wav(wav)
            if record.voice_id == RECORDED_VOICE or not record.text.strip():
                if self._recognition is None:
                    raise Invalid(
                        "this recording has no transcript; send visemes", field="audio_id"
                    )
                alignment = self._recognition.recognise(samples, rate, record.text or None)
                cues = self._recognition.timeline(
                    alignment, record.duration, "oculus", transcribed=followed(alignment)
                )
            else:
                alignment = self._speech.align(samples, rate, record.text, record.voice_id)
                cues = build_timeline(
                    alignment.phonemes, record.duration, min_cue=self._limits.min_cue_seconds
                )
            phonemes = list(alignment.phonemes)
        timeline = Timeline(
            record.duration, cues, check_expressions(request.expressions, record.duration)
        )
        return wav, timeline, phonemes

    def _avatar_state(
        self, avatar_id: str, session_id: str | None, preset_id: str | None = None
    ) -> AvatarState:
        if session_id is not None and self._store.get_session(session_id).avatar_id != avatar_id:
            raise Invalid("the session belongs to another avatar", field="session_id")
        state = self._avatar(avatar_id).state
        if preset_id is not None:
            state = state.merged(self._store.get_preset(preset_id).settings)
        return state

    def _avatar(self, avatar_id: str) -> Avatar:
        """The stored avatar; a built-in character's id creates it first."""
        try:
            return self._store.get_avatar(avatar_id)
        except NotFound:
            character = self._characters.get(avatar_id)
            if character is None:
                raise
        avatar = Avatar(
            avatar_id,
            str(character.get("name", avatar_id)),
            AvatarState.from_dict(character.get("state", {})),
        )
        try:
            return self._store.create_avatar(avatar)
        except Conflict:  # created meanwhile by a concurrent request
            return self._store.get_avatar(avatar_id)

    def _keep(
        self, record: RenderRecord, chunks: Iterator[bytes], overwrite: bool = False
    ) -> RenderRecord:
        """Blob first, then the row; if the row fails the blob goes too."""
        self._blobs.write(
            Namespace.RENDERS,
            record.blob_name,
            chunks,
            max_size=self._limits.max_file_size,
            content_type=CONTENT_TYPES.get(record.format, "application/octet-stream"),
            overwrite=overwrite,
        )
        try:
            return self._store.add_render(record)
        except BaseException as exc:
            # A named render that already has its row belongs to an earlier attempt: keep it.
            if not (overwrite and isinstance(exc, Conflict)):
                self._blobs.delete(Namespace.RENDERS, record.blob_name)
            raise


def _read_file(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk
