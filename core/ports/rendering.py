"""The rendering port: avatar state plus pose or timeline to pixels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from avatar_service.core.avatar import AvatarState, Pose
from avatar_service.core.speech import Timeline

ProgressCallback = Callable[[float], None]
"""Called with the fraction done, 0.0..1.0, non-decreasing."""


@dataclass(frozen=True, slots=True)
class FrameRenderRequest:
    """What ``Renderer.render_frame`` is asked to draw: ``state`` in ``pose``, as a ``format``
    image of ``width`` x ``height``. It evolves as ``core.ports.SynthesisRequest`` does: new
    fields come with a default that keeps the behaviour before them."""

    state: AvatarState
    pose: Pose
    _: KW_ONLY
    width: int
    height: int
    format: str


@dataclass(frozen=True, slots=True)
class SequenceRenderRequest:
    """What ``Renderer.render_sequence`` is asked to make: ``state`` speaking ``timeline`` as a
    ``format`` video of ``width`` x ``height`` at ``fps``, with ``audio_wav`` (PCM16 WAV bytes,
    or ``None``: silent). It evolves as ``FrameRenderRequest`` does."""

    state: AvatarState
    timeline: Timeline
    _: KW_ONLY
    width: int
    height: int
    fps: int
    format: str
    audio_wav: bytes | None = None


@dataclass(frozen=True, slots=True)
class RenderedVideo:
    """A finished video file owned by the caller (delete it when done)."""

    path: Path
    format: str
    content_type: str
    duration: float
    fps: int
    frames: int
    width: int
    height: int


@runtime_checkable
class Renderer(Protocol):
    """Avatar state plus pose or timeline to pixels.

    - ``image_formats`` / ``video_formats``: what this renderer can produce (lowercase).
    - ``render_frame(request)`` (a ``FrameRenderRequest``) returns encoded image bytes of
      exactly ``width`` x ``height`` in ``format``.
    - ``render_sequence(request, progress)`` (a ``SequenceRenderRequest``) writes a video to a
      new file and returns it: ``frames`` equals
      ``round(timeline.duration * fps)`` and ``duration`` is within one frame of
      ``timeline.duration``; the audio (PCM16 WAV bytes, or ``None``) is muxed in when the
      format carries sound. ``progress`` receives non-decreasing fractions ending at 1.0.
    - An unsupported format or size raises ``Invalid``; work over the renderer's time limit
      raises ``TimedOut``; a saturated renderer raises ``Unavailable``.
    """

    image_formats: frozenset[str]
    video_formats: frozenset[str]

    def render_frame(self, request: FrameRenderRequest) -> bytes: ...

    def render_sequence(
        self, request: SequenceRenderRequest, progress: ProgressCallback | None = None
    ) -> RenderedVideo: ...

    def check(self) -> None: ...
