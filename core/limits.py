"""Explicit, configurable limits on every input; the entrypoints fill them from settings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from avatar_service.core.errors import Invalid, TooLarge
from avatar_service.core.recognition import MAX_PHONE_SECONDS

_MARKUP = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds the use cases enforce; violating one raises ``Invalid`` or ``TooLarge``."""

    max_text_chars: int = 5000
    max_file_size: int = 500 * 1024 * 1024
    min_size: int = 16
    max_size: int = 2048
    max_fps: int = 60
    max_video_seconds: float = 120.0
    min_cue_seconds: float = 0.04
    max_recording_seconds: float = 600.0
    """Longest recording lip-synced from audio alone (``/v1/lipsync/audio``, ``--audio``)."""
    max_phone_seconds: float = MAX_PHONE_SECONDS
    """Longest phone lip sync from audio alone shows (``core.recognition.speech_only``); a
    longer one is taken for a note or a hum and rests the mouth. Raise it for singing."""
    max_json_depth: int = 32
    """Nesting of objects and arrays in a JSON request; the HTTP edge checks the raw body."""
    max_curve_fps: int = 120
    """Frames per second of weight curves (``curves``)."""
    max_curve_frames: int = 36_000
    """Rows of one curve (10 minutes at 60 fps); longer speech at that fps: ``TooLarge``."""

    def curve_frames(self, frames: int) -> None:
        if frames > self.max_curve_frames:
            raise TooLarge(
                f"the curves would have {frames} frames; the limit is {self.max_curve_frames} "
                "(lower fps or shorten the text)",
                field="curves",
            )

    max_render_cost: float = 500.0
    """Largest video a request may ask for, in megapixel-frames: width x height x fps x
    seconds / 1e6 (500: 512 x 512 px at 25 fps for 76 s)."""
    speech_chars_per_second: float = 15.0
    """Characters of text spoken per second at rate 1, to estimate a video's length before
    any speech is made."""

    def text(self, text: str, field: str = "text") -> str:
        """``text`` if it has a non-space character and fits the limit."""
        if not isinstance(text, str) or not text.strip():
            raise Invalid(f"{field} must contain at least one non-space character", field=field)
        if len(text) > self.max_text_chars:
            raise TooLarge(
                f"{field} is {len(text)} characters; the limit is {self.max_text_chars}",
                field=field,
            )
        return text

    def frame_size(self, width: int, height: int) -> None:
        for name, value in (("width", width), ("height", height)):
            if not self.min_size <= value <= self.max_size:
                raise Invalid(
                    f"{name} must be between {self.min_size} and {self.max_size} px, got {value}",
                    field=name,
                )

    def fps(self, fps: int) -> None:
        if not 1 <= fps <= self.max_fps:
            raise Invalid(f"fps must be between 1 and {self.max_fps}, got {fps}", field="fps")

    def speech_seconds(self, text: str, rate: float = 1.0, *, ssml: bool = False) -> float:
        """About how long ``text`` takes to say at ``rate`` (markup not counted)."""
        spoken = _MARKUP.sub(" ", text) if ssml else text
        return len(spoken.strip()) / (self.speech_chars_per_second * max(rate, 0.1))

    def estimated_video(self, text: str, rate: float = 1.0, *, ssml: bool = False) -> float:
        """The estimated length of a video of ``text`` (``speech_seconds``); ``TooLarge``
        (field ``text``) when it is over ``max_video_seconds``: refused before any speech."""
        seconds = self.speech_seconds(text, rate, ssml=ssml)
        if seconds > self.max_video_seconds:
            raise TooLarge(
                f"the text would take about {seconds:.0f} s to say (at "
                f"{self.speech_chars_per_second:g} characters a second); videos are limited to "
                f"{self.max_video_seconds:g} s (AVATAR_LIMITS__MAX_VIDEO_SECONDS): send less text",
                field="text",
            )
        return seconds

    def render_cost(
        self, width: int, height: int, fps: int, seconds: float, *, field: str = "duration"
    ) -> None:
        """``TooLarge`` naming ``field`` when a ``width`` x ``height`` video at ``fps`` for
        ``seconds`` costs more than ``max_render_cost`` megapixel-frames."""
        cost = width * height * fps * seconds / 1e6
        if cost > self.max_render_cost:
            raise TooLarge(
                f"this video would cost {cost:.0f} megapixel-frames ({width}x{height} px x "
                f"{fps} fps x {seconds:.1f} s); the limit is {self.max_render_cost:g} "
                "(AVATAR_LIMITS__MAX_RENDER_COST): make it smaller, shorter or lower its fps",
                field=field,
            )

    def video_seconds(self, seconds: float) -> None:
        if not 0 < seconds <= self.max_video_seconds:
            raise Invalid(
                f"duration must be over 0 and at most {self.max_video_seconds} s, "
                f"got {seconds:.3f}",
                field="duration",
            )

    def frames(self, seconds: float, fps: int, field: str = "duration") -> None:
        """A video of ``seconds`` at ``fps`` has at least one frame (``round(seconds * fps)``,
        as renderers count them)."""
        if round(seconds * fps) < 1:
            raise Invalid(
                f"a video of {seconds:.3f} s at {fps} fps has no frame: it needs more than "
                f"{0.5 / fps:.3f} s at that frame rate (or a higher fps)",
                field=field,
            )
