"""A deterministic renderer with no dependencies: a flat cartoon face (head, hair, eyes, brows,
mouth, shoulders) drawn with numpy, as PNG frames and animated GIF sequences.

What it honours: the state's colours, hair style (bald or not, long or short), expression,
glasses/sunglasses; the pose's viseme (mouth opening), blink, gaze and expression. What it
ignores: ``background_to`` (flat background), transparency (drawn white), head tilt, other
accessories, and the audio of a sequence (GIF carries no sound)."""

from __future__ import annotations

import bisect
import math
import os
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from avatar_service.adapters.renderer.mock_codecs import GifWriter, U8Array, encode_png
from avatar_service.adapters.renderer.temp_folder import TempFolder
from avatar_service.core.avatar import Accessory, AvatarState, Expression, HairStyle, Pose
from avatar_service.core.errors import Invalid, TimedOut
from avatar_service.core.ports import (
    FrameRenderRequest,
    ProgressCallback,
    RenderedVideo,
    Renderer,
    SequenceRenderRequest,
)
from avatar_service.core.speech import Timeline
from avatar_service.core.visemes import OCULUS_VISEMES

MAX_SIDE = 4096
# Palette slots: every frame is drawn as indices into these, so PNG and GIF share one drawing.
BACKGROUND, SKIN, HAIR, EYE_WHITE, IRIS, MOUTH, CLOTHING, DARK = range(8)
_MOUTH_COLOUR = (122, 46, 46)
_DARK_COLOUR = (34, 34, 34)

# How far each oculus viseme opens the mouth (0 shut .. 1 wide) and how wide it is (x normal).
_OPENING: dict[str, tuple[float, float]] = {
    "sil": (0.0, 1.0),
    "PP": (0.0, 0.9),
    "FF": (0.15, 1.0),
    "TH": (0.2, 1.0),
    "DD": (0.3, 1.0),
    "kk": (0.35, 1.0),
    "CH": (0.3, 0.8),
    "SS": (0.2, 1.1),
    "nn": (0.25, 1.0),
    "RR": (0.3, 0.8),
    "aa": (1.0, 1.1),
    "E": (0.6, 1.15),
    "ih": (0.45, 1.2),
    "oh": (0.8, 0.75),
    "ou": (0.5, 0.6),
}
_MOUTH_WIDTH = {  # fraction of the image width
    Expression.NEUTRAL: 0.12,
    Expression.HAPPY: 0.16,
    Expression.SAD: 0.10,
    Expression.SURPRISED: 0.09,
    Expression.ANGRY: 0.11,
    Expression.THINKING: 0.08,
}
_BROW_LIFT = {  # fraction of the image height, up is positive
    Expression.SURPRISED: 0.025,
    Expression.ANGRY: -0.012,
    Expression.SAD: 0.008,
    Expression.THINKING: 0.012,
}
_BLINK_EVERY, _BLINK_FOR, _FIRST_BLINK = 4.0, 0.15, 2.0
_FRAME_CACHE = 32


def _rgb(colour: str) -> tuple[int, int, int]:
    if colour == "transparent":
        return (255, 255, 255)
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def palette(state: AvatarState) -> list[tuple[int, int, int]]:
    """The colours of the palette slots for ``state``."""
    return [
        _rgb(state.background),
        _rgb(state.skin_tone),
        _rgb(state.hair_color),
        (250, 250, 250),
        _rgb(state.eye_color),
        _MOUTH_COLOUR,
        _rgb(state.clothing_color),
        _DARK_COLOUR,
    ]


