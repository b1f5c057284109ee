"""Explicit, configurable limits on every input; the entrypoints fill them from settings."""

from __future__ import annotations

from dataclasses import dataclass

from avatar_service.core.errors import Invalid, TooLarge


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
    max_json_depth: int = 32
    """Nesting of objects and arrays in a JSON request; the HTTP edge checks the raw body."""

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
