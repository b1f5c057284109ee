"""What the rendering use cases take and give: a frame request and its result, a talking
video request (text or stored audio), a named animation request, and the checks of their
format and animation fields (``Invalid`` naming the field)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from avatar_service.core.avatar import Pose
from avatar_service.core.errors import Invalid
from avatar_service.core.records import RenderRecord
from avatar_service.core.speech import VisemeCue
from avatar_service.core.usecases.speech import SpeechRequest


@dataclass(frozen=True, slots=True)
class FrameRequest:
    avatar_id: str
    width: int = 512
    height: int = 512
    format: str = "png"
    pose: Pose = field(default_factory=Pose)
    session_id: str | None = None
    prompt: str | None = None
    preset_id: str | None = None


@dataclass(frozen=True, slots=True)
class FrameResult:
    """A stored frame, the pose drawn, and what the prompt asked that the renderer ignored."""

    record: RenderRecord
    pose: Pose
    warnings: tuple[str, ...] = ()


class Animation(StrEnum):
    IDLE = "idle"
    BLINK = "blink"
    NOD = "nod"
    HEAD_SHAKE = "head_shake"
    TALK = "talk"


@dataclass(frozen=True, slots=True)
class AnimationRequest:
    """A named animation of ``duration`` seconds; ``talk`` needs ``speech`` (its length is the
    speech's) and the others ignore it."""

    avatar_id: str
    name: Animation
    duration: float = 3.0
    speech: SpeechRequest | None = None
    width: int = 512
    height: int = 512
    fps: int = 25
    format: str = "gif"
    session_id: str | None = None
    preset_id: str | None = None


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
    preset_id: str | None = None
    expressions: tuple[tuple[float, str], ...] = ()
    """Expression changes ``(start_seconds, expression)`` scheduled on the video's timeline."""


def check_animation(name: str) -> Animation:
    """The animation called ``name``, or ``Invalid`` (field ``name``) listing them."""
    try:
        return Animation(name)
    except ValueError:
        options = ", ".join(a.value for a in Animation)
        raise Invalid(f"animation must be one of {options}; got {name!r}", field="name") from None


def check_format(fmt: str, supported: frozenset[str]) -> str:
    """``fmt`` lowercased if ``supported``, else ``Invalid`` (field ``format``) listing them."""
    fmt = fmt.lower()
    if fmt not in supported:
        raise Invalid(f"format must be one of {', '.join(sorted(supported))}", field="format")
    return fmt