class _Canvas:
    """A ``height x width`` grid of palette indices with shapes in fractional coordinates."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels: U8Array = np.full((height, width), BACKGROUND, np.uint8)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, slot: int) -> None:
        """Fill the ellipse centred ``(cx, cy)`` with radii ``(rx, ry)`` (fractions of W, H)."""
        w, h = self.width, self.height
        cxp, cyp, rxp, ryp = cx * w, cy * h, max(rx * w, 0.5), max(ry * h, 0.5)
        x0, x1 = max(0, math.floor(cxp - rxp)), min(w, math.ceil(cxp + rxp) + 1)
        y0, y1 = max(0, math.floor(cyp - ryp)), min(h, math.ceil(cyp + ryp) + 1)
        if x0 >= x1 or y0 >= y1:
            return
        ys = (np.arange(y0, y1) + 0.5 - cyp) / ryp
        xs = (np.arange(x0, x1) + 0.5 - cxp) / rxp
        inside = ys[:, None] ** 2 + xs[None, :] ** 2 <= 1.0
        self.pixels[y0:y1, x0:x1][inside] = slot

    def rect(self, x0: float, y0: float, x1: float, y1: float, slot: int) -> None:
        """Fill ``[x0, x1) x [y0, y1)`` (fractions), at least one pixel high and wide."""
        w, h = self.width, self.height
        left, top = min(round(x0 * w), w - 1), min(round(y0 * h), h - 1)
        right, bottom = max(round(x1 * w), left + 1), max(round(y1 * h), top + 1)
        self.pixels[max(top, 0) : bottom, max(left, 0) : right] = slot


def draw(state: AvatarState, pose: Pose, width: int, height: int) -> U8Array:
    """Palette indices of the face for ``state`` in ``pose`` (see ``palette``)."""
    canvas = _Canvas(width, height)
    expression = pose.expression or state.expression
    canvas.ellipse(0.5, 1.05, 0.36, 0.25, CLOTHING)
    canvas.rect(0.45, 0.68, 0.55, 0.82, SKIN)
    if state.hair_style in (HairStyle.LONG, HairStyle.BOB, HairStyle.PONYTAIL):
        bottom = 0.62 if state.hair_style == HairStyle.BOB else 0.78
        canvas.rect(0.26, 0.38, 0.74, bottom, HAIR)
    if state.hair_style != HairStyle.BALD:
        thickness = 0.015 if state.hair_style == HairStyle.BUZZ else 0.06
        canvas.ellipse(0.5, 0.43 - thickness / 2, 0.22 + thickness / 3, 0.27, HAIR)
    canvas.ellipse(0.5, 0.48, 0.22, 0.27, SKIN)
    if state.hair_style not in (HairStyle.BALD, HairStyle.BUZZ):
        canvas.ellipse(0.5, 0.27, 0.2, 0.07, HAIR)  # fringe
    _eyes(canvas, pose, expression)
    _mouth(canvas, pose.viseme, expression)
    if Accessory.SUNGLASSES in state.accessories:
        canvas.rect(0.35, 0.42, 0.47, 0.48, DARK)
        canvas.rect(0.53, 0.42, 0.65, 0.48, DARK)
        canvas.rect(0.47, 0.44, 0.53, 0.45, DARK)
    elif Accessory.GLASSES in state.accessories:
        for x in (0.35, 0.53):
            canvas.rect(x, 0.415, x + 0.12, 0.42, DARK)
            canvas.rect(x, 0.48, x + 0.12, 0.485, DARK)
        canvas.rect(0.47, 0.44, 0.53, 0.445, DARK)
    return canvas.pixels


def _eyes(canvas: _Canvas, pose: Pose, expression: Expression) -> None:
    brow_y = 0.39 - _BROW_LIFT.get(expression, 0.0)
    openness = 1.0 - pose.blink
    for cx in (0.41, 0.59):
        canvas.rect(cx - 0.045, brow_y, cx + 0.045, brow_y + 0.012, HAIR)
        if openness < 0.15:
            canvas.rect(cx - 0.04, 0.448, cx + 0.04, 0.452, DARK)
            continue
        canvas.ellipse(cx, 0.45, 0.045, 0.028 * openness, EYE_WHITE)
        iris_x = cx + 0.022 * pose.gaze_x
        iris_y = 0.45 + 0.01 * pose.gaze_y * openness
        canvas.ellipse(iris_x, iris_y, 0.018, min(0.018, 0.026 * openness), IRIS)


def _mouth(canvas: _Canvas, viseme: str, expression: Expression) -> None:
    opening, widen = _OPENING[viseme]
    half = _MOUTH_WIDTH[expression] * widen / 2
    height = 0.005 + 0.07 * opening
    canvas.rect(0.5 - half, 0.62 - height / 2, 0.5 + half, 0.62 + height / 2, MOUTH)
    corner = {Expression.HAPPY: -0.012, Expression.SAD: 0.012}.get(expression)
    if corner is not None:  # corners up for a smile, down for a frown
        for x in (0.5 - half - 0.012, 0.5 + half):
            canvas.rect(x, 0.62 + corner - 0.003, x + 0.012, 0.62 + corner + 0.003, MOUTH)


class MockRenderer(Renderer):
    """PNG frames and GIF sequences of a flat face; deterministic and dependency-free.

    Holds no mutable state beyond its settings, so concurrent calls are safe. A sequence that
    runs over ``max_render_time`` seconds is abandoned with ``TimedOut``, its file deleted.
    """

    PLUGIN_NAME = "mock"
    image_formats = frozenset({"png"})
    video_formats = frozenset({"gif"})

    def __init__(
        self, max_render_time: float = 30.0, frame_delay: float = 0.0, temp_dir: Path | None = None
    ) -> None:
        """``frame_delay``: seconds slept per sequence frame, standing in for a slow renderer
        (tests that interrupt a render midway). ``temp_dir``: where videos are written (default:
        the system's temporary folder)."""
        if not max_render_time > 0:
            raise Invalid("max_render_time must be positive", field="max_render_time")
        if not 0 <= frame_delay <= 10:
            raise Invalid("frame_delay must be between 0 and 10 seconds", field="frame_delay")
        self.max_render_time = max_render_time
        self.frame_delay = frame_delay
        self.temp = None if temp_dir is None else TempFolder(temp_dir)

    def check(self) -> None:
        return None

    def render_frame(self, request: FrameRenderRequest) -> bytes:
        """PNG bytes of exactly ``width`` x ``height``."""
        state, width, height = request.state, request.width, request.height
        _check_format(request.format, self.image_formats)
        _check_size(width, height)
        pixels = draw(state, request.pose, width, height)
        colours = np.array(palette(state), np.uint8)
        return encode_png(colours[pixels])

    def render_sequence(
        self, request: SequenceRenderRequest, progress: ProgressCallback | None = None
    ) -> RenderedVideo:
        """A looping GIF, one frame per ``1/fps`` s; ``audio_wav`` is ignored (GIF is silent).

        Frame ``i`` shows the viseme cue active at ``i / fps``, blinks on a fixed schedule, and
        takes the timeline's latest expression change. Delays are whole centiseconds chosen so
        the total stays within 5 ms of ``frames / fps`` (above 50 fps some frames get 1 cs,
        which browsers stretch; use a lower fps for GIFs meant for people).
        """
        state, timeline, fps = request.state, request.timeline, request.fps
        width, height = request.width, request.height
        _check_format(request.format, self.video_formats)
        _check_size(width, height)
        if isinstance(fps, bool) or not isinstance(fps, int) or fps < 1:
            raise Invalid(f"fps must be a positive integer, got {fps!r}", field="fps")
        if not math.isfinite(timeline.duration) or timeline.duration <= 0:
            raise Invalid("the timeline must last more than 0 seconds", field="duration")
        frames = round(timeline.duration * fps)
        if frames < 1:
            raise Invalid(f"the timeline is shorter than one frame at {fps} fps", field="duration")
        poses = _Poses(state, timeline)
        deadline = time.monotonic() + self.max_render_time
        if self.temp is None:
            fd, name = tempfile.mkstemp(prefix="avatar-render-", suffix=".gif")
            os.close(fd)
            path = Path(name)
        else:
            path = self.temp.new_file("render", ".gif")
        try:
            with path.open("wb") as out:
                writer = GifWriter(out, width, height, palette(state))
                cache: OrderedDict[tuple[str, bool, Expression], U8Array] = OrderedDict()
                previous: U8Array | None = None
                for i in range(frames):
                    key = poses.at(i / fps)
                    current = cache.get(key)
                    if current is None:
                        current = draw(state, poses.pose(key), width, height)
                        cache[key] = current
                        if len(cache) > _FRAME_CACHE:
                            cache.popitem(last=False)
                    delay = round((i + 1) * 100 / fps) - round(i * 100 / fps)
                    _write_changes(writer, previous, current, delay)
                    previous = current
                    if self.frame_delay:
                        time.sleep(self.frame_delay)
                    if time.monotonic() > deadline:
                        raise TimedOut(
                            f"rendering took over {self.max_render_time:g} s "
                            f"(at frame {i + 1} of {frames})"
                        )
                    if progress is not None:
                        progress(min(0.99, (i + 1) / frames))
                writer.close()
            if progress is not None:
                progress(1.0)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return RenderedVideo(path, "gif", "image/gif", frames / fps, fps, frames, width, height)


class _Poses:
    """What the face does at a time of a timeline: (viseme, eyes shut, expression)."""

    def __init__(self, state: AvatarState, timeline: Timeline) -> None:
        cues = sorted(timeline.visemes, key=lambda c: c.start)
        for cue in cues:
            if cue.viseme not in _OPENING:
                raise Invalid(
                    f"cue viseme {cue.viseme!r} is not one of {', '.join(OCULUS_VISEMES)}",
                    field="timeline",
                )
        self._cues = cues
        self._starts = [c.start for c in cues]
        changes = sorted(timeline.expressions, key=lambda change: change[0])
        try:
            self._expressions = [(t, Expression(e)) for t, e in changes]
        except ValueError:
            options = ", ".join(e.value for e in Expression)
            raise Invalid(
                f"timeline expressions must be one of {options}", field="timeline"
            ) from None
        self._expression_times = [t for t, _ in self._expressions]
        self._default = state.expression

    def at(self, t: float) -> tuple[str, bool, Expression]:
        viseme = "sil"
        i = bisect.bisect_right(self._starts, t) - 1
        if i >= 0 and t < self._cues[i].end:
            viseme = self._cues[i].viseme
        shut = t >= _FIRST_BLINK and (t - _FIRST_BLINK) % _BLINK_EVERY < _BLINK_FOR
        j = bisect.bisect_right(self._expression_times, t) - 1
        expression = self._expressions[j][1] if j >= 0 else self._default
        return viseme, shut, expression

    @staticmethod
    def pose(key: tuple[str, bool, Expression]) -> Pose:
        viseme, shut, expression = key
        return Pose(viseme=viseme, blink=1.0 if shut else 0.0, expression=expression)


def _write_changes(
    writer: GifWriter, previous: U8Array | None, current: U8Array, delay: int
) -> None:
    """The first frame whole; later ones only the bounding box of what changed (a single
    unchanged pixel when nothing did, since every GIF frame needs an image)."""
    if previous is None:
        writer.frame(current, delay)
        return
    rows = np.flatnonzero((previous != current).any(axis=1))
    if rows.size == 0:
        writer.frame(current[:1, :1], delay)
        return
    cols = np.flatnonzero(
        (previous[rows[0] : rows[-1] + 1] != current[rows[0] : rows[-1] + 1]).any(axis=0)
    )
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    writer.frame(current[top:bottom, left:right], delay, left, top)


def _check_format(format: str, supported: frozenset[str]) -> None:
    if not isinstance(format, str) or format.lower() not in supported:
        raise Invalid(
            f"format must be one of {', '.join(sorted(supported))}; got {format!r}", field="format"
        )


def _check_size(width: int, height: int) -> None:
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIDE:
            raise Invalid(
                f"{name} must be an integer from 1 to {MAX_SIDE}, got {value!r}", field=name
            )
